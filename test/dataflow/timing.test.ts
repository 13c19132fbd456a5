// The timing model on networks small enough to time by hand (docs/dataflow.md "Dataflow timing model"): arrival, in-order
// computation with `replicas` pixels per timestep, one timestep per hop, row parts computing together, pooling,
// the fully connected layer waiting for all inputs, batches, and a property test of the model's invariants.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { busyTimesteps, peakOccupancy, simulateDataflow } from '../../src/dataflow/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { fixtureMapping, resnet32Design, SPEEDUP_STAGES, tinyDesign, type TinyOptions } from './fixtures.js';

function run(o: TinyOptions, batch = 1, granularity: 'pixel' | 'block' = 'pixel') {
  const design = tinyDesign(o);
  const mapping = fixtureMapping(design);
  return { design, mapping, result: simulateDataflow(design, mapping, { batch, activity: true, granularity }) };
}

const conv = (r: ReturnType<typeof run>['result']) => Array.from(r.outputs!.find((o) => o.layer === 'c')!.timesteps);

describe('one 3x3 convolution (padding 1) on a 4x4 input, pixels arriving one per timestep, y fastest', () => {
  it('computes each output pixel when its last input (down-right of the patch) is present, in order, one per timestep', () => {
    const { result } = run({});
    // Output (y, x) needs input (min(y+1,3), min(x+1,3)), index x*4+y; two pixels that become ready together
    // (the bottom row) go one timestep apart, and the last column waits behind (3,2), which needs the last pixel.
    expect(conv(result)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    // The fc core gets the last pixel one timestep later and computes: latency = 21 + 1 timesteps.
    expect(result.layers.map((l) => [l.name, l.firstTimestep, l.lastTimestep])).toEqual([
      ['c', 5, 20],
      ['fc', 21, 21],
    ]);
    expect(result.latencyTimesteps).toBe(22);
  });

  it('with 2 replicas the input enters 2 pixels per timestep and at most 2 pixels are computed per timestep, in order', () => {
    const { result } = run({ replicas: 2 });
    expect(result.inputPixelsPerTimestep).toBe(2);
    expect(conv(result)).toEqual([2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10]);
    const core = result.activity!.find((a) => a.layer === 'c')!;
    expect(Math.max(...core.pixels)).toBe(2);
    expect(result.latencyTimesteps).toBe(12);
  });

  it("'block' granularity computes a whole replica block in one timestep, when all its pixels' inputs are present", () => {
    const { result } = run({ replicas: 2 }, 1, 'block');
    // Blocks are (0..1, x) and (2..3, x): ready with the second pixel of each pair.
    expect(conv(result)).toEqual([3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]);
  });

  it('a fused 2x2 max pool emits a pixel when the last pixel of its window is computed', () => {
    const { result } = run({ pool: true });
    const pooled = result.outputs!.find((o) => o.layer === 'c')!.timesteps;
    // Windows end at conv outputs (1,1), (3,1), (1,3), (3,3): timesteps 10, 12, 18, 20.
    expect(Array.from(pooled)).toEqual([10, 12, 18, 20]);
  });

  it('a stride-2 first layer takes its input at replicas x stride^2 = 4 pixels per timestep', () => {
    const { result } = run({ height: 8, stride: 2 });
    expect(result.inputPixelsPerTimestep).toBe(4);
    // Output (y, x) needs input (2y+1, 2x+1), index (2x+1)*8 + 2y+1, present at floor(index / 4): pairs of outputs
    // become ready together (2,2, 3,3 | 6,6, 7,7 | ...) and go out one per timestep, in order.
    expect(conv(result)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  });
});

describe('partial sums', () => {
  it('a layer split in two takes no extra timestep: the partial sums are added in the timestep they are computed, as in the RTL', () => {
    // 1x1 kernel over 4 channels on tiles of 2 rows: both halves need the same pixel, so both compute at once.
    const split = run({ kernel: 1, padding: 0, inChannels: 4, tileRows: 2 });
    const whole = run({ kernel: 1, padding: 0, inChannels: 4, tileRows: 256 });
    const roles = split.mapping.cores.filter((c) => c.layer === 'c').map((c) => c.role);
    expect(roles).toEqual(['partial', 'accumulate']);
    expect(conv(whole.result)).toEqual(Array.from({ length: 16 }, (_, j) => j));
    expect(conv(split.result)).toEqual(Array.from({ length: 16 }, (_, j) => j));
  });

  it('the row parts of a split layer compute each pixel together, in the timestep all their inputs are present (ResNet-32 layers 23-31)', () => {
    const design = resnet32Design();
    const mapping = fixtureMapping(design);
    const result = simulateDataflow(design, mapping, { batch: 1, activity: true });
    const layer = mapping.layers.find((l) => l.rowParts === 2)!;
    const [partial, accumulate] = layer.cores.map((id) => result.activity!.find((a) => a.core === id)!);
    // Rows are ordered (dx, dy, channel): the first half of 504 rows ends inside kernel column 1 and could compute
    // earlier, but its partial sums are added in the accumulating core's timestep (as in the RTL), so it computes then.
    expect(partial.starts).toEqual(accumulate.starts);
    const out = result.outputs!.find((o) => o.layer === layer.layer)!.timesteps;
    expect(out[0]).toBe(accumulate.starts[0]);
  });

  it('a row part whose rows read only padding for the first pixel does not report timestep 0 (issue 19)', () => {
    // 3x3 over 2 channels on 6-row tiles: part 0 holds kernel column 0, which reads only the left padding for the
    // first output column. It computes with its siblings, when output (0, 0)'s last input (1, 1) is present.
    for (const granularity of ['pixel', 'block'] as const) {
      const split = run({ inChannels: 2, tileRows: 6 }, 1, granularity);
      const whole = run({ inChannels: 2, tileRows: 256 }, 1, granularity);
      const cores = split.mapping.layers.find((l) => l.layer === 'c')!.cores;
      expect(cores).toHaveLength(3);
      const first = split.result.layers.find((l) => l.name === 'c')!.firstTimestep;
      expect(first).toBe(whole.result.layers.find((l) => l.name === 'c')!.firstTimestep);
      expect(first).toBe(5);
      for (const id of cores) expect(split.result.activity!.find((a) => a.core === id)!.starts[0]).toBe(5);
      expect(conv(split.result)).toEqual(conv(whole.result));
    }
  });
});

describe('the fully connected layer', () => {
  it('waits for all its inputs; split by rows, the parts compute together when the pixels of every part are present', () => {
    // fc over 4x4x2 = 32 rows on 16-row tiles: part 0 reads columns x = 0..1 of the conv output, part 1 x = 2..3.
    const { result, mapping } = run({ tileRows: 16 });
    const fcCores = mapping.layers.find((l) => l.layer === 'fc')!.cores;
    const [partial, accumulate] = fcCores.map((id) => result.activity!.find((a) => a.core === id)!);
    expect(mapping.cores.find((c) => c.id === fcCores[0])!.role).toBe('partial');
    // Conv output (3, 1) is computed at 12 and present at 13, but part 1's last pixel (3, 3) only at 21 (computed at
    // 20): part 0's partial sums are added then, so it computes then too.
    expect(busyTimesteps(partial)).toEqual([21]);
    expect(busyTimesteps(accumulate)).toEqual([21]);
    expect(result.latencyTimesteps).toBe(22);
  });
});

describe('input memories', () => {
  it('a 3x3 layer at full rate holds 2H + 2 input pixels, within the H x F its memory stores (section 2.4.2)', () => {
    const { result } = run({ height: 8, second: 1 });
    const c2 = result.layers.find((l) => l.name === 'c2')!;
    expect(c2.inputMemoryPixels).toBe(8 * 3);
    expect(c2.inputBufferPixels).toBeLessThanOrEqual(2 * 8 + 2);
    expect(result.diagnostics.filter((d) => d.code === 'IMC092')).toEqual([]);
  });

  it('IMC092: a layer fed faster than it computes must hold more than its memory stores: a warning at its directive', () => {
    // c computes 2 pixels per timestep, c2 only 1: c2 falls behind by half its input.
    const { result, design } = run({ height: 8, replicas: 2, second: 1 }, 2);
    const c2 = result.layers.find((l) => l.name === 'c2')!;
    expect(c2.inputBufferPixels).toBeGreaterThan(c2.inputMemoryPixels);
    const warnings = result.diagnostics.filter((d) => d.code === 'IMC092');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].severity).toBe('warning');
    expect(warnings[0].span).toEqual(design.network.nodes.find((n) => n.name === 'c2')!.mapping!.span);
    expect(warnings[0].message).toMatch(/layer 'c2' must hold up to \d+ input pixels at once, more than the 24/);
  });

  it("ringColumns: a layer that waits for its residual shortcut needs the columns that arrive meanwhile; its memory stores them", () => {
    // l2m (3x3/2 pad 1 on a 2x5 plane arriving in 2x2 blocks) computes its second pixel when its shortcut is in, a
    // timestep after its window (x = 1..3): l1's last block column (x = 4) is in by then, so a ring of 3 would lose x = 1.
    const loaded = loadDesign('test/verify/fixtures/late-shortcut-ring.imc');
    const design = loaded.design!;
    const mapping = mapDesign(design);
    for (const granularity of ['block', 'pixel'] as const) {
      const result = simulateDataflow(design, mapping, { batch: 1, granularity });
      const l2m = result.layers.find((l) => l.name === 'l2m.conv')!;
      expect(l2m.ringColumns).toEqual([4]);
      expect(l2m.inputMemoryPixels).toBe(2 * 4);
      // Without a wait, no more than its own timing keeps (l2s, a 1x1 kernel at stride 2: 2 columns, as x = 2 and its
      // overwriter x = 3 can arrive in one block).
      expect(result.layers.find((l) => l.name === 'l2s')!.ringColumns[0]).toBeLessThanOrEqual(2);
      expect(result.diagnostics.filter((d) => d.code === 'IMC092')).toEqual([]);
    }
    // The late shortcut of test/verify/addAfterPool.test.ts with c2 unreplicated (a 3x3 layer on a 4x4 plane whose
    // shortcut needs all of its input): c2 waits with the whole plane in, so its ring keeps all 4 columns; IMC092,
    // which compared the 16 pixels held with 4 x 3, warned before.
    const late = readFileSync('test/verify/fixtures/add-after-pool.imc', 'utf8')
      .replace('  s2 = shortcut(p1, out 4, stride 2)                          // 4x2x2\n', '  s2 = conv(p1, out 4, kernel 3x3, stride 2, pad 1)\n  t2 = conv(relu(s2), out 4, kernel 3x3, pad 1)\n')
      .replace('add(maxpool(relu(batchnorm(c2)), size 2), s2)', 'add(relu(maxpool(batchnorm(c2), size 2)), t2)');
    const lateDesign = loadDesign('main.imc', (file) => (file === 'main.imc' ? late : readFileSync(file, 'utf8'))).design!;
    const result = simulateDataflow(lateDesign, mapDesign(lateDesign), { batch: 100 });
    const c2 = result.layers.find((l) => l.name === 'c2')!;
    expect(c2.ringColumns).toEqual([4]);
    expect(c2.inputBufferPixels).toBe(16);
    expect(c2.inputMemoryPixels).toBe(16);
    expect(result.diagnostics.filter((d) => d.code === 'IMC092')).toEqual([]);
  });
});

