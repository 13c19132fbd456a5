// The search space of the replication optimizer: per weight layer, the replica counts and block widths (dW) that
// tile its output plane with full blocks, what each costs in cores (the splitting rule), and which layers must move
// together. Layers joined by a residual add form one unit with one setting: the add pairs the shortcut pixels with
// its own in arrival order, so both layers must emit the same block order (the RTL generator requires it, and the
// add's shortcut buffer would otherwise grow). Settings the RTL generator does not implement are left out: a
// replicated layer with a fused pool where the RTL's rule refuses it (src/mapping/replicatedPool.ts: pools whose
// windows end evenly in the blocks, on a ragged block's lattice too), and (unless the search asks for them) ragged
// method-2 blocks, whose last column is partly filled (every phase computes them, the RTL too). The
// search does not take them by default: on ResNet-32 they gain little (docs/optimize.md "Ragged blocks") and they
// double a ResNet-18-sized network's search time.
import type { IrDesign } from '../ir/types.js';
import { nodeIndex } from '../ir/nodeIndex.js';
import { collectiveKernelMatrix, fuseNetwork, receivedShape, splitMatrix, type FusedLayer } from '../mapping/index.js';

/** One setting of a unit: every member layer gets `replicas` in blocks `dW` wide; `cores` is the sum over members. */
export interface UnitOption {
  replicas: number;
  dW: number;
  cores: number;
}

export interface SearchUnit {
  /** Member weight layers, network order. */
  layers: string[];
  /** Output pixels per image of each member (they share the output plane). */
  pixels: number;
  plane: string;
  /** Settings by replica count, cores never decreasing (a count that costs more than a larger one is dropped); options[0] is 1 replica. */
  options: UnitOption[];
}

/** Replicas per layer the search considers at most (a 64-core grid never holds more for ResNet-sized layers). */
export const MAX_REPLICAS = 64;

interface LayerOption {
  replicas: number;
  dW: number;
  cores: number;
}

/** Cores of a collective matrix by its geometry: many layers share one (ResNet-32: 10 layers of 16 channels). */
const tileCache = new Map<string, { cores: number; colParts: number }>();

/** What the search may use beyond what the RTL generator builds. */
export interface SearchSpace {
  /** Ragged method-2 blocks (replicas not a multiple of dW, on their skewed lattice). */
  ragged?: boolean;
}

/** Whether n replicas dW wide fit an output plane: full blocks tile it on a grid, ragged ones need their last column. */
function blockFits(replicas: number, dW: number, out: { height: number; width: number }, space: SearchSpace): boolean {
  const height = Math.ceil(replicas / dW);
  if (replicas % dW === 0) return out.width % dW === 0 && out.height % height === 0;
  return space.ragged === true && height * (dW - 1) < replicas && height <= out.height && dW <= out.width;
}

function layerOptions(design: IrDesign, layer: FusedLayer, gridCores: number, space: SearchSpace): LayerOption[] {
  const node = layer.node;
  const input = receivedShape(design, node);
  const out = node.shape;
  const conv = node.op.kind === 'conv' ? node.op : undefined;
  const geometry = conv
    ? { kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth, stride: conv.stride, outChannels: conv.outChannels }
    : { kernelHeight: input.height, kernelWidth: input.width, stride: 1, outChannels: node.op.kind === 'fc' ? node.op.outFeatures : 0 };
  const { rows: tileRows, cols: tileCols } = design.target.crossbar;
  const options: LayerOption[] = [];
  const most = Math.min(MAX_REPLICAS, out.height * out.width);
  for (let replicas = 1; replicas <= most; replicas++) {
    for (let dW = 1; dW <= replicas; dW++) {
      if (!blockFits(replicas, dW, out, space)) continue;
      const key = [input.channels, geometry.outChannels, geometry.kernelHeight, geometry.kernelWidth, geometry.stride, replicas, dW, tileRows, tileCols].join(',');
      let tiles = tileCache.get(key);
      if (tiles === undefined) {
        const m = collectiveKernelMatrix({ inChannels: input.channels, ...geometry, replicas, dW });
        const plan = splitMatrix(m.rowSources.length, m.columnSinks.length, tileRows, tileCols);
        tiles = { cores: plan.parts.length, colParts: plan.colParts };
        tileCache.set(key, tiles);
      }
      if (tiles.cores > gridCores) continue;
      options.push({ replicas, dW, cores: tiles.cores });
    }
  }
  return options;
}

/** The units of a design (network order of their first layer) with their useful settings. */
export function searchUnits(design: IrDesign, space: SearchSpace = {}): SearchUnit[] {
  const fusion = fuseNetwork(design.network);
  const nodes = nodeIndex(design.network);
  const gridCores = design.target.grid.rows * design.target.grid.cols;
  // Union-find over residual adds: the adding layer and the layer that sends the shortcut.
  const parent = new Map(fusion.layers.map((l) => [l.node.name, l.node.name]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const l of fusion.layers) {
    if (l.residualLayer !== undefined && parent.has(l.residualLayer)) parent.set(find(l.node.name), find(l.residualLayer));
  }
  const groups = new Map<string, string[]>();
  for (const l of fusion.layers) {
    const root = find(l.node.name);
    groups.set(root, [...(groups.get(root) ?? []), l.node.name]);
  }
  const byLayer = new Map(fusion.layers.map((l) => [l.node.name, l]));
  const units: SearchUnit[] = [];
  for (const members of groups.values()) {
    const perLayer = members.map((name) => layerOptions(design, byLayer.get(name)!, gridCores, space));
    // Settings every member can take, with the summed cost; per replica count the cheapest block (narrowest on ties).
    const best = new Map<number, UnitOption>();
    for (const o of perLayer[0]) {
      const all = perLayer.map((opts) => opts.find((p) => p.replicas === o.replicas && p.dW === o.dW));
      if (all.some((p) => p === undefined)) continue;
      const cores = all.reduce((n, p) => n + p!.cores, 0);
      const seen = best.get(o.replicas);
      if (seen === undefined || cores < seen.cores) best.set(o.replicas, { replicas: o.replicas, dW: o.dW, cores });
    }
    const options: UnitOption[] = [];
    for (const o of [...best.values()].sort((a, b) => a.replicas - b.replicas)) {
      // A setting with more replicas for fewer cores replaces the costlier one before it.
      while (options.length > 0 && options[options.length - 1].cores > o.cores) options.pop();
      options.push(o);
    }
    const shape = nodes.get(members[0])!.shape;
    units.push({ layers: members, pixels: shape.height * shape.width, plane: `${shape.height}x${shape.width}`, options });
  }
  return units;
}
