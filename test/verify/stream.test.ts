// Images back to back (imcc verify --stream): one simulation takes three images with no reset between them, a core
// taking the next image's pixels while later cores still finish the previous one, and every image is compared with
// its own reference (activations, ADC outputs, network outputs; addresses against the schedules with image k's ring
// columns k x width on). The fault checks leave per-image state uncleared at the image's end (the neuron core's column
// counter; a shortcut table's image offset): three images each from a reset pass, the stream fails on its second.
import { describe, expect, it } from 'vitest';
import { prepare, verifyEdited, writeFiles, TEST_CACHE, coreModuleFile } from '../emit/rtl/helpers.js';
import { verifyDesign, verifyRtlDirectory } from '../../src/verify/index.js';
import { splitStream } from '../../src/verify/stream.js';
import { parseTrace } from '../../src/verify/trace.js';
import { ToolError } from '../../src/diagnostics/index.js';

describe('splitStream: events attributed to images by order', () => {
  it("each core's writes, reads and ADC outputs by the image's counts, activations by their position's emissions, outputs renumbered", () => {
    const trace = parseTrace(
      [
        'M 0 0 W 1', 'M 0 0 R 1', 'M 1 0 W 2', 'M 1 0 R 2', 'M 2 0 W 3', 'M 3 0 R 3',
        'X 0 0 0 5', 'X 1 0 0 6', 'X 3 0 0 7',
        'A 0 0 0 0 0 9', 'A 1 0 0 0 0 8', 'A 1 0 0 5 0 4', 'A 2 0 0 0 0 7',
        'O 0 0 1', 'O 1 0 2', 'O 2 0 3',
        'E 100 4 1',
      ].join('\n'),
    );
    const counts = { writes: new Map([[0, [1, 1, 1]]]), reads: new Map([[0, [1, 1, 1]]]), adc: new Map([[0, 1]]), outputPixels: 1, layerOf: new Map([[0, 'c1']]), planes: new Map([['c1', { channels: 1, height: 1, width: 1 }]]) };
    const images = splitStream(trace, 3, counts);
    expect(images.map((t) => t.memory.get(0)!.map((e) => `${e.write ? 'W' : 'R'}${e.word}`).join(' '))).toEqual(['W1 R1', 'W2 R2', 'W3 R3']);
    expect(images.map((t) => t.adc.get(0)!.map((e) => e.value))).toEqual([[5], [6], [7]]);
    // The activation outside the plane belongs to the image of its core's last crossbar operation by then.
    expect(images.map((t) => t.activations.map((a) => a.value))).toEqual([[9], [8, 4], [7]]);
    expect(images.map((t) => t.outputs.map((o) => `${o.pixel}:${o.value}`))).toEqual([['0:1'], ['0:2'], ['0:3']]);
    expect(images.map((t) => t.done)).toEqual([true, true, true]);
  });

  it('events past the last image stay in it (they show as extra); a stream that stalls ends in the first image short of accesses', () => {
    const trace = parseTrace(['M 0 0 W 1', 'M 1 0 W 2', 'M 2 0 W 3', 'O 0 0 1', 'O 1 0 2', 'E 100 3 0'].join('\n'));
    const counts = { writes: new Map([[0, [1, 1]]]), reads: new Map([[0, [0, 0]]]), adc: new Map(), outputPixels: 1, layerOf: new Map([[0, 'c1']]), planes: new Map([['c1', { channels: 1, height: 1, width: 1 }]]) };
    const images = splitStream(trace, 2, counts);
    expect(images[1].memory.get(0)!.map((e) => e.word)).toEqual([2, 3]);
    expect(images[1].outputs).toEqual([{ pixel: 0, channel: 0, value: 2 }]);
    expect(images.map((t) => t.done)).toEqual([true, false]);
  });
});

describe('verify --stream: three images back to back, bit-exact per image', () => {
  // A residual add (and a global average pool into the output layer); replicated layers with residual adds in
  // replicated cores; pools in replicated layers; pools whose windows end together, their pixels in a queue; a
  // residual add after a pool, read through a shortcut table.
  const fixtures = ['residual', 'replicated', 'replicated-pool', 'queue-pool', 'add-after-pool'];
  for (const name of fixtures) {
    it(`${name}: every image's activations, ADC outputs, outputs and addresses match, activations non-zero`, async () => {
      const p = prepare(`test/verify/fixtures/${name}.imc`);
      const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 3, stream: true });
      expect(result.firstMismatch).toBeNull();
      expect(result.pass).toBe(true);
      expect(result.stream).toBe(true);
      expect(result.images.map((r) => [r.seed, r.mismatches, r.cycles])).toEqual([[1, 0, null], [2, 0, null], [3, 0, null]]);
      // Each image is compared whole: later images lack only the first image's timing comparisons.
      expect(result.images[1].comparisons).toBeGreaterThan(result.images[0].comparisons / 2);
      expect(result.coverage.reduce((n, c) => n + c.nonZero, 0)).toBeGreaterThan(0);
    }, 600_000);
  }

  it("fault: the neuron core's column counter not started again after the plane's last block passes three images from a reset and fails the stream's second", async () => {
    const p = prepare('test/verify/fixtures/tiny.imc');
    const neuron = coreModuleFile(p.files, 'tiny_c00', 'neuron').path.replace(/^rtl\//, '');
    const noWrap = (text: string): string => text.replace('cx_d = (cx_q + STEP_W >= PLANE_W) ? ZERO : cx_q + STEP_W;', 'cx_d = cx_q + STEP_W;');
    const fromReset = await verifyEdited(p, neuron, noWrap, { images: 3 });
    expect(fromReset.pass).toBe(true);
    const streamed = await verifyEdited(p, neuron, noWrap, { images: 3, stream: true });
    expect(streamed.pass).toBe(false);
    expect(streamed.images.map((r) => r.mismatches > 0)).toEqual([false, true, true]);
    expect(streamed.firstMismatch!.what).toMatch(/^image 1 of the stream \(seed 2\): activation/);
  }, 600_000);

  it("fault: a shortcut table read from the first image's arrivals in every image (add-after-pool) passes three images from a reset and fails the stream's second", async () => {
    const p = prepare('test/verify/fixtures/add-after-pool.imc');
    const neuron = coreModuleFile(p.files, 'add_after_pool_c01', 'neuron').path.replace(/^rtl\//, '');
    const firstImageSlots = (text: string): string => text.replace('res_base_d = res_rd_next;', 'res_base_d = res_base_q;');
    const fromReset = await verifyEdited(p, neuron, firstImageSlots, { images: 3 });
    expect(fromReset.pass).toBe(true);
    const streamed = await verifyEdited(p, neuron, firstImageSlots, { images: 3, stream: true });
    expect(streamed.images.map((r) => r.mismatches > 0)).toEqual([false, true, true]);
    expect(streamed.firstMismatch).toMatchObject({ kind: 'activation', core: 'c01', layer: 'c2' });
  }, 600_000);

  it('integrate-and-fire designs clear their cores between timesteps: --stream is IMC286', async () => {
    const p = prepare('test/verify/fixtures/spiking.imc');
    const err = await verifyDesign(p.program, { cacheDir: TEST_CACHE, images: 2, stream: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe('IMC286');
  }, 600_000);
});