describe('a queue of pooled pixels across images', () => {
  it("sends the next image's pooled pixels after the previous image's last: the interval is at least the queue's pixels", () => {
    // c2's 2x2/1 average pool padded by 1 (windows that end together) in 3 replicas queues its 4x4 pooled pixels and
    // sends one per timestep; the input (36 pixels, 3 a timestep) alone would allow an image every 12 timesteps, which
    // the model reported before it carried the queue's last send from one image to the next.
    const design = loadDesign('test/verify/fixtures/queued-replicated-pool.imc', (file) => readFileSync(file, 'utf8')).design!;
    const result = simulateDataflow(design, mapDesign(design), { batch: 8 });
    expect(result.intervalTimesteps).toBe(16);
    for (let i = 1; i < 8; i++) expect(result.imageOutputs[i] - result.imageOutputs[i - 1]).toBeGreaterThanOrEqual(16);
    expect(result.batchTimesteps).toBe(result.latencyTimesteps + 7 * 16);
  });
});

describe('residual adds', () => {
  it('peakOccupancy counts items held at the end of a timestep (arrived, not yet used)', () => {
    expect(peakOccupancy([0, 1, 2], [0, 1, 2])).toBe(0);
    expect(peakOccupancy([0, 1, 2], [3, 3, 3])).toBe(3);
    expect(peakOccupancy([0, 0, 5], [4, 6, 6])).toBe(2);
  });

  it('stage-1 shortcut pixels wait 2 x (H + 2) - 1 timesteps for the two convolutions of the main path: 67 pixels', () => {
    const design = resnet32Design();
    const result = simulateDataflow(design, fixtureMapping(design), { batch: 2 });
    const stage1 = result.residualBuffers.filter((b) => b.layer.startsWith('s1'));
    expect(stage1).toHaveLength(5);
    for (const b of stage1) {
      expect(b.pixels).toBe(2 * (32 + 2) - 1);
      expect(b.bits).toBe(b.pixels * 8 * 16);
    }
    // Every add in ResNet-32 has a buffer; the 1x1 resampling shortcuts arrive sooner than identity ones.
    expect(result.residualBuffers).toHaveLength(15);
    // Every shortcut arrives before its main path's pixel is computed: no add waits for it.
    expect(result.residualBuffers.map((b) => b.lateShortcutPixels)).toEqual(new Array(15).fill(0));
  });
});

