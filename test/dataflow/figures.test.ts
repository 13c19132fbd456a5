// The paper's dataflow figures (Dazzi et al. 2021, sections 3.1.3 and 3.1.4, Figure 10, equation 7) on the real
// examples: examples/resnet32.imc and examples/resnet32-speedup.imc, loaded, mapped and simulated.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { simulateDataflow, type DataflowResult } from '../../src/dataflow/index.js';
import type { IrDesign } from '../../src/ir/types.js';
import type { Mapping } from '../../src/mapping/types.js';

function load(file: string): { design: IrDesign; mapping: Mapping } {
  const { design, diagnostics } = loadDesign(file);
  if (design === null) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return { design, mapping: mapDesign(design) };
}

function within(actual: number, expected: number, fraction: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(fraction);
}

let plain: DataflowResult;
let plainBatch: DataflowResult;
let speedup: DataflowResult;
let speedupBatch: DataflowResult;

beforeAll(() => {
  const a = load('examples/resnet32.imc');
  plain = simulateDataflow(a.design, a.mapping, { batch: 1, activity: true });
  plainBatch = simulateDataflow(a.design, a.mapping, { batch: 100 });
  const b = load('examples/resnet32-speedup.imc');
  speedup = simulateDataflow(b.design, b.mapping, { batch: 1, activity: true });
  speedupBatch = simulateDataflow(b.design, b.mapping, { batch: 100 });
});

describe('section 3.1.3 (Figure 10A): ResNet-32 without replication', () => {
  it('latency of one image is 1,628 timesteps within 2 %', () => {
    within(plain.latencyTimesteps, 1628, 0.02);
  });
  it('throughput is 9,650 images/s within 3 % at the 100 ns timestep (batch of 100)', () => {
    expect(plainBatch.timestepNs).toBe(100);
    within(plainBatch.throughputImagesPerSecond, 9650, 0.03);
  });
  it('the initiation interval is set by the input: 1,024 pixels at 1 per timestep (plus the first core\'s memory)', () => {
    expect(plain.inputPixelsPerTimestep).toBe(1);
    expect(plain.intervalTimesteps).toBeGreaterThanOrEqual(1024);
    expect(plain.intervalTimesteps).toBeLessThanOrEqual(1024 + 8);
    // Batch time: the first image's latency plus one interval per further image.
    expect(plainBatch.batchTimesteps).toBe(plain.latencyTimesteps + 99 * plainBatch.intervalTimesteps);
  });
  it('Figure 10A: stride-2 layer 12 computes on average one pixel every 4 timesteps while layer 11 runs', () => {
    const layer12 = plain.layers[11];
    const layer11 = plain.layers[10];
    expect(layer12.outputPixels).toBe(256);
    // Its 256 pixels are spread over layer 11's 1,024 timesteps: slope 1/4.
    const slope = layer12.outputPixels / (layer12.lastTimestep - layer12.firstTimestep + 1);
    expect(slope).toBeGreaterThan(0.24);
    expect(slope).toBeLessThan(0.27);
    expect(layer12.lastTimestep).toBeGreaterThanOrEqual(layer11.lastTimestep);
  });
  it('Figure 10A: unstrided layers compute one pixel per timestep (slope 1) in stage 1', () => {
    for (const l of plain.layers.slice(0, 11)) {
      expect(l.busyTimesteps).toBe(1024);
      expect(l.lastTimestep - l.firstTimestep + 1).toBe(1024);
    }
  });
  it('the final fully connected layer computes once, after the last input of its global average pool', () => {
    const fc = plain.layers[plain.layers.length - 1];
    expect(fc.outputPixels).toBe(1);
    expect(fc.busyTimesteps).toBe(1);
    const lastConv = Math.max(...plain.layers.slice(0, -1).map((l) => l.lastTimestep));
    expect(fc.firstTimestep).toBe(lastConv + 1);
    expect(plain.latencyTimesteps).toBe(fc.lastTimestep + 1);
  });
});

describe('section 3.1.4 (Figure 10B): the speed-up, 4 / 2 / 1 pixels per timestep per stage', () => {
  it('latency of one image is 526 timesteps within 4 %', () => {
    within(speedup.latencyTimesteps, 526, 0.04);
  });
  it('throughput is 38,600 images/s for a batch of 100 within 4 %', () => {
    expect(speedupBatch.batch).toBe(100);
    within(speedupBatch.throughputImagesPerSecond, 38600, 0.04);
  });
  it('the speed-up of the latency is a factor 3.1 within 4 %', () => {
    within(plain.latencyTimesteps / speedup.latencyTimesteps, 3.1, 0.04);
  });
  it('the input enters at the first layer\'s rate, 4 pixels per timestep, so the interval is about 1,024 / 4', () => {
    expect(speedup.inputPixelsPerTimestep).toBe(4);
    expect(speedup.intervalTimesteps).toBeGreaterThanOrEqual(256);
    expect(speedup.intervalTimesteps).toBeLessThanOrEqual(256 + 4);
  });
  it('Figure 10B: stage-1 layers compute 4 pixels per timestep', () => {
    const activity = speedup.activity!.filter((a) => speedup.layers[0].cores.includes(a.core));
    for (const a of activity) expect(Math.max(...a.pixels)).toBe(4);
    // 1,024 pixels in 256 timesteps, plus one for the in-order catch-up at the image's last column.
    const stem = speedup.layers[0];
    expect(stem.lastTimestep - stem.firstTimestep + 1).toBeGreaterThanOrEqual(256);
    expect(stem.lastTimestep - stem.firstTimestep + 1).toBeLessThanOrEqual(258);
  });
});

describe('equation 7: link bandwidth', () => {
  it('ResNet-32 at a 100 ns timestep needs 4.5 Gbit/s (8-bit activations x 56 channels per timestep)', () => {
    expect(plain.linkBandwidthGbps).toBeCloseTo(4.48, 6);
    expect(Math.round(plain.linkBandwidthGbps * 10) / 10).toBe(4.5);
    const busiest = plain.links.filter((l) => l.kind !== 'partial-sum').sort((a, b) => b.gbps - a.gbps)[0];
    expect(busiest.bitsPerTransfer).toBe(8 * 56);
    expect(busiest.transfersPerTimestep).toBe(1);
  });
  it('the speed-up sends 4 x 128 bits per timestep on stage-1 links: 5.12 Gbit/s, over 4.5 (IMC090 warning)', () => {
    expect(speedup.linkBandwidthGbps).toBeCloseTo(5.12, 6);
    const codes = speedup.diagnostics.map((d) => `${d.severity} ${d.code}`);
    expect(codes).toEqual(['warning IMC090']);
  });
});
