// Replay property: executing a core's schedule on a simulated memory yields exactly the input patches the
// convolution needs, for every layout, over random volumes, word lengths, kernels, strides, padding and replication,
// of the core and of its producer (the order in which pixels arrive).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockPixels, blockShape } from '../../src/mapping/block.js';
import { buildSchedule, emissionOrder, outputSize, type CoreMemoryParams } from '../../src/memory/schedule.js';
import { replicaOffsets } from '../../src/mapping/index.js';
import { emissionIndex } from '../../src/memory/schedule.js';
import { expectedPatch, replaySchedule, type PixelPlane } from '../../src/memory/replay.js';
import { storeAddress, makeLayout } from '../../src/memory/layout.js';
import { parseScheduleText, renderSchedule } from '../../src/memory/scheduleFile.js';
import { uniformPadding } from '../../src/ir/padding.js';

function plane(h: number, w: number, n: number, bits: number, seed: number): PixelPlane {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  return Array.from({ length: h }, () =>
    Array.from({ length: w }, () => Array.from({ length: n }, () => next() % 2 ** bits)),
  );
}

const params = fc
  .record({
    kernel: fc.integer({ min: 1, max: 4 }),
    kernelTall: fc.integer({ min: 0, max: 1 }),
    stride: fc.integer({ min: 1, max: 3 }),
    padFrac: fc.integer({ min: 0, max: 2 }),
    // Asymmetric padding (an imported model's pads): each side below the kernel along its axis.
    sides: fc.option(fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)), { nil: undefined }),
    extraH: fc.integer({ min: 0, max: 6 }),
    extraW: fc.integer({ min: 0, max: 6 }),
    channels: fc.integer({ min: 1, max: 9 }),
    bits: fc.integer({ min: 1, max: 8 }),
    wordBits: fc.integer({ min: 1, max: 70 }),
    layout: fc.constantFrom('IWAP' as const, 'KLIP' as const, 'PLIP' as const),
    replicas: fc.integer({ min: 1, max: 5 }),
    method: fc.constantFrom(1 as const, 2 as const),
    dW: fc.integer({ min: 1, max: 3 }),
    arrivals: fc.integer({ min: 1, max: 6 }),
    // The producer's block (a replicated producer sends its block's pixels together, in its own order).
    arrivalRows: fc.integer({ min: 1, max: 3 }),
    arrivalCols: fc.integer({ min: 1, max: 3 }),
    // Ragged blocks (replicas not a multiple of dW, on their skewed lattice), of the core and of its producer.
    ragged: fc.boolean(),
    arrivalRagged: fc.option(fc.constantFrom([3, 2], [5, 2], [7, 3], [5, 3]), { nil: undefined }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map((r) => {
    const kernelWidth = r.kernel;
    const kernelHeight = Math.min(4, r.kernel + r.kernelTall);
    // Padding up to "same" padding, (F - 1) / 2.
    const padding = Math.min(r.padFrac, Math.floor((Math.min(kernelWidth, kernelHeight) - 1) / 2));
    // Method 2 blocks are full rectangles (n a multiple of dW) or, when `ragged`, any count whose last column holds a
    // replica.
    const dW = r.method === 1 ? 1 : r.dW;
    const full = r.method === 1 ? r.replicas : dW * Math.ceil(r.replicas / dW);
    const raggedCount = dW >= 2 ? Math.max(dW + 1, full - 1) : full;
    const replicas = r.ragged && dW >= 2 && raggedCount % dW !== 0 && Math.ceil(raggedCount / dW) * (dW - 1) < raggedCount ? raggedCount : full;
    const arrivalBlock = r.arrivalRagged
      ? blockShape(replicaOffsets(r.arrivalRagged[0], r.arrivalRagged[1]))
      : { rows: r.arrivalRows, cols: r.arrivalCols };
    const p: CoreMemoryParams = {
      layer: 'conv',
      core: 'c00',
      height: kernelHeight + r.extraH,
      width: kernelWidth + r.extraW,
      channels: r.channels,
      bits: r.bits,
      kernelHeight,
      kernelWidth,
      stride: r.stride,
      padding: r.sides
        ? {
            top: Math.min(r.sides[0], kernelHeight - 1),
            left: Math.min(r.sides[1], kernelWidth - 1),
            bottom: Math.min(r.sides[2], kernelHeight - 1),
            right: Math.min(r.sides[3], kernelWidth - 1),
          }
        : uniformPadding(padding),
      replicas: replicaOffsets(replicas, dW),
      method: r.method,
      dW,
      wordBits: r.wordBits,
      depth: 1 << 20,
      layout: r.layout,
      arrivalsPerTimestep: blockPixels(arrivalBlock) > 1 ? blockPixels(arrivalBlock) : r.arrivals,
      arrivalBlock,
    };
    return { p, seed: r.seed };
  });

describe('schedule replay (Algorithm 2)', () => {
  it('replaying a schedule on a simulated memory gives every output pixel exactly its convolution patch', () => {
    let ragged = 0;
    let raggedArrivals = 0;
    fc.assert(
      fc.property(params, ({ p, seed }) => {
        if (p.replicas.length % p.dW !== 0) ragged++;
        if (p.arrivalBlock?.ragged) raggedArrivals++;
        const schedule = buildSchedule(p);
        const input = plane(p.height, p.width, p.channels, p.bits, seed);
        const patches = replaySchedule(schedule, p.replicas, input);
        const out = outputSize(p);
        expect(patches.length).toBe(out.height * out.width);
        const seen = new Set<string>();
        for (const q of patches) {
          const key = `${q.oy},${q.ox}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
          expect(q.patch).toEqual(expectedPatch(schedule, input, q.oy, q.ox));
        }
        // At most one computation per timestep, in order; writes in their arrival timestep.
        const computeTimes = schedule.ops.filter((o) => o.op === 'C').map((o) => o.t);
        computeTimes.forEach((t, i) => i > 0 && expect(t).toBeGreaterThan(computeTimes[i - 1]));
        // The text form parses back line for line.
        const text = parseScheduleText(renderSchedule(schedule), 'property');
        expect(text.opLines.length).toBe(schedule.ops.length);
        expect(text.timesteps).toEqual(schedule.ops.map((o) => o.t));
        // Every pixel is written exactly once, at the address the layout gives.
        const layout = makeLayout(p.layout, {
          height: p.height,
          columns: schedule.header.columns,
          channels: p.channels,
          bits: p.bits,
          wordBits: p.wordBits,
        });
        const writes = schedule.ops.filter((o) => o.op === 'W');
        expect(writes.length).toBe(p.height * p.width);
        writes.forEach((w, i) => expect(w.t).toBe(Math.floor(i / p.arrivalsPerTimestep)));
        // ... in the producer's order: its blocks in column order, each block y fastest.
        expect(writes.map((w) => [w.y, w.x])).toEqual(emissionOrder(p.height, p.width, p.arrivalBlock).map((q) => [q.y, q.x]));
        for (const w of writes) {
          const a = storeAddress(layout, w.y, w.x % schedule.header.columns);
          expect([w.word, w.bit, w.lastWord]).toEqual([a.word, a.bit, a.lastWord]);
        }
      }),
      { numRuns: 300, seed: 20210401 },
    );
    expect(ragged).toBeGreaterThan(20);
    expect(raggedArrivals).toBeGreaterThan(20);
  });

  it('Figure 8: a 3x3 kernel without padding first computes 2H + 2 timesteps after the first pixel (H = 5)', () => {
    const schedule = buildSchedule({
      layer: 'L', core: 'c00', height: 5, width: 5, channels: 4, bits: 8, kernelHeight: 3, kernelWidth: 3, stride: 1,
      padding: uniformPadding(0), replicas: [{ oy: 0, ox: 0 }], method: 1, dW: 1, wordBits: 16, depth: 1024, layout: 'PLIP',
      arrivalsPerTimestep: 1,
    });
    const first = schedule.ops.find((o) => o.op === 'C');
    // Pixel (2,2) is the (2H + 3)-th pixel, arriving in timestep 2H + 2 counted from 0.
    expect(first?.t).toBe(2 * 5 + 2);
    // Paper's Figure 7D geometry: 2 words per pixel, Δpix = [0, 2, 4] words, Δkernel = 6 words.
    expect(schedule.header.deltaPixBits).toEqual([0, 32, 64]);
    expect(schedule.header.deltaKernelBits).toBe(96);
    expect(schedule.header.minOccupancy).toBe(5 * 2 + 3);
  });

  it('the memory keeps F columns as the paper does, and more only when several pixels per timestep fill short columns', () => {
    const base = {
      layer: 'L', core: 'c00', channels: 2, bits: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: uniformPadding(0),
      replicas: [{ oy: 0, ox: 0 }], method: 1 as const, dW: 1, wordBits: 16, depth: 1024, layout: 'KLIP' as const,
    };
    expect(buildSchedule({ ...base, height: 8, width: 8, arrivalsPerTimestep: 1 }).header.columns).toBe(3);
    // H = 3, 4 pixels per timestep: output (0,1) is ready in timestep 2 but, one computation per timestep, runs in
    // timestep 3, when pixel (0,5) has arrived while it still reads column 1: columns 1..5 must be kept.
    const p = { ...base, height: 3, width: 6, arrivalsPerTimestep: 4 };
    const s = buildSchedule(p);
    expect(s.ops.filter((o) => o.op === 'C').map((o) => o.t)).toEqual([2, 3, 4, 5]);
    expect(s.header.columns).toBe(5);
    const input = plane(3, 6, 2, 4, 7);
    for (const q of replaySchedule(s, p.replicas, input)) expect(q.patch).toEqual(expectedPatch(s, input, q.oy, q.ox));
  });
});

describe('arrival order of a replicated producer', () => {
  it('a 2x2-block producer (method 2, dW 2) sends blocks in column order, each block y fastest', () => {
    expect(emissionOrder(4, 4, { rows: 2, cols: 2 }).map((q) => `${q.y}${q.x}`).join(' ')).toBe(
      '00 10 01 11 20 30 21 31 02 12 03 13 22 32 23 33',
    );
    // A method-1 producer (a column of pixels) and an unreplicated one send plain column order.
    expect(emissionOrder(4, 2, { rows: 2, cols: 1 })).toEqual(emissionOrder(4, 2));
    // Edge blocks keep only the pixels inside the plane.
    expect(emissionOrder(3, 3, { rows: 2, cols: 2 }).map((q) => `${q.y}${q.x}`).join(' ')).toBe('00 10 01 11 20 21 02 12 22');
  });

  it('a ragged producer (3 replicas, dW 2) sends its blocks in lattice order, each block in replica order', () => {
    // Blocks at (2,-1), (0,0), (1,1) on a 3x2 plane (mapping/block.ts): the first sends only its last replica's (2,0).
    const block = blockShape(replicaOffsets(3, 2));
    expect(block).toMatchObject({ rows: 2, cols: 2 });
    expect(blockPixels(block)).toBe(3);
    expect(emissionOrder(3, 2, block).map((q) => `${q.y}${q.x}`).join(' ')).toBe('20 00 10 01 11 21');
    // emissionIndex agrees with the order.
    expect(emissionOrder(3, 2, block).map((q) => emissionIndex(3, 2, block, q.y, q.x))).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