describe('batches', () => {
  it('intervalTimesteps is the steady-state interval of a downstream bottleneck, as the batch figures imply (issue 19)', () => {
    // c with 4 replicas takes 16x16 input pixels 4 per timestep; c2 (1 replica) computes 256 pixels, one per
    // timestep: the first core could take an image every 66 timesteps, but outputs leave every 256.
    const design = tinyDesign({ height: 16, replicas: 4, second: 1 });
    const mapping = fixtureMapping(design);
    const one = simulateDataflow(design, mapping, { batch: 1 });
    const four = simulateDataflow(design, mapping, { batch: 4 });
    expect(four.imageStarts).toEqual([0, 66, 132, 198]);
    expect(four.imageOutputs).toEqual([265, 521, 777, 1033]);
    expect(one.intervalTimesteps).toBe(256);
    expect(four.intervalTimesteps).toBe(256);
    expect(four.batchTimesteps).toBe(one.latencyTimesteps + 3 * one.intervalTimesteps);
    expect(four.throughputImagesPerSecond).toBeCloseTo(4 / (four.batchTimesteps * 100e-9), 3);
  });

  it('the next image enters when the input link is free and the first core no longer needs the slots it overwrites', () => {
    const { result } = run({}, 3);
    // 16 pixels at 1 per timestep, but column 0 of the next image goes to ring slot 0, holding this image's column 3,
    // whose pixel (0, 3) is last read by output (1, 3) at timestep 18: the next image starts at 19.
    expect(result.imageStarts).toEqual([0, 19, 38]);
    expect(result.intervalTimesteps).toBe(19);
    expect(result.imageOutputs).toEqual([21, 40, 59]);
    expect(result.batchTimesteps).toBe(60);
    expect(result.throughputImagesPerSecond).toBeCloseTo(3 / (60 * 100e-9), 3);
  });

  it('images pass every core in order: throughput approaches 1 / interval', () => {
    const design = resnet32Design({ stages: SPEEDUP_STAGES });
    const mapping = fixtureMapping(design);
    const r = simulateDataflow(design, mapping, { batch: 20 });
    for (let i = 1; i < r.batch; i++) expect(r.imageOutputs[i] - r.imageOutputs[i - 1]).toBe(r.imageStarts[i] - r.imageStarts[i - 1]);
  });

  it('rejects a batch that is not a positive integer', () => {
    const design = tinyDesign();
    expect(() => simulateDataflow(design, fixtureMapping(design), { batch: 0 })).toThrow(RangeError);
  });
});

