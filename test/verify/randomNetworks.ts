// Random valid networks and targets as .imc source (issue 19): shapes, strides, pads, odd sizes, tiles of 16..256
// rows and columns that force row and column splits, replication methods and counts, input-memory layouts, residual
// adds (identity and projected, strided), pools (padded, overlapping), global average pool and fc. A case is written
// as a user would write it, so a failing case is already a fixture. Used by test/verify/random.test.ts (a fixed seed
// list) and bench/randomNetworks.ts (a larger sweep).
//
// Valid by construction: every step that would not fit the current plane, the core budget or the mapping rules is
// dropped, replica counts are fitted to tile the output plane (edge blocks, which the mapping and the RTL accept, are
// left to test/verify/edgeBlocks.test.ts: fitting them here would change the fixed seeds' networks), and the input
// memory's depth and the timestep are settled from a first plan (the largest words and read cycles of any core, plus the case's slack), so `imcc map`
// and the memory plan accept every case.
import fc from 'fast-check';
import type { DiagnosticCode } from '../../src/diagnostics/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { planMemories } from '../../src/memory/index.js';
import type { IrDesign } from '../../src/ir/types.js';
import type { Mapping } from '../../src/mapping/types.js';
import { hasPadding } from '../../src/ir/padding.js';

type Layout = 'auto' | 'IWAP' | 'KLIP' | 'PLIP';

interface Replication {
  replicas: number;
  /** Method 2 (blocks 2 pixels wide) when the fitted count allows it. */
  twoWide: boolean;
  layout: Layout;
}

export type NetStep =
  | ({ kind: 'conv'; out: number; k: number; stride: number; pad: number; bn: boolean; relu: boolean } & Replication)
  | ({ kind: 'residual'; out: number; stride: number; project: boolean } & Replication)
  | { kind: 'pool'; pool: 'maxpool' | 'avgpool'; size: number; stride: number; pad: number };

export interface NetCase {
  seed: number;
  channels: number;
  height: number;
  width: number;
  bits: number;
  weightBits: number;
  tileRows: number;
  tileCols: number;
  wordBits: number;
  steps: NetStep[];
  head: 'none' | 'gap-fc' | 'flatten-fc';
  classes: number;
  headLayout: Layout;
  /** Extra words of depth and extra cycles per timestep over what the first plan needs. */
  depthSlack: number;
  cycleSlack: number;
}

export interface CaseLimits {
  /** Largest input side. */
  side: number;
  /** Most output channels of a layer. */
  channels: number;
  /** Most steps. */
  steps: number;
  /** Most cores (crossbar tiles) of the whole network. */
  cores: number;
  /** Replicate a projection shortcut like its block's main convolution (the bench only: test seeds stay as they are). */
  replicateShortcuts?: boolean;
}

export const SMALL: CaseLimits = { side: 9, channels: 24, steps: 3, cores: 10 };
export const LARGER: CaseLimits = { side: 14, channels: 48, steps: 5, cores: 24, replicateShortcuts: true };

const TILES = [16, 20, 24, 32, 48, 64, 96, 128, 256];
const WORDS = [8, 12, 16, 24, 32, 48, 64, 128];
const layoutArb = fc.constantFrom<Layout>('auto', 'auto', 'auto', 'IWAP', 'KLIP', 'PLIP');
// Half the weight layers unreplicated.
const replicationArb = { replicas: fc.constantFrom(1, 1, 1, 2, 3, 4), twoWide: fc.boolean(), layout: layoutArb };

