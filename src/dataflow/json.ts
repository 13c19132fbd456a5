// The simulation as JSON (imcc simulate --json), validated against schemas/simulate.schema.json before anyone prints
// or writes it. Rates are rounded so the text is short and identical on every machine.
import { validateJson } from '../support/schema.js';
import type { IrDesign } from '../ir/types.js';
import type { DataflowResult } from './types.js';

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

export interface SimulateJson {
  network: string;
  target: string;
  granularity: string;
  latencyTimesteps: number;
  intervalTimesteps: number;
  batch: number;
  batchTimesteps: number;
  throughputImagesPerSecond: number;
  timestepNs: number;
  inputPixelsPerTimestep: number;
  linkBandwidthGbps: number;
  targetLinkBandwidthGbps: number;
  layers: Array<{
    name: string;
    cores: string[];
    replicas: number;
    outputPixels: number;
    firstTimestep: number;
    lastTimestep: number;
    busyTimesteps: number;
    inputBufferPixels: number;
    inputMemoryPixels: number;
  }>;
  residualBuffers: Array<{ layer: string; from: string; pixels: number; bits: number }>;
  links: Array<{ from: string; to: string; kind: string; transfersPerTimestep: number; bitsPerTransfer: number; gbps: number; overTarget: boolean }>;
}

export function simulateJson(result: DataflowResult, design: IrDesign): SimulateJson {
  const limit = result.targetLinkBandwidthGbps;
  return {
    network: design.network.name,
    target: design.target.name,
    granularity: result.granularity,
    latencyTimesteps: result.latencyTimesteps,
    intervalTimesteps: result.intervalTimesteps,
    batch: result.batch,
    batchTimesteps: result.batchTimesteps,
    throughputImagesPerSecond: round(result.throughputImagesPerSecond, 1),
    timestepNs: result.timestepNs,
    inputPixelsPerTimestep: result.inputPixelsPerTimestep,
    linkBandwidthGbps: round(result.linkBandwidthGbps, 3),
    targetLinkBandwidthGbps: limit,
    layers: result.layers.map((l) => ({
      name: l.name,
      cores: l.cores,
      replicas: l.replicas,
      outputPixels: l.outputPixels,
      firstTimestep: l.firstTimestep,
      lastTimestep: l.lastTimestep,
      busyTimesteps: l.busyTimesteps,
      inputBufferPixels: l.inputBufferPixels,
      inputMemoryPixels: l.inputMemoryPixels,
    })),
    residualBuffers: result.residualBuffers.map((b) => ({ layer: b.layer, from: b.from, pixels: b.pixels, bits: b.bits })),
    links: result.links.map((l) => ({
      from: l.from,
      to: l.to,
      kind: l.kind,
      transfersPerTimestep: l.transfersPerTimestep,
      bitsPerTransfer: l.bitsPerTransfer,
      gbps: round(l.gbps, 3),
      overTarget: l.gbps > limit * (1 + 1e-9),
    })),
  };
}

/** Throws (an internal error: our own output broke its contract) when the JSON does not match its schema. */
export function validateSimulateJson(value: unknown): void {
  validateJson('simulate', value);
}