describe('invariants of the timing model (property test over random small convolutions)', () => {
  it('no pixel before its last input, at most `replicas` per timestep, in order, latency >= input time', () => {
    const arb = fc.record({
      height: fc.integer({ min: 4, max: 10 }),
      kernel: fc.constantFrom(1, 3),
      pad: fc.boolean(),
      stride: fc.constantFrom(1, 2),
      replicas: fc.constantFrom(1, 2),
      batch: fc.integer({ min: 1, max: 3 }),
    });
    let checked = 0;
    fc.assert(
      fc.property(arb, (p) => {
        const padding = p.pad ? (p.kernel - 1) / 2 : 0;
        let out;
        try {
          out = run({ height: p.height, kernel: p.kernel, padding, stride: p.stride, replicas: p.replicas }, p.batch);
        } catch (err) {
          if (err instanceof DiagnosticError) return; // a block shape the mapping rejects (IMC052/IMC056)
          throw err;
        }
        checked++;
        const { result, design } = out;
        const node = design.network.nodes.find((n) => n.name === 'c')!;
        const H = p.height;
        const rate = result.inputPixelsPerTimestep;
        const times = conv(result);
        const oh = node.shape.height;
        // The timestep in which the last input pixel any output needs arrives (a stride may skip the last ones).
        let lastNeeded = 0;
        times.forEach((t, i) => {
          const y = i % oh;
          const x = Math.floor(i / oh);
          const ly = Math.min(y * p.stride - padding + p.kernel - 1, H - 1);
          const lx = Math.min(x * p.stride - padding + p.kernel - 1, H - 1);
          lastNeeded = Math.max(lastNeeded, Math.floor((lx * H + ly) / rate));
          expect(t).toBeGreaterThanOrEqual(Math.floor((lx * H + ly) / rate));
          if (i > 0) expect(t).toBeGreaterThanOrEqual(times[i - 1]);
        });
        for (const a of result.activity!) expect(Math.max(...a.pixels)).toBeLessThanOrEqual(p.replicas);
        expect(result.latencyTimesteps).toBeGreaterThan(lastNeeded);
        expect(result.batchTimesteps).toBeGreaterThanOrEqual(result.latencyTimesteps + (p.batch - 1) * Math.ceil((H * H) / rate));
      }),
      { numRuns: 60, seed: 6 },
    );
    expect(checked).toBeGreaterThan(20);
  });
});
