// Figure 10's question as a sweep: latency and throughput against the replicas of each stage of ResNet-32.
import { describe, expect, it } from 'vitest';
import { formatSweepCsv, replicationStages, simulateDataflow, sweepDirective, sweepReplication } from '../../src/dataflow/index.js';
import { fixtureMapping, resnet32Design } from './fixtures.js';

describe("Figure 10's shape: replication per stage", () => {
  const design = resnet32Design();

  it('stages are the convolutions of one output plane, largest first (the paper\'s red, blue, green groups)', () => {
    const stages = replicationStages(design);
    expect(stages.map((s) => s.plane)).toEqual(['32x32', '16x16', '8x8']);
    // 11 + (10 + RS1) + (10 + RS2) convolutions.
    expect(stages.map((s) => s.layers.length)).toEqual([11, 11, 11]);
  });

  it('a directive keeps the layer\'s block width when it still tiles the plane, else narrows it', () => {
    const conv = design.network.nodes.find((n) => n.name === 'conv1')!;
    const wide = { ...conv, mapping: { ...conv.mapping!, method: 2 as const, dW: 2 } };
    expect(sweepDirective(wide, 4)).toMatchObject({ replicas: 4, dW: 2, method: 2 });
    expect(sweepDirective(wide, 1)).toMatchObject({ replicas: 1, dW: 1, method: 1 });
    const odd = { ...conv, shape: { ...conv.shape, height: 3, width: 3 } };
    expect(sweepDirective(odd, 2)).toBeNull();
  });

  it('throughput follows the first stage (doubling with its replicas); latency falls as any stage gets replicas', () => {
    const sweep = sweepReplication(design, { batch: 4, choices: [1, 2] });
    const row = (r: number[]) => sweep.rows.find((x) => x.replicas.join() === r.join())!;
    expect(sweep.rows.length + sweep.skipped.length).toBe(8);
    const base = row([1, 1, 1]);
    const first = row([2, 1, 1]);
    // The (1, 1, 1) row is the design as written, simulated directly.
    expect(base.latencyTimesteps).toBe(simulateDataflow(design, fixtureMapping(design), { batch: 4 }).latencyTimesteps);
    expect(first.intervalTimesteps).toBeLessThanOrEqual(Math.ceil(base.intervalTimesteps / 2) + 2);
    expect(first.throughputImagesPerSecond / base.throughputImagesPerSecond).toBeGreaterThan(1.7);
    expect(row([1, 2, 1]).latencyTimesteps).toBeLessThan(base.latencyTimesteps);
    expect(row([1, 1, 2]).latencyTimesteps).toBeLessThan(base.latencyTimesteps);
    // Replicating later stages hardly changes throughput: the input rate sets it.
    expect(Math.abs(row([1, 2, 2]).intervalTimesteps - base.intervalTimesteps)).toBeLessThanOrEqual(2);
    const csv = formatSweepCsv(sweep).trim().split('\n');
    expect(csv[0]).toBe(
      'replicas_32x32,replicas_16x16,replicas_8x8,cores,latencyTimesteps,intervalTimesteps,batch,throughputImagesPerSecond,linkBandwidthGbps,warnings',
    );
    // The fixture target's links carry 6 Gbit/s, below the 13.44 Gbit/s of 24-bit partial sums: IMC090.
    expect(csv[1]).toMatch(/^1,1,1,43,\d+,\d+,4,[\d.]+,4\.480,IMC090$/);
  });
});
