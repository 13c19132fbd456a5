// Equation 7 for every link of the mapping, from what the simulation saw each layer send per timestep, and the
// IMC090 warning for links over the target's bandwidth.
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { IrDesign } from '../ir/types.js';
import type { Mapping } from '../mapping/types.js';
import type { LinkLoad } from './types.js';
import { groupDigits } from '../support/format.js';

/** What one layer sent at most in one timestep over the simulated batch. */
export interface LayerLoad {
  /** Output pixels leaving its neuron core(s) in one timestep. */
  emittedPeak: number;
  /**
   * Pixels of a value before its last (e.g. before its pool) that a residual add in another layer reads, complete in
   * one timestep: the core sends them on the shortcut link as it computes them.
   */
  tappedPeak: number;
  replicas: number;
  /** Per core: pixels its crossbar computed in one timestep. */
  corePeakPixels: ReadonlyMap<string, number>;
}

/**
 * Equation 7 per link: B = transfers per timestep x bits per transfer / T_timestep. A layer's result link carries as
 * many pixels in one timestep as the layer emits in one timestep (its replicas, or more when a residual add releases
 * waiting pixels together), a residual link of a value before the layer's last (its tap) as many as it computes of
 * that value; a partial-sum link one transfer (the operation's columns) per crossbar operation.
 */
export function linkLoads(mapping: Mapping, loads: ReadonlyMap<string, LayerLoad>, inputRate: number, timestepNs: number): LinkLoad[] {
  const coreById = new Map(mapping.cores.map((c) => [c.id, c]));
  const layerByName = new Map(mapping.layers.map((l) => [l.layer, l]));
  // Whether the add in the link's target layer reads its source's tap rather than its output.
  const readsTap = (to: string): boolean => {
    const adding = layerByName.get(coreById.get(to)?.layer ?? '');
    const source = layerByName.get(adding?.residualLayer ?? '');
    return source !== undefined && adding!.residualFrom !== source.output;
  };
  return mapping.links.map((link) => {
    const from = coreById.get(link.from);
    const load = from === undefined ? undefined : loads.get(from.layer);
    let transfers: number;
    if (from === undefined || load === undefined) {
      // Not a core: the network input's scratchpad, sending at the input rate.
      transfers = inputRate;
    } else if (link.kind === 'partial-sum') {
      // A partial-sum transfer carries one crossbar operation's columns (all replicas): pixels / replicas of them.
      transfers = Math.ceil((load.corePeakPixels.get(link.from) ?? 0) / load.replicas);
    } else if ((link.kind === 'residual' || link.kind === 'shortcut') && readsTap(link.to)) {
      transfers = load.tappedPeak;
    } else {
      transfers = load.emittedPeak;
    }
    const bits = transfers * link.bitsPerTransfer;
    return {
      from: link.from,
      to: link.to,
      kind: link.kind,
      transfersPerTimestep: transfers,
      bitsPerTransfer: link.bitsPerTransfer,
      gbps: bits / timestepNs,
    };
  });
}

/**
 * IMC090: one warning at the target's link bandwidth naming the worst link and how many exceed it. A warning, not an
 * error: the figures are still those of the model, which assumes every transfer completes within its timestep.
 */
export function bandwidthDiagnostics(design: IrDesign, links: LinkLoad[]): Diagnostic[] {
  const limit = design.target.link.bandwidthGbps;
  const over = links.filter((l) => l.gbps > limit * (1 + 1e-9));
  if (over.length === 0) return [];
  const worst = over.reduce((a, b) => (b.gbps > a.gbps ? b : a));
  const ns = design.target.controller.timestepNs;
  const others = over.length > 1 ? ` (${over.length} links are over; the worst is shown)` : '';
  return [
    diagnostic(
      'IMC090',
      design.target.link.span,
      { from: worst.from, to: worst.to, kind: worst.kind, gbps: formatGbps(worst.gbps), transfersPerTimestep: worst.transfersPerTimestep, bitsPerTransfer: groupDigits(worst.bitsPerTransfer), ns, limit: formatGbps(limit), others },
    ),
  ];
}

export function formatGbps(gbps: number): string {
  return (Math.round(gbps * 100) / 100).toString();
}