export function netCaseArb(limits: CaseLimits): fc.Arbitrary<NetCase> {
  const conv: fc.Arbitrary<NetStep> = fc.record({
    kind: fc.constant('conv' as const),
    out: fc.integer({ min: 1, max: limits.channels }),
    k: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: 2 }),
    bn: fc.boolean(),
    relu: fc.boolean(),
    ...replicationArb,
  });
  const step: fc.Arbitrary<NetStep> = fc.oneof(
    { weight: 4, arbitrary: conv },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('residual' as const),
        out: fc.integer({ min: 1, max: limits.channels }),
        stride: fc.integer({ min: 1, max: 2 }),
        project: fc.boolean(),
        ...replicationArb,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('pool' as const),
        pool: fc.constantFrom('maxpool' as const, 'avgpool' as const),
        size: fc.integer({ min: 1, max: 3 }),
        stride: fc.integer({ min: 1, max: 3 }),
        pad: fc.integer({ min: 0, max: 1 }),
      }),
    },
  );
  return fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    channels: fc.integer({ min: 1, max: 4 }),
    height: fc.integer({ min: 3, max: limits.side }),
    width: fc.integer({ min: 3, max: limits.side }),
    bits: fc.integer({ min: 3, max: 8 }),
    weightBits: fc.integer({ min: 2, max: 8 }),
    tileRows: fc.constantFrom(...TILES),
    tileCols: fc.constantFrom(...TILES),
    wordBits: fc.constantFrom(...WORDS),
    // A first convolution, so that residual adds and pools (which run in a weight layer's core) can follow.
    steps: fc.tuple(conv, fc.array(step, { minLength: 0, maxLength: limits.steps - 1 })).map(([first, rest]) => [first, ...rest]),
    head: fc.constantFrom('none' as const, 'gap-fc' as const, 'flatten-fc' as const),
    classes: fc.integer({ min: 1, max: 12 }),
    headLayout: layoutArb,
    depthSlack: fc.integer({ min: 0, max: 8 }),
    cycleSlack: fc.integer({ min: 0, max: 4 }),
  });
}

/** The case for one seed of the generator (fast-check's own generator, so the same seed gives the same case). */
export function caseForSeed(seed: number, limits: CaseLimits): NetCase {
  return fc.sample(netCaseArb(limits), { seed, numRuns: 1 })[0];
}

interface Plane {
  name: string;
  channels: number;
  height: number;
  width: number;
}

function outSize(size: number, k: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - k) / stride) + 1;
}

function largestDivisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/** Replicas that tile the output plane: method 2 needs an even width; otherwise a column of replicas dividing the height. */
function fitReplication(r: Replication, height: number, width: number): { replicas: number; dW: number } {
  if (r.twoWide && r.replicas >= 2 && width % 2 === 0) {
    const rows = largestDivisorAtMost(height, Math.floor(r.replicas / 2));
    return { replicas: rows * 2, dW: 2 };
  }
  return { replicas: largestDivisorAtMost(height, r.replicas), dW: 1 };
}

/** Tiles a weight layer takes: its collective kernel matrix (rows: region x input channels; columns: out x replicas). */
function tiles(c: NetCase, inChannels: number, k: number, stride: number, out: number, rep: { replicas: number; dW: number }): number {
  const rowsOfBlock = rep.replicas / rep.dW;
  const regionRows = (rowsOfBlock - 1) * stride + k;
  const regionCols = (rep.dW - 1) * stride + k;
  const rows = inChannels * regionRows * regionCols;
  return Math.ceil(rows / c.tileRows) * Math.ceil((out * rep.replicas) / c.tileCols);
}

/** Memory settings of the rendered target. */
export interface MemorySettings {
  depth: number;
  timestepNs: number;
}

/** Clock of every generated target: 250 MHz, 4 ns per cycle. */
export const CLOCK_NS = 4;

