// Links between cores: feed-forward (a layer's output cores to every core whose rows read those channels),
// partial-sum (a row part to its column group's accumulating core), residual / shortcut (the shortcut operand's
// output cores to the cores running the residual add; 'shortcut' when it comes from a resampling layer).
import type { Core, LayerMapping, Link, LinkKind } from './types.js';
import { manhattan } from './placement.js';
import { accumulatorOf } from './split.js';

export interface LinkContext {
  layers: LayerMapping[];
  cores: Core[];
  /** Bits of one activation leaving a layer (its output node's activation bits), by layer name. */
  outputBits: Map<string, number>;
  /** Bits of one activation of the residual operand, by consuming layer name. */
  residualBits: Map<string, number>;
  /** Bits of one partial sum (the ADC's output width). */
  partialSumBits: number;
  /** Names of resampling (shortcut) layers. */
  shortcutLayers: Set<string>;
}

function outputChannels(layer: LayerMapping, core: Core): Set<number> {
  const set = new Set<number>();
  for (let c = core.part.colStart; c < core.part.colEnd; c++) set.add(layer.matrix.columnSinks[c].outChannel);
  return set;
}

function inputChannels(layer: LayerMapping, core: Core): Set<number> {
  const set = new Set<number>();
  for (let r = core.part.rowStart; r < core.part.rowEnd; r++) set.add(layer.matrix.rowSources[r].channel);
  return set;
}

function overlap(a: Set<number>, b: Set<number>): number {
  let n = 0;
  for (const v of a) if (b.has(v)) n++;
  return n;
}

export function buildLinks(ctx: LinkContext): Link[] {
  const coresOf = new Map<string, Core[]>();
  for (const core of ctx.cores) {
    const list = coresOf.get(core.layer) ?? [];
    list.push(core);
    coresOf.set(core.layer, list);
  }
  const layerByName = new Map(ctx.layers.map((l) => [l.layer, l]));
  const outputCores = (name: string): Core[] => (coresOf.get(name) ?? []).filter((c) => c.role !== 'partial');
  const links: Link[] = [];
  const add = (from: Core, to: Core, kind: LinkKind, bitsPerTransfer: number): void => {
    links.push({ from: from.id, to: to.id, kind, hops: manhattan(from, to), bitsPerTransfer });
  };
  for (const layer of ctx.layers) {
    const mine = coresOf.get(layer.layer) ?? [];
    const producer = layerByName.get(layer.source);
    if (producer) {
      const bits = ctx.outputBits.get(producer.layer) ?? 0;
      for (const from of outputCores(producer.layer)) {
        const sent = outputChannels(producer, from);
        for (const to of mine) {
          const common = overlap(sent, inputChannels(layer, to));
          if (common > 0) add(from, to, 'feedforward', common * bits);
        }
      }
    }
    for (const to of mine.filter((c) => c.role === 'accumulate')) {
      for (const from of mine.filter((c) => c.role === 'partial' && accumulatorOf(c, mine) === to)) {
        add(from, to, 'partial-sum', (from.part.colEnd - from.part.colStart) * ctx.partialSumBits);
      }
    }
    const shortcut = layer.residualLayer === undefined ? undefined : layerByName.get(layer.residualLayer);
    if (shortcut) {
      const kind: LinkKind = ctx.shortcutLayers.has(shortcut.layer) ? 'shortcut' : 'residual';
      const bits = ctx.residualBits.get(layer.layer) ?? 0;
      for (const from of outputCores(shortcut.layer)) {
        const sent = outputChannels(shortcut, from);
        for (const to of outputCores(layer.layer)) {
          const common = overlap(sent, outputChannels(layer, to));
          if (common > 0) add(from, to, kind, common * bits);
        }
      }
    }
  }
  const index = new Map(ctx.cores.map((c) => [c.id, c.index]));
  const kindOrder: LinkKind[] = ['feedforward', 'partial-sum', 'residual', 'shortcut'];
  return links.sort(
    (a, b) =>
      index.get(a.from)! - index.get(b.from)! ||
      index.get(a.to)! - index.get(b.to)! ||
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind),
  );
}
