// Random valid networks and targets as .imc source (issue 19): shapes, strides, pads, odd sizes, tiles of 16..256
// rows and columns that force row and column splits, wide layers whose channels span row parts, replication methods
// and counts (edge blocks, method-2 blocks with idle bottom rows and ragged method-2 blocks included), input-memory
// layouts, residual adds (identity and projected, strided; late shortcuts; with idle pixels on either side, around
// pools and of a replicated pool's pixels), pools (padded, overlapping, queued, chained with a ReLU or threshold
// between them, fused into replicated layers), global average pool and fc, on ReLU or integrate-and-fire targets. A
// case is written as a user would write it, so a failing case is already a fixture. Used by
// test/verify/random.test.ts (a fixed seed list, SMALL limits) and bench/randomNetworks.ts (a sweep, LARGER limits).
//
// Valid by construction: every step that would not fit the current plane, the core budget or the mapping rules is
// dropped, replica counts are fitted to the output plane (whole blocks, or on purpose edge blocks, or ragged blocks),
// a replicated layer with one fused pool in method-2 blocks is mostly refitted to method-1 columns (refitToPools: the
// draws the fixed seeds were picked with; one in six keeps its drawn blocks), and the input memory's depth and the
// timestep are settled from a first plan (the largest words and read
// cycles of any core, plus the case's slack), so `imcc map` and the memory plan accept every case. SMALL keeps the
// draws its fixed seeds were picked with (fewer idle pixels, ReLU targets only); LARGER draws idle pixels wherever the
// RTL builds them (idleAnywhere) and a quarter of its cases on integrate-and-fire targets (spiking).
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import type { IrDesign, IrNode } from '../../src/ir/types.js';
import type { Mapping } from '../../src/mapping/types.js';
import { hasPadding, uniformPadding } from '../../src/ir/padding.js';
import { blockShape } from '../../src/mapping/block.js';
import { poolWindowEnds } from '../../src/mapping/poolWindows.js';
import { pooledGroupOf, type PoolGeometry } from '../../src/mapping/replicatedPool.js';
import type { ResidualBuffer } from '../../src/dataflow/types.js';

type Layout = 'auto' | 'IWAP' | 'KLIP' | 'PLIP';

interface Replication {
  replicas: number;
  /**
   * Method 2 (blocks 2 pixels wide) when the fitted count allows it; with 3 replicas a ragged method-2 block
   * (RAGGED_BLOCKS: replicas not a multiple of dW, its last column partly filled).
   */
  twoWide: boolean;
  /** Edge blocks on purpose (a plane that is not a whole number of blocks); larger ragged blocks. */
  edge: boolean;
  /**
   * Refit a replicated layer with a fused pool to the RTL's rule (else keep its blocks: maybe refused). SMALL also
   * refits a ragged block in column parts, with a residual add or sending a shortcut (built now; its seeds' draws).
   */
  fitToRtl: boolean;
  layout: Layout;
}

/** What a pool step applies to its input: nothing, a ReLU or a threshold (between pools when a pool precedes it). */
type PoolActivation = 'none' | 'relu' | 'threshold';

export type NetStep =
  | ({ kind: 'conv'; out: number; k: number; stride: number; pad: number; bn: boolean; relu: boolean; wide: boolean } & Replication)
  | ({ kind: 'residual'; out: number; stride: number; project: boolean } & Replication)
  | { kind: 'pool'; pool: 'maxpool' | 'avgpool'; size: number; stride: number; pad: number; act: PoolActivation; level: number };

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
  /**
   * LARGER (idleAnywhere) only: the first residual add on an even plane comes after a 2x2 max pool in its core (a
   * stride-2 projection shortcut on the pooled plane), or, when the step's stride is 1 and the main convolution is
   * unreplicated, after a queued 3x3/1 max pool padded by 1 (a stride-1 projection shortcut). Drawn last, so the other
   * fields of every case stay as they were.
   */
  pooledAdd: boolean;
  /**
   * LARGER only: the queued 3x3/1 max pool of `pooledAdd` also when the main convolution is replicated in method-1
   * blocks (its queue walks the windows each block ends, then adds; IMC112 before). Drawn after `pooledAdd`, so the
   * other fields of every case stay as they were.
   */
  queuedInReplicas: boolean;
}