/** The network and target of a case as .imc source. */
export function renderCase(c: NetCase, limits: CaseLimits, memory: MemorySettings): string {
  const lines: string[] = [];
  const mapping: string[] = [];
  let cores = 0;
  let n = 0;
  let cur: Plane = { name: 'image', channels: c.channels, height: c.height, width: c.width };
  // Whether cur is computed by a weight layer's core (a residual add and a pool need one).
  let computed = false;
  const direct = (name: string, rep: { replicas: number; dW: number }, layout: Layout): void => {
    if (rep.replicas === 1 && layout === 'auto') return;
    const parts = [`replicas ${rep.replicas}`, `method ${rep.dW === 1 ? 1 : 2}`];
    if (rep.dW > 1) parts.push(`dw ${rep.dW}`);
    parts.push(`layout ${layout}`);
    mapping.push(`    layer ${name}: ${parts.join(', ')}`);
  };
  interface Conv {
    ok: boolean;
    name: string;
    plane: Plane;
    text: string;
    rep: { replicas: number; dW: number };
    need: number;
  }
  const conv = (out: number, k: number, stride: number, pad: number, r: Replication): Conv => {
    const height = outSize(cur.height, k, stride, pad);
    const width = outSize(cur.width, k, stride, pad);
    const fits = cur.height + 2 * pad >= k && cur.width + 2 * pad >= k;
    const rep = fits ? fitReplication(r, height, width) : { replicas: 1, dW: 1 };
    const need = tiles(c, cur.channels, k, stride, out, rep);
    const name = `l${n}`;
    const options = `${stride > 1 ? `, stride ${stride}` : ''}${pad > 0 ? `, pad ${pad}` : ''}`;
    return {
      ok: fits && cores + need <= limits.cores,
      name,
      plane: { name, channels: out, height, width },
      text: `conv(${cur.name}, out ${out}, kernel ${k}x${k}${options})`,
      rep,
      need,
    };
  };
  for (const s of c.steps) {
    if (s.kind === 'conv') {
      const pad = Math.min(s.pad, s.k - 1);
      const made = conv(s.out, s.k, s.stride, pad, s);
      if (!made.ok) continue;
      let expr = made.text;
      if (s.bn) expr = `batchnorm(${expr})`;
      if (s.relu) expr = `relu(${expr})`;
      lines.push(`  ${made.name} = ${expr}`);
      direct(made.name, made.rep, s.layout);
      cores += made.need;
      n++;
      cur = made.plane;
      computed = true;
    } else if (s.kind === 'residual') {
      if (!computed) continue;
      const out = s.stride === 1 && !s.project ? cur.channels : s.out;
      const made = conv(out, 3, s.stride, 1, s);
      const identity = s.stride === 1 && out === cur.channels && !s.project;
      const shortcutRep = limits.replicateShortcuts ? made.rep : { replicas: 1, dW: 1 };
      const shortcutTiles = identity ? 0 : tiles(c, cur.channels, 1, s.stride, out, shortcutRep);
      if (!made.ok || cores + made.need + shortcutTiles > limits.cores) continue;
      const name = made.name;
      const main = `${name}m`;
      lines.push(`  ${main} = batchnorm(${made.text})`);
      direct(`${main}`, made.rep, s.layout);
      let shortcut = cur.name;
      if (!identity) {
        shortcut = `${name}s`;
        lines.push(`  ${shortcut} = shortcut(${cur.name}, out ${out}${s.stride > 1 ? `, stride ${s.stride}` : ''})`);
        direct(shortcut, shortcutRep, 'auto');
      }
      lines.push(`  ${name} = relu(add(${main}, ${shortcut}))`);
      cores += made.need + shortcutTiles;
      n++;
      cur = { ...made.plane, name };
    } else {
      const pad = Math.min(s.pad, Math.floor(s.size / 2));
      if (!computed || cur.height + 2 * pad < s.size || cur.width + 2 * pad < s.size) continue;
      const name = `p${n++}`;
      const stride = s.stride === s.size ? '' : `, stride ${s.stride}`;
      lines.push(`  ${name} = ${s.pool}(${cur.name}, size ${s.size}${stride}${pad > 0 ? `, pad ${pad}` : ''})`);
      cur = { name, channels: cur.channels, height: outSize(cur.height, s.size, s.stride, pad), width: outSize(cur.width, s.size, s.stride, pad) };
    }
  }
  const head = !computed && c.head === 'none' ? 'flatten-fc' : c.head;
  if (head !== 'none') {
    const features = head === 'gap-fc' ? cur.channels : cur.channels * cur.height * cur.width;
    const need = Math.ceil(features / c.tileRows) * Math.ceil(c.classes / c.tileCols);
    // The head always fits: a flatten that would take too many tiles becomes a global average pool.
    const gap = head === 'gap-fc' || cores + need > limits.cores;
    if (!computed) {
      // A flatten or global average pool runs in a weight layer's neuron core: a 1x1 conv first.
      lines.push(`  l${n} = conv(${cur.name}, out ${cur.channels}, kernel 1x1)`);
      cur = { ...cur, name: `l${n++}` };
    }
    lines.push(`  logits = fc(${gap ? `gap(${cur.name})` : `flatten(${cur.name})`}, out ${c.classes})`);
    if (c.headLayout !== 'auto') mapping.push(`    layer logits: layout ${c.headLayout}`);
    cur = { name: 'logits', channels: c.classes, height: 1, width: 1 };
  }
  const target = [
    `target random_target {`,
    `  crossbar {`,
    `    size ${c.tileRows}x${c.tileCols}`,
    `    weight_bits ${c.weightBits}`,
    `    devices single`,
    `    adc 32 bits shift auto`,
    `    dac ${c.bits} bits`,
    `  }`,
    `  input_memory { word ${c.wordBits} bits; depth ${memory.depth}; layout auto }`,
    `  controller { clock 250MHz; timestep ${memory.timestepNs}ns }`,
    `  neuron_core { ops psum, batchnorm, relu, residual, pool }`,
    `  grid 8x8`,
    `  link 1000Gbps`,
    `}`,
  ];
  const network = [
    `network random_${c.seed} on random_target {`,
    `  input image: ${c.channels}x${c.height}x${c.width}, ${c.bits} bits`,
    `  weights seed ${c.seed}`,
    `  defaults { activations ${c.bits} bits; weights ${c.weightBits} bits }`,
    ``,
    ...lines,
    `  output ${cur.name}`,
    ...(mapping.length > 0 ? [``, `  mapping {`, ...mapping, `  }`] : []),
    `}`,
  ];
  return [`// Random case (test/verify/randomNetworks.ts).`, ...target, ``, ...network, ``].join('\n');
}

