// imcc evaluate --analog / --sweep (issue 17 item 3): top-1 of the digits network with every crossbar product
// through the analog tile model. On a subset of the test images, so the file stays a few seconds.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateDesign } from '../../../src/import/evaluate.js';
import { parseSweep, sweepCsv } from '../../../src/reference/analog/accuracy.js';
import { roundJsonNumbers } from '../../../src/support/json.js';
import { validateJson } from '../../../src/support/schema.js';
import { formatNpy, parseNpy } from '../../../src/support/npy.js';
import { runCli } from '../../support/cli.js';
import { withDist } from '../../support/dist.js';

const IMAGES = 60;
let dir: string;
let data: string;
let labels: string;

/** The digits design on a copy of its target with `devices` and a device block (none: the ideal devices). */
function digitsWith(name: string, devices: 'differential' | 'single', deviceBlock?: string): string {
  const target = readFileSync('examples/targets/digits-tile.imc', 'utf8')
    .replace('devices differential', `devices ${devices}`)
    .replace('dac 8 bits', deviceBlock ? `dac 8 bits\n    device { ${deviceBlock} }` : 'dac 8 bits');
  const sub = join(dir, name);
  mkdirSync(join(sub, 'targets'), { recursive: true });
  writeFileSync(join(sub, 'targets', 'digits-tile.imc'), target);
  copyFileSync('examples/digits.npz', join(sub, 'digits.npz'));
  copyFileSync('examples/digits.imc', join(sub, 'digits.imc'));
  return join(sub, 'digits.imc');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'imcc-evaluate-analog-'));
  const x = parseNpy(readFileSync('models/digits/test_x.npy'));
  const y = parseNpy(readFileSync('models/digits/test_y.npy'));
  const size = x.data.length / x.shape[0];
  data = join(dir, 'x.npy');
  labels = join(dir, 'y.npy');
  writeFileSync(data, formatNpy({ ...x, shape: [IMAGES, ...x.shape.slice(1)], data: x.data.subarray(0, IMAGES * size) }));
  writeFileSync(labels, formatNpy({ ...y, shape: [IMAGES], data: y.data.subarray(0, IMAGES) }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('top-1 under the analog model', () => {
  it('with ideal devices equals the integer top-1 exactly, in both encodings', async () => {
    for (const devices of ['differential', 'single'] as const) {
      const result = await evaluateDesign(digitsWith(`ideal-${devices}`, devices), data, labels, undefined, undefined, { samples: 2, seed: 3 });
      expect(result.analog!.device.ideal).toBe(true);
      expect(result.analog!.device.encoding).toBe(devices === 'single' ? 'offset' : 'differential');
      expect(result.analog!.top1.perSample).toEqual([result.top1, result.top1]);
      expect(result.analog!.top1).toMatchObject({ mean: result.top1, std: 0, min: result.top1, max: result.top1 });
      validateJson('evaluate', result);
    }
  });

  it('a read-noise sweep loses accuracy at the high end (the direction of Whetstone Figure 2)', async () => {
    const result = await evaluateDesign('examples/digits.imc', data, labels, undefined, undefined, {
      samples: 1,
      seed: 1,
      sweep: parseSweep('noise=0:0.2:0.1'),
    });
    validateJson('evaluate', result);
    const points = result.sweep!.points;
    expect(points.map((p) => p.value)).toEqual([0, 0.1, 0.2]);
    expect(points[0].top1Mean).toBe(Number(result.top1.toPrecision(6)));
    expect(points[2].top1Mean).toBeLessThan(points[0].top1Mean - 0.3);
    expect(points[2].top1Mean).toBeLessThanOrEqual(points[1].top1Mean);
    const csv = sweepCsv('noise', points).trimEnd().split('\n');
    expect(csv[0]).toBe('noise,top1Mean,top1Std,top1Min,top1Max,samples');
    expect(csv[3]).toBe(`0.2,${points[2].top1Mean},0,${points[2].top1Min},${points[2].top1Max},1`);
  });

  it('a differential pair (2R) keeps more accuracy than one device (1R) at the same read noise (Whetstone Table I)', async () => {
    // Measured on these 60 images (integer top-1 1.0), 2 samples, seed 1, 10 % read noise (of gMax): 2R 0.875, 1R 0.525.
    const run = (devices: 'differential' | 'single') =>
      evaluateDesign(digitsWith(`noisy-${devices}`, devices, 'read_noise 10% independent'), data, labels, undefined, undefined, { samples: 2, seed: 1 });
    const [pair, single] = [await run('differential'), await run('single')];
    expect(pair.analog!.device.readNoise).toEqual({ sigma: 0.1, model: 'independent' });
    expect(pair.analog!.top1.mean).toBeGreaterThan(single.analog!.top1.mean + 0.15);
    expect(pair.analog!.top1.mean).toBeLessThan(pair.top1);
  });

  it('is deterministic for a seed and draws other chips for another seed', async () => {
    const design = digitsWith('variation', 'differential', 'programming_error 8% independent');
    const options = { samples: 3, seed: 7 };
    const a = await evaluateDesign(design, data, labels, undefined, undefined, options);
    const b = await evaluateDesign(design, data, labels, undefined, undefined, options);
    const c = await evaluateDesign(design, data, labels, undefined, undefined, { ...options, seed: 8 });
    expect(b.analog).toEqual(a.analog);
    expect(c.analog!.top1.perSample).not.toEqual(a.analog!.top1.perSample);
    // Each sample is its own programming draw: the samples of one run are not all equal.
    expect(new Set(a.analog!.top1.perSample).size).toBeGreaterThan(1);
  });
});

describe('sweep specs', () => {
  it('lists the points from start to stop inclusive, without binary rounding drift', () => {
    expect(parseSweep('noise=0:0.2:0.02').values).toEqual([0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2]);
    expect(parseSweep('variation=0.05:0.05:0')).toEqual({ parameter: 'variation', values: [0.05] });
  });

  const cases: Array<[string, string, string]> = [
    ['noise', 'IMC150', "--sweep:1:1: error IMC150: expected NAME=START:STOP:STEP (for example noise=0:0.2:0.02), found 'noise'"],
    ['noise=0:0.2', 'IMC150', "--sweep:1:7: error IMC150: expected START:STOP:STEP after 'noise=', found '0:0.2'"],
    ['gain=0:1:0.1', 'IMC151', "--sweep:1:1: error IMC151: unknown sweep parameter 'gain'; expected noise or variation"],
    ['noise=0:abc:0.1', 'IMC152', "--sweep:1:9: error IMC152: the sweep stop 'abc' is not a number"],
    ['noise=-1:0:0.1', 'IMC225', '--sweep:1:7: error IMC225: the sweep start -1 is outside 0 to 10'],
    ['noise=0.2:0:0.02', 'IMC153', '--sweep:1:7: error IMC153: the sweep stops (0) before it starts (0.2)'],
    ['noise=0:0.2:0', 'IMC226', '--sweep:1:13: error IMC226: the sweep step is 0'],
    ['noise=0:10:0.001', 'IMC227', '--sweep:1:12: error IMC227: the sweep has 10001 points; at most 1000'],
  ];
  for (const [spec, code, message] of cases) {
    it(`${code}: --sweep ${spec} is positioned in the spec`, async () => {
      const run = await runCli(['evaluate', 'examples/digits.imc', '--data', data, '--labels', labels, '--sweep', spec]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain(`\n  ${spec}\n`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('IMC155: analog options without --analog or --sweep, and IMC228: --csv without --sweep', async () => {
    const base = ['evaluate', 'examples/digits.imc', '--data', data, '--labels', labels];
    const samples = await runCli([...base, '--samples', '3']);
    expect(samples.code).toBe(1);
    expect(samples.stderr).toBe('imcc: error IMC155: --samples applies to the analog model: add --analog or --sweep\n');
    const csv = await runCli([...base, '--analog', '--csv', join(dir, 'out.csv')]);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toBe('imcc: error IMC228: --csv writes the rows of a sweep: add --sweep NAME=START:STOP:STEP\n');
  });
});

describe('imcc evaluate --analog output', () => {
  it('prints the integer top-1, the device and the analog spread', async () => {
    const run = await runCli(['evaluate', 'examples/digits.imc', '--data', data, '--labels', labels, '--analog', '--samples', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      [
        `images: ${IMAGES}`,
        'integer top-1: 100.00%',
        'device: ideal devices (the target has no device block)',
        'analog top-1 (1 programming sample, seed 1): mean 100.00%, std 0.00%, min 100.00%, max 100.00%',
        '',
      ].join('\n'),
    );
  });
});

describe('imcc evaluate --sweep output', () => {
  it('prints the CSV on stdout, or writes it to --csv FILE with the JSON on stdout; IMC154 when FILE cannot be written', async () => {
    const base = ['evaluate', 'examples/digits.imc', '--data', data, '--labels', labels, '--sweep', 'noise=0:0.3:0.3', '--samples', '1'];
    const stdout = await runCli(base);
    expect(stdout.code).toBe(0);
    const file = join(dir, 'sweep.csv');
    const json = await runCli([...base, '--csv', file, '--json']);
    expect(json.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(stdout.stdout);
    const parsed = JSON.parse(json.stdout) as { sweep: { points: Array<{ value: number }> } };
    expect(parsed.sweep.points.map((p) => p.value)).toEqual([0, 0.3]);
    expect(stdout.stdout.split('\n')[0]).toBe('noise,top1Mean,top1Std,top1Min,top1Max,samples');
    const bad = await runCli([...base, '--csv', join(dir, 'missing', 'sweep.csv')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^imcc: error IMC154: cannot write the CSV file '.*sweep\.csv' \(/);
  });
});

describe('imcc evaluate --analog in worker threads (the compiled CLI)', () => {
  it('gives the in-process result: the draws depend on the sample and image, not on the thread', async () => {
    const args = ['--data', data, '--labels', labels, '--sweep', 'noise=0.1:0.1:0', '--samples', '2', '--seed', '5', '--json'];
    const r = await withDist(() => spawnSync(process.execPath, ['bin/imcc.js', 'evaluate', 'examples/digits.imc', ...args], { encoding: 'utf8' }));
    expect(r.status, r.stderr).toBe(0);
    const inProcess = await evaluateDesign('examples/digits.imc', data, labels, undefined, undefined, { samples: 2, seed: 5, sweep: parseSweep('noise=0.1:0.1:0') });
    expect(JSON.parse(r.stdout)).toEqual(roundJsonNumbers(inProcess));
  });
});