export interface CaseLimits {
  /** Largest input side. */
  side: number;
  /** Most output channels of a layer. */
  channels: number;
  /** Most output channels of a wide layer (more channels than a tile has rows, so its consumer's row parts split them). */
  wide: number;
  /** Most steps. */
  steps: number;
  /** Most cores (crossbar tiles) of the whole network. */
  cores: number;
  /** Replicate a projection shortcut like its block's main convolution (the bench only: test seeds stay as they are). */
  replicateShortcuts?: boolean;
  /** Largest convolution kernel side (default 5; 7 reaches ImageNet-style stems) and pool side (default 3). */
  kernel?: number;
  pool?: number;
  /**
   * Idle pixels wherever the RTL builds them (the bench only: test seeds stay as they are): edge and ragged blocks
   * also in a residual add, in a layer sending a shortcut and in column parts, and method-2 blocks whose plane ends
   * inside their rows (idle bottom rows); only a replicated layer with a fused pool is still refitted (refitToPools).
   */
  idleAnywhere?: boolean;
  /** A quarter of the cases (by their weight seed) on an integrate-and-fire target (`model if`; the bench only). */
  spiking?: boolean;
  /**
   * A replicated layer with fused pools keeps its drawn blocks, and the queued pool of `pooledAdd` is drawn in
   * method-2 blocks too (BROADER only: the RTL implements every block, and the test seeds keep the draws they were
   * picked with, refitToPools).
   */
  keepPooledBlocks?: boolean;
}

export const SMALL: CaseLimits = { side: 9, channels: 24, wide: 40, steps: 3, cores: 10 };
export const LARGER: CaseLimits = {
  side: 14,
  channels: 48,
  wide: 80,
  steps: 5,
  cores: 24,
  replicateShortcuts: true,
  kernel: 7,
  pool: 5,
  idleAnywhere: true,
  spiking: true,
};
/** LARGER, with every replicated pooled layer in its drawn blocks (method-2 blocks with one pool too): the bench's sweep. */
export const BROADER: CaseLimits = { ...LARGER, keepPooledBlocks: true };

const TILES = [16, 20, 24, 32, 48, 64, 96, 128, 256];
const WORDS = [8, 12, 16, 24, 32, 48, 64, 128];
const layoutArb = fc.constantFrom<Layout>('auto', 'auto', 'auto', 'IWAP', 'KLIP', 'PLIP');
// Half the weight layers unreplicated.
const replicationArb = {
  replicas: fc.constantFrom(1, 1, 1, 2, 3, 4),
  twoWide: fc.boolean(),
  edge: fc.constantFrom(false, false, false, true),
  fitToRtl: fc.constantFrom(true, true, true, true, true, false),
  layout: layoutArb,
};

