import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { validateJson } from '../../src/support/schema.js';
import { activationLines } from '../../src/emit/activations.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { referenceInference } from '../../src/reference/index.js';
import { generateInputImage } from '../../src/ir/weights.js';

/** Runs `imcc ...args` in-process; returns stdout, stderr and the exit status. */
async function imcc(args: string[]): Promise<{ out: string; err: string; status: number }> {
  const run = await runCli(args);
  return { out: run.stdout, err: run.stderr, status: run.code };
}

afterEach(() => vi.restoreAllMocks());

const tmp = () => mkdtempSync(join(tmpdir(), 'imcc-infer-'));
const lenet = 'examples/lenet.imc';
const lenetPixels = 28 * 28;

describe('imcc infer', () => {
  it('--json prints {output, argmax} valid against schemas/infer.schema.json, deterministic per seed', async () => {
    const a = await imcc(['infer', lenet, '--seed', '5', '--json']);
    expect(a.status).toBe(0);
    const json = JSON.parse(a.out);
    validateJson('infer', json);
    expect(Object.keys(json)).toEqual(['output', 'argmax']);
    expect(json.output).toHaveLength(10);
    expect(json.output[json.argmax]).toBe(Math.max(...json.output));
    const b = await imcc(['infer', lenet, '--seed', '5', '--json']);
    expect(b.out).toBe(a.out);
    // Equals the library call with the documented input generator.
    const { design } = loadDesign(lenet);
    const image = generateInputImage(5, { channels: 1, height: 28, width: 28 }, 4);
    expect(json.output).toEqual(Array.from(referenceInference(design!, mapDesign(design!), image).output));
  });

  it('text mode prints the output and argmax', async () => {
    const r = await imcc(['infer', lenet, '--seed', '1']);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^output: (-?\d+ ){9}-?\d+\nargmax: \d\n$/);
  });

  it('--input: a JSON array (CHW) and the same image as raw int8 bytes give the seed-image result', async () => {
    const dir = tmp();
    const image = generateInputImage(9, { channels: 1, height: 28, width: 28 }, 4);
    writeFileSync(join(dir, 'img.json'), JSON.stringify(Array.from(image)));
    writeFileSync(join(dir, 'img.bin'), Uint8Array.from(new Int8Array(Int32Array.from(image))));
    const seeded = await imcc(['infer', lenet, '--seed', '9', '--json']);
    const fromJson = await imcc(['infer', lenet, '--input', join(dir, 'img.json'), '--json']);
    const fromRaw = await imcc(['infer', lenet, '--input', join(dir, 'img.bin'), '--json']);
    expect(fromJson.status).toBe(0);
    expect(fromJson.out).toBe(seeded.out);
    expect(fromRaw.out).toBe(seeded.out);
  });

  it('--dump writes one file per weight layer, one pixel per line in arrival order, and infer.json', async () => {
    const dir = join(tmp(), 'dump');
    const r = await imcc(['infer', lenet, '--seed', '2', '--dump', dir]);
    expect(r.status).toBe(0);
    expect(readdirSync(join(dir, 'activations')).sort()).toEqual(['c1.txt', 'c2.txt', 'f1.fc.txt', 'logits.txt']);
    const record = JSON.parse(readFileSync(join(dir, 'infer.json'), 'utf8'));
    validateJson('infer', record);
    expect(record.input).toEqual({ kind: 'seed', seed: 2 });
    const c1 = readFileSync(join(dir, 'activations/c1.txt'), 'utf8').split('\n');
    expect(c1[0]).toBe('# imcc infer activations: layer c1 (sent after p1)');
    const body = c1.filter((l) => l !== '' && !l.startsWith('#'));
    expect(body).toHaveLength(12 * 12);
    expect(body[0]).toMatch(/^0 0: (-?\d+ ){3}-?\d+$/);
    expect(body[1]).toMatch(/^1 0: /);
    // c2's output leaves through a flatten: still dumped as its 8x4x4 pixels.
    const c2 = record.layers.find((l: { layer: string }) => l.layer === 'c2');
    expect(c2).toMatchObject({ outputNode: 'f1.flatten', channels: 8, height: 4, width: 4 });
    const logits = readFileSync(join(dir, 'activations/logits.txt'), 'utf8');
    expect(logits).toContain(`0 0: ${record.output.join(' ')}\n`);
    const again = join(tmp(), 'dump');
    await imcc(['infer', lenet, '--seed', '2', '--dump', again]);
    for (const f of ['infer.json', 'input.txt', 'activations/c1.txt', 'activations/f1.fc.txt']) {
      expect(readFileSync(join(again, f), 'utf8')).toBe(readFileSync(join(dir, f), 'utf8'));
    }
  });

  it('activation lines run x outer, y inner, channels in order', () => {
    // 2 channels of a 2x3 (H x W) plane, CHW: value = c * 100 + y * 10 + x.
    const values: number[] = [];
    for (let c = 0; c < 2; c++) for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) values.push(c * 100 + y * 10 + x);
    expect(activationLines({ channels: 2, height: 2, width: 3 }, values)).toEqual([
      '0 0: 0 100',
      '1 0: 10 110',
      '0 1: 1 101',
      '1 1: 11 111',
      '0 2: 2 102',
      '1 2: 12 112',
    ]);
  });

  it('IMC100: an unreadable --input file', async () => {
    const r = await imcc(['infer', lenet, '--input', join(tmp(), 'missing.json')]);
    expect(r.status).toBe(1);
    expect(r.err).toContain('error IMC100');
    expect(r.out).toBe('');
  });

  it('IMC101, IMC250: not a JSON array of integers (positioned, with the source line)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.json'), '[1, 2,\n 3.5]');
    const r = await imcc(['infer', lenet, '--input', join(dir, 'a.json')]);
    expect(r.status).toBe(1);
    expect(r.err).toContain(`${join(dir, 'a.json')}:2:2: error IMC250: '3.5' is not an integer`);
    expect(r.err).toContain('^^^');
    writeFileSync(join(dir, 'b.json'), '{"x": 1}');
    const r2 = await imcc(['infer', lenet, '--input', join(dir, 'b.json')]);
    expect(r2.err).toContain(':1:1: error IMC101');
    writeFileSync(join(dir, 'c.json'), '[1 2]');
    expect((await imcc(['infer', lenet, '--input', join(dir, 'c.json')])).err).toContain(":1:4: error IMC101: expected ',' or ']'");
  });

  it('IMC102: the wrong number of values (JSON and raw int8)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.json'), JSON.stringify(new Array(lenetPixels - 1).fill(0)));
    const r = await imcc(['infer', lenet, '--input', join(dir, 'a.json')]);
    expect(r.status).toBe(1);
    expect(r.err).toContain(`error IMC102: the array has ${lenetPixels - 1} values, but the 1x28x28 input needs ${lenetPixels}`);
    writeFileSync(join(dir, 'a.bin'), new Uint8Array(10));
    const r2 = await imcc(['infer', lenet, '--input', join(dir, 'a.bin')]);
    expect(r2.status).toBe(1);
    expect(r2.err).toContain('error IMC102');
  });

  it('IMC103: values outside the input activation range (4-bit for lenet)', async () => {
    const dir = tmp();
    const values = new Array(lenetPixels).fill(0);
    values[3] = 8;
    values[5] = -9;
    writeFileSync(join(dir, 'a.json'), JSON.stringify(values));
    const r = await imcc(['infer', lenet, '--input', join(dir, 'a.json')]);
    expect(r.status).toBe(1);
    expect(r.err).toContain(':1:8: error IMC103: 8 is outside the 4-bit input range [-8, 7]');
    expect(r.err).toContain(':1:12: error IMC103: -9 is outside');
    const raw = new Int8Array(lenetPixels);
    raw[0] = 100;
    writeFileSync(join(dir, 'a.bin'), Uint8Array.from(raw));
    const r2 = await imcc(['infer', lenet, '--input', join(dir, 'a.bin')]);
    expect(r2.err).toContain('error IMC103: ');
  });

  it('IMC120: a weights file that is not a .npz archive, positioned at the weights line', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f.imc'), readFileSync(lenet, 'utf8').replace('weights seed 7', 'weights file "w.bin"'));
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(4));
    const r = await imcc(['infer', join(dir, 'f.imc'), '--json']);
    expect(r.status).toBe(1);
    expect(r.err).toContain('error IMC120: cannot read the weights file ');
    expect(r.err).toContain('weights file "w.bin"');
    expect(r.out).toBe('');
  });

  it('a bad --seed is a usage error', async () => {
    const r = await imcc(['infer', lenet, '--seed', '-3']);
    expect(r.status).toBe(2);
  });
});