/** Loads a source file; its diagnostics, if any, as a DiagnosticError (a generated case must be valid). */
export function loadCase(file: string) {
  const loaded = loadDesign(file);
  if (!loaded.design || loaded.diagnostics.some((d) => d.severity === 'error')) throw new DiagnosticError(loaded.diagnostics, loaded.sources);
  return loaded;
}

/**
 * Writes the case to `dir/<name>.imc` with a depth and timestep that fit every core: a first plan with ample memory
 * gives the most words and read cycles of any core, and the case adds its slack. Returns the file's path.
 */
export function writeCase(c: NetCase, limits: CaseLimits, name: string, dir = mkdtempSync(join(tmpdir(), 'imcc-random-'))): string {
  const file = join(dir, `${name}.imc`);
  writeFileSync(file, renderCase(c, limits, { depth: 1 << 20, timestepNs: 100_000 }));
  const design = loadCase(file).design!;
  const plan = planMemories(design, mapDesign(design));
  const words = Math.max(1, ...plan.cores.map((p) => p.figures.words));
  const reads = Math.max(1, ...plan.cores.map((p) => p.readCyclesPerTimestep));
  writeFileSync(file, renderCase(c, limits, { depth: words + c.depthSlack, timestepNs: (reads + c.cycleSlack) * CLOCK_NS }));
  return file;
}

/** Features the RTL generator refuses (docs/rtl.md, IMC112), by the words of its message. */
export const REFUSALS: readonly { name: string; pattern: RegExp }[] = [
  // A pool in a method-1 replicated layer is generated when its windows end evenly in the blocks (the same count of
  // pooled pixels per block); method 2, uneven windows, a stride other than the size, two pools and column parts not.
  { name: 'pool in a replicated layer', pattern: /(a pool|two pools|a pool whose stride differs from its size) in a replicated layer/ },
  { name: 'pool with padding >= stride', pattern: /padding >= stride/ },
  // Edge blocks (idle replicas): not generated (fitReplication), refused next to a residual add and in column parts.
  { name: 'output plane not a whole number of blocks', pattern: /not a whole number of/ },
];

export const REFUSAL_CODE: DiagnosticCode = 'IMC112';

/** The features a compiled case exercises (for choosing and checking the fixed seed list). */
export function caseFeatures(design: IrDesign, mapping: Mapping): Set<string> {
  const features = new Set<string>();
  for (const l of mapping.layers) {
    if (l.rowParts > 1) features.add('row split');
    if (l.colParts > 1) features.add('column split');
    if (l.matrix.replicas.length > 1) features.add(l.matrix.method === 2 ? 'method 2' : 'method 1 replicas');
    if (l.matrix.stride > 1) features.add('stride');
    // Pools after the first in one neuron core run as a chain of pool stages.
    const pools = l.fused.filter((f) => ['maxpool', 'avgpool', 'gap'].includes(design.network.nodes.find((n) => n.name === f)?.op.kind ?? ''));
    if (pools.length > 1) features.add('pool chain');
  }
  for (const node of design.network.nodes) {
    const op = node.op;
    if (op.kind === 'conv' && hasPadding(op.padding)) features.add('pad');
    if (op.kind === 'add') features.add('residual add');
    if (op.kind === 'maxpool' || op.kind === 'avgpool') {
      features.add(op.kind);
      if (hasPadding(op.padding)) features.add('padded pool');
      if (op.stride !== op.size) features.add('pool stride != size');
    }
    if (op.kind === 'gap') features.add('gap');
    if (op.kind === 'fc') features.add('fc');
    if (node.mapping && node.mapping.layout !== 'auto') features.add(`layout ${node.mapping.layout}`);
  }
  const input = design.network.nodes.find((n) => n.op.kind === 'input')!.shape;
  if (input.height % 2 === 1 || input.width % 2 === 1) features.add('odd size');
  return features;
}