export function netCaseArb(limits: CaseLimits): fc.Arbitrary<NetCase> {
  const conv: fc.Arbitrary<NetStep> = fc.record({
    kind: fc.constant('conv' as const),
    out: fc.integer({ min: 1, max: limits.channels }),
    k: fc.integer({ min: 1, max: limits.kernel ?? 5 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: Math.floor((limits.kernel ?? 5) / 2) }),
    bn: fc.boolean(),
    relu: fc.boolean(),
    wide: fc.constantFrom(false, false, false, false, false, false, false, true),
    ...replicationArb,
  });
  const residual: fc.Arbitrary<NetStep> = fc.record({
    kind: fc.constant('residual' as const),
    out: fc.integer({ min: 1, max: limits.channels }),
    stride: fc.integer({ min: 1, max: 2 }),
    project: fc.boolean(),
    ...replicationArb,
  });
  const pool: fc.Arbitrary<NetStep> = fc.record({
    kind: fc.constant('pool' as const),
    pool: fc.constantFrom('maxpool' as const, 'avgpool' as const),
    size: fc.integer({ min: 1, max: limits.pool ?? 3 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: 2 }),
    act: fc.constantFrom<PoolActivation>('none', 'none', 'relu', 'relu', 'threshold', 'threshold'),
    level: fc.integer({ min: 0, max: 3 }),
  });
  const step: fc.Arbitrary<NetStep> = fc.oneof({ weight: 4, arbitrary: conv }, { weight: 3, arbitrary: residual }, { weight: 3, arbitrary: pool });
  // A first convolution, so that residual adds and pools (which run in a weight layer's core) can follow.
  const plain = fc.tuple(conv, fc.array(step, { minLength: 0, maxLength: limits.steps - 1 })).map(([first, rest]) => [first, ...rest]);
  // With idleAnywhere, half the cases start with a residual add around a pool: an add whose core then pools, or an
  // identity add of a pool's pixels (the first convolution replicated, so that its pool is a replicated pool). Drawn freely,
  // the add and the pool next to it in one core, both with idle pixels, are too rare for a sweep to meet.
  const motif = fc
    .tuple(conv, fc.constantFrom('add then pool' as const, 'pool then add' as const), residual, pool, fc.array(step, { minLength: 0, maxLength: limits.steps - 3 }))
    .map(([first, order, add, pooling, rest]): NetStep[] =>
      order === 'add then pool'
        ? [first, add, pooling, ...rest]
        : [first.kind === 'conv' ? { ...first, replicas: Math.max(2, first.replicas) } : first, pooling, add.kind === 'residual' ? { ...add, stride: 1, project: false } : add, ...rest],
    );
  const steps = limits.idleAnywhere ? fc.oneof(plain, motif) : plain;
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
    steps,
    head: fc.constantFrom('none' as const, 'gap-fc' as const, 'flatten-fc' as const),
    classes: fc.integer({ min: 1, max: 12 }),
    headLayout: layoutArb,
    depthSlack: fc.integer({ min: 0, max: 8 }),
    cycleSlack: fc.integer({ min: 0, max: 4 }),
    pooledAdd: fc.boolean(),
    queuedInReplicas: fc.boolean(),
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

type Rep = { replicas: number; dW: number };

/**
 * Ragged method-2 blocks (replicas, dW) a 2-wide step of 3 replicas draws, the first that fits the plane: 3 replicas
 * dW 2, or with `edge` the larger ones. Each leaves a replica in its last column (IMC064).
 */
const RAGGED_BLOCKS = { small: [{ replicas: 3, dW: 2 }], large: [{ replicas: 7, dW: 3 }, { replicas: 5, dW: 2 }, { replicas: 5, dW: 3 }, { replicas: 3, dW: 2 }] };

function isRagged(rep: Rep): boolean {
  return rep.replicas % rep.dW !== 0;
}

/**
 * Replicas fitted to the output plane: whole blocks (method 2 needs an even width; otherwise a column of replicas
 * dividing the height), or, when the step asks for edge blocks and `edgeOk`, blocks the plane cuts (a method-1
 * column that does not divide the height, or 2-wide blocks on an odd width), or, when
 * `raggedOk`, a ragged block (any plane at least its bounding box: it tiles on a skewed lattice). With `idleRows`,
 * edge blocks drawn 2-wide are 2 or 3 rows high whatever the height, so the plane may end inside their rows.
 */
function fitReplication(r: Replication, height: number, width: number, edgeOk: boolean, raggedOk: boolean, idleRows = false): Rep {
  // (1 replica drawn 2-wide with edge blocks would be unreplicated: a larger ragged block instead.)
  if (raggedOk && r.twoWide && (r.replicas === 3 || (r.replicas === 1 && r.edge))) {
    const fitting = (r.edge ? RAGGED_BLOCKS.large : RAGGED_BLOCKS.small).find((b) => b.dW <= width && Math.ceil(b.replicas / b.dW) <= height);
    if (fitting) return fitting;
  }
  if (r.edge && edgeOk && r.replicas >= 2) {
    const blockRows = Math.min(r.replicas >= 3 ? 3 : 2, height);
    if (idleRows && r.twoWide && width >= 2 && blockRows >= 2 && (height % blockRows !== 0 || width % 2 === 1)) return { replicas: blockRows * 2, dW: 2 };
    if (r.twoWide && width % 2 === 1 && width >= 3) return { replicas: largestDivisorAtMost(height, Math.floor(r.replicas / 2)) * 2, dW: 2 };
    const rows = Math.min(r.replicas, height);
    if (rows >= 2 && height % rows !== 0) return { replicas: rows, dW: 1 };
  }
  if (r.twoWide && r.replicas >= 2 && width % 2 === 0) {
    const rows = largestDivisorAtMost(height, Math.floor(r.replicas / 2));
    return { replicas: rows * 2, dW: 2 };
  }
  return { replicas: largestDivisorAtMost(height, r.replicas), dW: 1 };
}

/** Tiles a weight layer takes: its collective kernel matrix (rows: region x input channels; columns: out x replicas). */
function tiles(c: NetCase, inChannels: number, k: number, stride: number, out: number, rep: Rep): number {
  const rowsOfBlock = Math.ceil(rep.replicas / rep.dW);
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

/** A weight layer as rendered: what a second pass needs to refit its replication to its fused pools. */
interface RenderedLayer {
  rep: Rep;
  /** Its drawn replication (the refit's choice of count and whether to refit at all). */
  drawn: Replication;
  /** Cores it was charged in the first pass (the second charges the same, so the same steps are kept). */
  need: number;
  inChannels: number;
  out: number;
  k: number;
  stride: number;
  plane: { height: number; width: number };
  pools: PoolGeometry[];
}

interface Rendered {
  text: string;
  layers: Map<string, RenderedLayer>;
}

/**
 * Replicas for a layer with fused pools (the draws the fixed seeds were picked with, when the RTL still refused some
 * pooled blocks; every block is generated now): a ragged block, or a method-2 block fusing a chain of pools, as drawn;
 * else method-1 columns, at most the drawn count and no more tiles than the first pass charged; 1 replica when none
 * fits.
 */
function refitToPools(c: NetCase, l: RenderedLayer): Rep {
  if (isRagged(l.rep) || (l.rep.dW > 1 && l.pools.length > 1)) return l.rep;
  for (let rows = Math.min(Math.max(l.rep.replicas, l.drawn.replicas), l.plane.height); rows >= 2; rows--) {
    const rep = { replicas: rows, dW: 1 };
    if (tiles(c, l.inChannels, l.k, l.stride, l.out, rep) <= l.need) return rep;
  }
  return { replicas: 1, dW: 1 };
}

/** The network and target of a case as .imc source. */
export function renderCase(c: NetCase, limits: CaseLimits, memory: MemorySettings): string {
  const first = renderPass(c, limits, memory, new Map());
  const refits = new Map<string, Rep>();
  for (const [name, l] of first.layers) {
    if (l.pools.length > 0 && l.rep.replicas > 1 && l.drawn.fitToRtl && !limits.keepPooledBlocks) refits.set(name, refitToPools(c, l));
  }
  return refits.size === 0 ? first.text : renderPass(c, limits, memory, refits).text;
}

function renderPass(c: NetCase, limits: CaseLimits, memory: MemorySettings, refits: ReadonlyMap<string, Rep>): Rendered {
  const lines: string[] = [];
  const mapping: string[] = [];
  const layers = new Map<string, RenderedLayer>();
  let cores = 0;
  let n = 0;
  let cur: Plane = { name: 'image', channels: c.channels, height: c.height, width: c.width };
  // Whether cur is computed by a weight layer's core (a residual add and a pool need one).
  let computed = false;
  // The weight layer whose core runs the ops that follow (pools fuse into it), and whether it has a threshold.
  let core: RenderedLayer | undefined;
  let coreThreshold = false;
  // cur is a 0/1 threshold output or spikes (or a pool of either): no residual add, threshold or (integrate-and-fire)
  // ReLU of it (IMC131, IMC130, IMC158).
  let binary = false;
  // The LARGER cases' residual add after a pool in its core (at most one per case).
  let pooledAdd = c.pooledAdd && limits.idleAnywhere === true;
  const spiking = isSpiking(c, limits);
  const direct = (name: string, rep: Rep, layout: Layout): void => {
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
    rep: Rep;
    need: number;
    layer: RenderedLayer;
  }
  const conv = (name: string, out: number, k: number, stride: number, pad: number, r: Replication, edgeOk: boolean): Conv => {
    const height = outSize(cur.height, k, stride, pad);
    const width = outSize(cur.width, k, stride, pad);
    const fits = cur.height + 2 * pad >= k && cur.width + 2 * pad >= k;
    const idle = limits.idleAnywhere === true;
    let rep = fits ? fitReplication(r, height, width, edgeOk || idle, true, idle) : { replicas: 1, dW: 1 };
    // SMALL keeps the draws its fixed seeds were picked with: no ragged block in column parts, with a residual add or
    // sending a shortcut (edgeOk false), unless the step keeps it, and no edge blocks in column parts (all built now).
    if (!idle && isRagged(rep) && (!edgeOk || out * rep.replicas > c.tileCols) && r.fitToRtl) rep = fitReplication(r, height, width, edgeOk, false);
    if (!idle && !isRagged(rep) && rep.replicas > 1 && (height % Math.ceil(rep.replicas / rep.dW) !== 0 || width % rep.dW !== 0) && out * rep.replicas > c.tileCols) {
      rep = fitReplication(r, height, width, false, false);
    }
    const need = tiles(c, cur.channels, k, stride, out, rep);
    const refit = refits.get(name);
    const options = `${stride > 1 ? `, stride ${stride}` : ''}${pad > 0 ? `, pad ${pad}` : ''}`;
    const layer: RenderedLayer = { rep: refit ?? rep, drawn: r, need, inChannels: cur.channels, out, k, stride, plane: { height, width }, pools: [] };
    return {
      ok: fits && cores + need <= limits.cores,
      name,
      plane: { name, channels: out, height, width },
      text: `conv(${cur.name}, out ${out}, kernel ${k}x${k}${options})`,
      rep: layer.rep,
      need,
      layer,
    };
  };
  const steps = c.steps;
  steps.forEach((s, i) => {
    if (s.kind === 'conv') {
      const pad = Math.min(s.pad, s.k - 1);
      const out = s.wide && c.tileRows < limits.wide ? c.tileRows + 1 + (s.out % (limits.wide - c.tileRows)) : s.out;
      // SMALL: no edge blocks in a layer that sends a shortcut (the next weight step a residual add of it).
      const next = steps.slice(i + 1).find((t) => t.kind !== 'pool');
      const sendsShortcut = next?.kind === 'residual';
      // With idleAnywhere a replicated layer sending a shortcut always asks for idle pixels (edge or larger ragged
      // blocks), so that residual adds around pools meet them often enough to be swept.
      const made = conv(`l${n}`, out, s.k, s.stride, pad, limits.idleAnywhere && sendsShortcut ? { ...s, edge: true } : s, !sendsShortcut);
      if (!made.ok) return;
      let expr = made.text;
      if (s.bn) expr = `batchnorm(${expr})`;
      if (s.relu) expr = `relu(${expr})`;
      lines.push(`  ${made.name} = ${expr}`);
      direct(made.name, made.rep, s.layout);
      layers.set(made.name, made.layer);
      cores += made.need;
      n++;
      cur = made.plane;
      computed = true;
      core = made.layer;
      coreThreshold = false;
      binary = spiking && s.relu;
    } else if (s.kind === 'residual') {
      if (!computed) return;
      // A 2x2 max pool of the main path before the add: a stride-1 main convolution, a stride-2 projection shortcut;
      // or (a drawn stride of 1, an unreplicated main convolution, or with queuedInReplicas a method-1 replicated one)
      // a queued 3x3/1 max pool padded by 1 and a stride-1 projection shortcut.
      const pooled = pooledAdd && !binary && cur.height % 2 === 0 && cur.width % 2 === 0;
      const stride = pooled ? 1 : s.stride;
      const project = s.project || binary || pooled;
      const out = stride === 1 && !project ? cur.channels : s.out;
      const name = `l${n}`;
      const main = `${name}m`;
      const made = conv(main, out, 3, stride, 1, limits.idleAnywhere ? { ...s, stride, edge: true } : s, false);
      const identity = stride === 1 && out === cur.channels && !project;
      // (BROADER: in method-2 blocks too, where a pixel ends two of the pool's windows, which its stage emits one at a
      // time, and a pool after the add reads each window's shortcut.)
      const queued = pooled && s.stride === 1 && (made.rep.replicas === 1 || (c.queuedInReplicas && (made.rep.dW === 1 || limits.keepPooledBlocks === true)));
      const shortcutStride = pooled && !queued ? 2 : s.stride;
      // The add's plane (the shortcut's) is the pooled one when the add follows the main path's 2x2 pool: a replicated
      // shortcut's block must fit it (IMC052).
      const addedPlane = pooled && !queued ? { ...made.plane, height: made.plane.height / 2, width: made.plane.width / 2 } : made.plane;
      const fitsShortcut = Math.ceil(made.rep.replicas / made.rep.dW) <= addedPlane.height && made.rep.dW <= addedPlane.width;
      const shortcutRep = limits.replicateShortcuts && fitsShortcut ? made.rep : { replicas: 1, dW: 1 };
      const shortcutTiles = identity ? 0 : tiles(c, cur.channels, 1, shortcutStride, out, shortcutRep);
      if (!made.ok || cores + made.need + shortcutTiles > limits.cores) return;
      lines.push(`  ${main} = batchnorm(${made.text})`);
      direct(`${main}`, made.rep, s.layout);
      layers.set(main, made.layer);
      let shortcut = cur.name;
      if (!identity) {
        shortcut = `${name}s`;
        lines.push(`  ${shortcut} = shortcut(${cur.name}, out ${out}${shortcutStride > 1 ? `, stride ${shortcutStride}` : ''})`);
        direct(shortcut, shortcutRep, 'auto');
      }
      if (pooled) {
        made.layer.pools.push(queued ? { height: 3, width: 3, stride: 1, padding: uniformPadding(1) } : { height: 2, width: 2, stride: 2, padding: uniformPadding(0) });
        pooledAdd = false;
      }
      const operand = !pooled ? main : queued ? `maxpool(${main}, size 3, stride 1, pad 1)` : `maxpool(${main}, size 2)`;
      lines.push(`  ${name} = relu(add(${operand}, ${shortcut}))`);
      cores += made.need + shortcutTiles;
      n++;
      cur = { ...addedPlane, name };
      core = made.layer;
      coreThreshold = false;
      binary = spiking;
    } else {
      const pad = Math.min(s.pad, s.size - 1);
      if (!computed || cur.height + 2 * pad < s.size || cur.width + 2 * pad < s.size) return;
      const name = `p${n++}`;
      const stride = s.stride === s.size ? '' : `, stride ${s.stride}`;
      // At most one threshold per neuron core, never of a 0/1 value.
      // An integrate-and-fire target has no threshold op, and a ReLU (a neuron) of spikes is IMC158.
      let act = s.act === 'threshold' && (coreThreshold || binary || spiking) ? 'relu' : s.act;
      if (act === 'relu' && spiking && binary) act = 'none';
      const input = act === 'relu' ? `relu(${cur.name})` : act === 'threshold' ? `threshold(${cur.name}, level ${s.level})` : cur.name;
      lines.push(`  ${name} = ${s.pool}(${input}, size ${s.size}${stride}${pad > 0 ? `, pad ${pad}` : ''})`);
      core!.pools.push({ height: s.size, width: s.size, stride: s.stride, padding: uniformPadding(pad) });
      if (act === 'threshold') coreThreshold = binary = true;
      if (act === 'relu' && spiking) binary = true;
      cur = { name, channels: cur.channels, height: outSize(cur.height, s.size, s.stride, pad), width: outSize(cur.width, s.size, s.stride, pad) };
    }
  });
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
    } else if (gap) {
      core!.pools.push({ height: cur.height, width: cur.width, stride: cur.height, padding: uniformPadding(0) });
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
    ...(spiking
      ? [
          `  neuron_core {`,
          `    ops psum, batchnorm, integrate_and_fire, residual, pool`,
          `    model if`,
          `    threshold ${1 + (c.seed % 3)}`,
          `    leak ${(c.seed >> 2) % 2 === 0 || c.seed % 3 === 0 ? 0 : 1}`,
          `    reset ${(c.seed >> 3) % 2 === 0 ? 'subtract' : 'zero'}`,
          `    steps ${2 + ((c.seed >> 4) % 2)}`,
          `  }`,
        ]
      : [`  neuron_core { ops psum, batchnorm, relu, threshold, residual, pool }`]),
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
  return { text: [`// Random case (test/verify/randomNetworks.ts).`, ...target, ``, ...network, ``].join('\n'), layers };
}

/** Whether a case runs on an integrate-and-fire target: a quarter of them (by the weight seed) where the limits allow. */
export function isSpiking(c: NetCase, limits: CaseLimits): boolean {
  return limits.spiking === true && c.seed % 4 === 0;
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
  // The Program's plan: a core that waits for its residual shortcut keeps the ring columns its wait needs.
  const plan = createProgram(design).memory;
  const words = Math.max(1, ...plan.cores.map((p) => p.figures.words));
  const reads = Math.max(1, ...plan.cores.map((p) => p.readCyclesPerTimestep));
  writeFileSync(file, renderCase(c, limits, { depth: words + c.depthSlack, timestepNs: (reads + c.cycleSlack) * CLOCK_NS }));
  return file;
}


/** Whether two windows of pool `node` end at the same row or column (padding >= stride): its pooled pixels queue. */
function isQueuedPool(node: IrNode, byName: ReadonlyMap<string, IrNode>): boolean {
  const op = node.op;
  if (op.kind !== 'maxpool' && op.kind !== 'avgpool') return false;
  const input = byName.get(node.inputs[0])!.shape;
  const p = op.padding;
  return poolWindowEnds(input.height, op.size, op.stride, p.top, p.bottom).length === 0 || poolWindowEnds(input.width, op.size, op.stride, p.left, p.right).length === 0;
}

/** The features a compiled case exercises (for choosing and checking the fixed seed list). */
export function caseFeatures(design: IrDesign, mapping: Mapping, residualBuffers: readonly ResidualBuffer[] = []): Set<string> {
  const features = new Set<string>();
  const byName = new Map(design.network.nodes.map((n) => [n.name, n]));
  const queuedPool = (node: IrNode): boolean => isQueuedPool(node, byName);
  const isPool = (name: string) => ['maxpool', 'avgpool', 'gap'].includes(byName.get(name)?.op.kind ?? '');
  for (const l of mapping.layers) {
    if (l.rowParts > 1) features.add('row split');
    if (l.colParts > 1) features.add('column split');
    const replicas = l.matrix.replicas.length;
    if (replicas > 1) features.add(l.matrix.method === 2 ? 'method 2' : 'method 1 replicas');
    if (l.matrix.stride > 1) features.add('stride');
    // A kernel position's input channels span row parts.
    if (l.matrix.kernelRows / (l.matrix.kernelHeight * l.matrix.kernelWidth) > design.target.crossbar.rows) features.add('wide channels');
    if (replicas > 1) {
      const block = blockShape(l.matrix.replicas);
      // A ragged block's lattice always cuts blocks at the plane's edges: those are not edge blocks of a grid.
      if (block.ragged) features.add('ragged blocks');
      if (block.ragged && l.fused.some(isPool)) features.add('pool in ragged blocks');
      else if (l.outputShape.height % block.rows !== 0 || l.outputShape.width % block.cols !== 0) features.add('edge blocks');
      for (const f of l.fused.filter(isPool)) features.add(byName.get(f)!.op.kind === 'gap' ? 'gap in a replicated layer' : 'pool in a replicated layer');
      // Column parts that cannot pool their own replicas' windows: one core gathers every part's codes.
      const accumulating = mapping.cores.filter((c) => c.layer === l.layer && c.role === 'accumulate');
      if (l.colParts > 1 && accumulating.length === 1 && l.fused.some(isPool)) features.add('pool in gathered column parts');
      // Windows that end unevenly or together in method-1 blocks, unevenly in method-2 blocks: the core queues its
      // (last pool's) pooled pixels (in column parts the gathering core, over the whole block).
      const group = pooledGroupOf(design, l);
      if (group?.queued) {
        features.add(group.gathered ? 'queued pool in gathered column parts' : block.ragged ? 'queued pool in ragged blocks' : 'queued pool in a replicated layer');
      }
    }
    // Pools after the first in one neuron core run as a chain of pool stages; a ReLU or threshold between two pools
    // is applied at the later stage's input.
    const pools = l.fused.map((f, i) => (isPool(f) ? i : -1)).filter((i) => i >= 0);
    if (pools.length > 1) features.add('pool chain');
    // A pool (not a global average pool) after a queued one reads the pixels the queue sends (a stage or a queue).
    const queued = pools.filter((q) => queuedPool(byName.get(l.fused[q])!));
    if (queued.length > 0 && pools.some((q) => q > queued[0] && byName.get(l.fused[q])!.op.kind !== 'gap')) features.add('pool after a queued pool');
    if (queued.length > 1) features.add('queued pool after a queued pool');
    // Stages that pool by position (the pooled pixels of a method-2 block come in no column order).
    if (pools.length > 1 && l.matrix.replicas.length > 1 && blockShape(l.matrix.replicas).cols > 1) features.add('pool chain in method-2 blocks');
    for (let p = 1; p < pools.length; p++) {
      for (const f of l.fused.slice(pools[p - 1] + 1, pools[p])) {
        const kind = byName.get(f)!.op.kind;
        if (kind === 'relu' || kind === 'threshold') features.add(`${kind} between pools`);
      }
    }
  }
  for (const node of design.network.nodes) {
    const op = node.op;
    if (op.kind === 'conv' && hasPadding(op.padding)) features.add('pad');
    if (op.kind === 'add') features.add('residual add');
    if (op.kind === 'maxpool' || op.kind === 'avgpool') {
      features.add(op.kind);
      if (hasPadding(op.padding)) features.add('padded pool');
      if (op.stride !== op.size) features.add('pool stride != size');
      if (queuedPool(node)) features.add('queued pool');
    }
    if (op.kind === 'gap') features.add('gap');
    if (op.kind === 'fc') features.add('fc');
    if (node.mapping && node.mapping.layout !== 'auto') features.add(`layout ${node.mapping.layout}`);
  }
  for (const f of idleResidualFeatures(design, mapping)) features.add(f);
  // A shortcut that arrives after the adding layer's inputs (the add waits for it).
  if (residualBuffers.some((b) => b.lateShortcutPixels > 0)) features.add('late shortcut');
  const input = design.network.nodes.find((n) => n.op.kind === 'input')!.shape;
  if (input.height % 2 === 1 || input.width % 2 === 1) features.add('odd size');
  return features;
}

/**
 * What the LARGER limits add (idleAnywhere, spiking): integrate-and-fire targets (ragged layers of them), method-2
 * blocks whose plane ends inside their rows, residual adds with idle pixels (edge or ragged blocks) on either side,
 * with a pool in the adding layer's core, or of a replicated layer's pooled pixels, and residual adds after a pool in
 * their core (a queued one too, and a pool, a queued one too, after such an add).
 */
export function idleResidualFeatures(design: IrDesign, mapping: Mapping): Set<string> {
  const features = new Set<string>();
  const byName = new Map(design.network.nodes.map((n) => [n.name, n]));
  const isPool = (name: string) => ['maxpool', 'avgpool'].includes(byName.get(name)?.op.kind ?? '');
  const spiking = design.target.neuronCore.spiking !== undefined;
  if (spiking) features.add('integrate-and-fire');
  // The nodes computed by a layer with idle pixels, and the pools fused into replicated layers.
  const idle = new Set<string>();
  const replicatedPools = new Set<string>();
  for (const l of mapping.layers) {
    if (l.matrix.replicas.length === 1) continue;
    const block = blockShape(l.matrix.replicas);
    const idleRows = l.outputShape.height % block.rows !== 0;
    if (block.ragged || idleRows || l.outputShape.width % block.cols !== 0) for (const n of [l.layer, ...l.fused]) idle.add(n);
    if (block.ragged && spiking) features.add('ragged integrate-and-fire');
    if (!block.ragged && l.matrix.method === 2 && idleRows) features.add('method-2 idle rows');
    for (const f of l.fused.filter(isPool)) replicatedPools.add(f);
  }
  for (const l of mapping.layers) {
    const add = l.fused.map((f) => byName.get(f)!).find((f) => f.op.kind === 'add');
    if (!add) continue;
    const withIdle = idle.has(l.layer) || add.inputs.some((i) => idle.has(i));
    if (withIdle) features.add('residual add with idle pixels');
    if (withIdle && l.fused.some(isPool)) features.add('residual add with idle pixels and a pool after it');
    if (add.inputs.some((i) => replicatedPools.has(i))) features.add(withIdle ? 'residual add of a replicated pool with idle pixels' : 'residual add of a replicated pool');
    if (isPool(add.inputs[0])) features.add(isQueuedPool(byName.get(add.inputs[0])!, byName) ? 'residual add after a queued pool in its core' : 'residual add after a pool in its core');
    // A replicated core that queues pooled pixels (windows that end unevenly in its blocks or together) with the add
    // after a pool: after a queued pool, the last queue before the add reads the shortcut (method 1), or the neuron core
    // adds it before its queue (method 2); before one, the queue after the add adds it at its input.
    const queued = l.matrix.replicas.length > 1 ? pooledGroupOf(design, l)?.queued : undefined;
    if (queued !== undefined && l.fused.slice(0, l.fused.indexOf(add.name)).some(isPool)) {
      const pools = l.fused.filter((f) => isPool(f) || byName.get(f)!.op.kind === 'gap');
      const queueFirst = l.fused.indexOf(pools[queued[0]]) < l.fused.indexOf(add.name);
      features.add(queueFirst ? 'residual add after a queued pool in a replicated core' : 'queued pool after a residual add after a pool in a replicated core');
    }
    // A pool (or the head's global average pool) after that add: the stage (or queue) of the pool after it adds the
    // shortcut, read by the last queue before the add when a queued pool comes before it.
    const later = l.fused.slice(l.fused.indexOf(add.name) + 1);
    if (isPool(add.inputs[0]) && later.some((f) => isPool(f) || byName.get(f)!.op.kind === 'gap')) {
      const queuedBefore = l.fused.slice(0, l.fused.indexOf(add.name)).some((f) => isPool(f) && isQueuedPool(byName.get(f)!, byName));
      features.add(queuedBefore ? 'pool after a residual add after a queued pool in its core' : 'pool after a residual add after a pool in its core');
      if (later.some((f) => isPool(f) && isQueuedPool(byName.get(f)!, byName))) features.add('queued pool after a residual add after a pool in its core');
    }
  }
  return features;
}
