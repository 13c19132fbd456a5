// planMemories: per core, the stored volume, the layout (the layer directive's, else the target's; `auto` picks the
// least memory that fits), word length, depth, Algorithm 2's deltas and the minimum occupancy. A layout that does
// not fit ends in a positioned diagnostic naming the core, what it needs and what the target gives.
import { diagnostic, DiagnosticError, type Diagnostic, type SourceSpan } from '../diagnostics/index.js';
import type { IrDesign, IrNode, LayoutChoice, LayoutName } from '../ir/types.js';
import type { Core, LayerMapping, Mapping } from '../mapping/types.js';
import { mapDesign } from '../mapping/index.js';
import { layerIndex } from '../mapping/layerIndex.js';
import { inputPixelsPerTimestep } from '../mapping/inputRate.js';
import { sentBlock } from '../mapping/replicatedPool.js';
import { nodeNamed, producerOf } from '../ir/nodeIndex.js';
import { uniformPadding } from '../ir/padding.js';
import { LAYOUTS, layoutFigures, makeLayout, storeAddress, type Layout, type LayoutFigures, type StoredVolume } from './layout.js';
import { blockPixels } from '../mapping/block.js';
import {
  buildSchedule,
  coreTiming,
  minimumOccupancy,
  patchPositions,
  requiredColumns,
  storedVolumeOf,
  streamSchedule,
  type CoreMemoryParams,
  type StreamedSchedule,
  type RegionPosition,
  type Schedule,
} from './schedule.js';

/** How one layout fares on one core. */
export interface LayoutCandidate {
  layout: LayoutName;
  figures: LayoutFigures;
  /** Clock cycles the reads of one computation take: region rows x the worst read of one stored row. */
  readCyclesPerTimestep: number;
  fitsDepth: boolean;
  fitsTimestep: boolean;
}

export interface CoreMemoryPlan {
  core: string;
  layer: string;
  /** What the directive or target asked for, and the layout used. */
  layoutChoice: LayoutChoice;
  layout: LayoutName;
  wordBits: number;
  depth: number;
  channels: number;
  activationBits: number;
  pixelBits: number;
  /** Stored volume: height x columns pixels. */
  height: number;
  columns: number;
  deltaKernelBits: number;
  deltaPixBits: number[];
  figures: LayoutFigures;
  readCyclesPerTimestep: number;
  /** Paper's H*(F-P-1)+(F-P): pixels present before the first computation. */
  minOccupancy: number;
  /** All three layouts, for reports. */
  candidates: LayoutCandidate[];
  /** The per-core record the schedule is built from. */
  params: CoreMemoryParams;
}

export interface MemoryPlan {
  /** Controller clock cycles in one timestep: floor(clockHz * timestep). */
  cyclesPerTimestep: number;
  cores: CoreMemoryPlan[];
}

/** Clock cycles per timestep, floor(clockHz * timestepNs * 1e-9) (tolerating float noise in the product). */
export function cyclesPerTimestep(clockHz: number, timestepNs: number): number {
  return Math.floor((clockHz * timestepNs) / 1e9 + 1e-9);
}

/**
 * Read cycles of one computation under one layout: for each region row the core reads, the words its own positions
 * in that row touch (from its first to its last column: a row part reads only its rows and columns), at the worst
 * alignment of the ring. Not the whole stored row: the ring keeps more columns than one computation reads.
 */
export function readCyclesPerComputation(p: CoreMemoryParams, layout: Layout): number {
  const runs = new Map<number, { first: number; last: number }>();
  for (const q of p.positions ?? patchPositions(p)) {
    const run = runs.get(q.dy);
    if (run) {
      run.first = Math.min(run.first, q.dx);
      run.last = Math.max(run.last, q.dx);
    } else runs.set(q.dy, { first: q.dx, last: q.dx });
  }
  let cycles = 0;
  for (const run of runs.values()) cycles += rowRunWords(layout, run.last - run.first + 1);
  return cycles;
}

/** Most words a read of `run` consecutive ring columns of one stored row touches, over every row and ring start. */
export function rowRunWords(layout: Layout, run: number): number {
  const { height, columns, wordBits } = layout.volume;
  const length = Math.min(run, columns);
  // Word boundaries repeat in y with a period dividing the word length.
  const rows = Math.min(height, wordBits);
  let most = 0;
  for (let y = 0; y < rows; y++) {
    for (let start = 0; start < columns; start++) {
      const words = new Set<number>();
      for (let k = 0; k < length; k++) {
        const a = storeAddress(layout, y, (start + k) % columns);
        for (let w = a.word; w <= a.lastWord; w++) words.add(w);
      }
      most = Math.max(most, words.size);
    }
  }
  return most;
}

/** The per-core record: stored volume, kernel geometry, replicas, the core's row part. */
export function coreParams(design: IrDesign, mapping: Mapping, lm: LayerMapping, core: Core, layout: LayoutName): CoreMemoryParams {
  const node = nodeNamed(design.network, lm.layer);
  const m = lm.matrix;
  const rows = m.rowSources.slice(core.part.rowStart, core.part.rowEnd);
  // A row part within one kernel position stores only its channels; one that spans several positions (its rows end
  // inside one pixel's channels and start inside another's, e.g. 40 channels on 32-row tiles) stores whole pixels.
  const positions = new Set(rows.map((r) => `${r.dy},${r.dx}`)).size;
  const channels = positions > 1 ? m.kernelRows / (m.kernelHeight * m.kernelWidth) : new Set(rows.map((r) => r.channel)).size;
  const all = patchPositions({ replicas: m.replicas, stride: m.stride, kernelHeight: m.kernelHeight, kernelWidth: m.kernelWidth });
  const mine = new Map<string, RegionPosition>();
  for (const r of rows) mine.set(`${r.dy},${r.dx}`, { dy: r.dy, dx: r.dx });
  // The producing layer's block of output pixels: they arrive together, in its order; the network input arrives as
  // a block of inputPixelsPerTimestep rows of one column. A replicated producer with a fused pool sends the block of
  // pooled pixels each of its blocks completes (src/mapping/replicatedPool.ts).
  const producer = layerIndex(mapping).get(lm.source);
  const arrivalBlock = producer ? sentBlock(design, producer) : { rows: inputPixelsPerTimestep(design, mapping, lm.source), cols: 1 };
  return {
    layer: lm.layer,
    core: core.id,
    height: lm.inputShape.height,
    width: lm.inputShape.width,
    channels,
    bits: producerOf(design.network, node).activationBits,
    kernelHeight: m.kernelHeight,
    kernelWidth: m.kernelWidth,
    stride: m.stride,
    padding: node.op.kind === 'conv' ? node.op.padding : uniformPadding(0),
    replicas: m.replicas,
    method: m.method,
    dW: m.dW,
    wordBits: design.target.inputMemory.wordBits,
    depth: design.target.inputMemory.depth,
    layout,
    // Timing model (docs/dataflow.md): the network input streams in inputPixelsPerTimestep pixels per timestep; any
    // other core receives its producer's block, as many pixels per timestep as the producer computes (the fastest
    // they can come).
    arrivalsPerTimestep: blockPixels(arrivalBlock),
    arrivalBlock,
    positions: mine.size === all.length ? undefined : all.filter((q) => mine.has(`${q.dy},${q.dx}`)),
  };
}

/** Which layout a layer asks for and where that was written. */
export function layoutRequest(design: IrDesign, node: IrNode): { choice: LayoutChoice; span: SourceSpan } {
  if (node.mapping && node.mapping.layout !== 'auto') return { choice: node.mapping.layout, span: node.mapping.span };
  return { choice: design.target.inputMemory.layout, span: design.target.inputMemory.span };
}

function candidateText(c: LayoutCandidate, depth: number, cycles: number): string {
  return (
    `${c.layout} needs ${c.figures.words} words (depth ${depth}) and ${c.readCyclesPerTimestep} read cycles per ` +
    `timestep (${cycles} available)`
  );
}

/** The shortest timestep (ns) in which `readCycles` cycles fit at the target's clock. */
function timestepFor(readCycles: number, clockHz: number): number {
  return Math.ceil((readCycles * 1e9) / clockHz);
}

/**
 * What would make a core fit when no layout does: the smallest memory depth among the layouts whose reads fit, the
 * shortest timestep among those that fit the depth, and the narrowest wider word (powers of two up to 4096 bits)
 * with which some layout fits both.
 */
function fitHints(design: IrDesign, base: CoreMemoryParams, volume: StoredVolume, candidates: LayoutCandidate[], cycles: number): string[] {
  const { inputMemory, controller } = design.target;
  const hints: string[] = [];
  const readsFit = candidates.filter((c) => c.fitsTimestep);
  if (readsFit.length > 0) {
    const least = readsFit.reduce((a, c) => (c.figures.words < a.figures.words ? c : a));
    hints.push(`a depth of ${least.figures.words} words (${least.layout})`);
  }
  const depthFits = candidates.filter((c) => c.fitsDepth);
  if (depthFits.length > 0) {
    const least = depthFits.reduce((a, c) => (c.readCyclesPerTimestep < a.readCyclesPerTimestep ? c : a));
    hints.push(`a timestep of ${timestepFor(least.readCyclesPerTimestep, controller.clockHz)} ns (${least.layout}, ${least.readCyclesPerTimestep} read cycles)`);
  }
  const wide = widerWord(design, base, volume, LAYOUTS, (words, reads) => words <= inputMemory.depth && reads <= cycles);
  if (wide) hints.push(`${wide.wordBits}-bit words (${wide.layout})`);
  return hints;
}

/**
 * The narrowest wider word (powers of two times the target's, up to 4096 bits) with which one of `layouts` passes
 * `fits` (its words and read cycles at that width), and that layout.
 */
function widerWord(
  design: IrDesign,
  base: CoreMemoryParams,
  volume: StoredVolume,
  layouts: readonly LayoutName[],
  fits: (words: number, reads: number) => boolean,
): { wordBits: number; layout: LayoutName } | undefined {
  for (let wordBits = design.target.inputMemory.wordBits * 2; wordBits <= 4096; wordBits *= 2) {
    const layout = layouts.find((name) => {
      const made = makeLayout(name, { ...volume, wordBits });
      return fits(layoutFigures(made).words, readCyclesPerComputation({ ...base, wordBits }, made));
    });
    if (layout) return { wordBits, layout };
  }
  return undefined;
}

/** ", or N-bit words" when a wider word fits the one layout asked for. */
function orWiderWord(design: IrDesign, base: CoreMemoryParams, volume: StoredVolume, layout: LayoutName, fits: (words: number, reads: number) => boolean): string {
  const wide = widerWord(design, base, volume, [layout], fits);
  return wide ? `, or ${wide.wordBits}-bit words` : '';
}

/**
 * A core's stored volume and how each layout fares on it; `ownColumns`: the columns its own timing needs, fewer than
 * the volume's when the network's timing needs `ringColumns`.
 */
function assessCore(design: IrDesign, mapping: Mapping, lm: LayerMapping, core: Core, cycles: number, ringColumns = 0) {
  const base = coreParams(design, mapping, lm, core, 'PLIP');
  const ownColumns = requiredColumns(base, coreTiming(base));
  const volume = storedVolumeOf(base, Math.max(ownColumns, ringColumns));
  const candidates: LayoutCandidate[] = LAYOUTS.map((layout) => {
    const made = makeLayout(layout, volume);
    const figures = layoutFigures(made);
    const readCyclesPerTimestep = readCyclesPerComputation(base, made);
    return {
      layout,
      figures,
      readCyclesPerTimestep,
      fitsDepth: figures.words <= design.target.inputMemory.depth,
      fitsTimestep: readCyclesPerTimestep <= cycles,
    };
  });
  return { base, volume, candidates, ownColumns };
}

/** Replica counts below `replicas` that the directive's method allows, largest first (method 2: multiples of dW). */
function fewerReplicas(replicas: number, dW: number): number[] {
  const counts: number[] = [];
  for (let r = replicas - 1; r >= 1; r--) if (r % dW === 0) counts.push(r);
  return counts;
}

/**
 * The replica count to drop to: replicas stack region rows (reads) and, for method 2 or a replicated producer, ring
 * columns (words). For the core's own layer, then its producer, the largest smaller replica count with which every
 * core of the core's layer fits (`layout`: the one asked for, or any with auto), found by mapping again: one row part
 * fitting is no fix while another of the same layer does not. `ringColumnsOf`: a core that adds a residual shortcut
 * keeps the ring its wait needs in that mapping (as the plan's own cores do), so that the count hinted does not end in
 * IMC076.
 */
function replicaHint(
  design: IrDesign,
  mapping: Mapping,
  lm: LayerMapping,
  cycles: number,
  layout: LayoutChoice,
  remaps: Map<string, Remapped | null>,
  ringColumnsOf: MemoryPlanOptions['ringColumnsOf'],
): string | undefined {
  const producer = layerIndex(mapping).get(lm.source);
  for (const layer of [lm.layer, producer?.layer]) {
    if (layer === undefined) continue;
    const node = nodeNamed(design.network, layer);
    const directive = node.mapping;
    if (!directive || directive.replicas <= 1) continue;
    for (const replicas of fewerReplicas(directive.replicas, directive.dW)) {
      const remapped = remap(design, node, replicas, remaps);
      if (!remapped) continue;
      const again = remapped.mapping.layers.find((l) => l.layer === lm.layer)!;
      if (ringColumnsOf && again.residualFrom !== undefined) remapped.ringColumns ??= ringColumnsOf(remapped.design, remapped.mapping);
      const fits = again.cores.every((id) => {
        const core = remapped.mapping.cores.find((c) => c.id === id)!;
        const { candidates } = assessCore(design, remapped.mapping, again, core, cycles, remapped.ringColumns?.get(id));
        return candidates.some((c) => (layout === 'auto' || c.layout === layout) && c.fitsDepth && c.fitsTimestep);
      });
      if (fits) return `${replicas} replica${replicas === 1 ? '' : 's'} of layer '${layer}' (${directive.replicas} now)`;
    }
  }
  return undefined;
}

/** A design with one layer's replica count changed, its mapping and, once a hint needs them, its waiting rings. */
interface Remapped {
  design: IrDesign;
  mapping: Mapping;
  ringColumns?: ReadonlyMap<string, number>;
}

/** The design mapped again with `replicas` for one layer (null when the mapping rejects it), once per layer and count. */
function remap(design: IrDesign, node: IrNode, replicas: number, remaps: Map<string, Remapped | null>): Remapped | null {
  const key = `${node.name}:${replicas}`;
  if (!remaps.has(key)) {
    const nodes = design.network.nodes.map((n) => (n === node ? { ...n, mapping: { ...node.mapping!, replicas } } : n));
    const changed = { ...design, network: { ...design.network, nodes } };
    try {
      remaps.set(key, { design: changed, mapping: mapDesign(changed) });
    } catch (err) {
      // A count whose block does not fit the output plane (IMC052) or the grid is no hint.
      if (!(err instanceof DiagnosticError)) throw err;
      remaps.set(key, null);
    }
  }
  return remaps.get(key)!;
}

function fitText(hints: (string | undefined)[]): string {
  const given = hints.filter((h): h is string => h !== undefined);
  return given.length > 0 ? `; it would fit with ${given.join(', or ')}` : '';
}

function orReplicas(hint: string | undefined): string {
  return hint === undefined ? '' : `, or ${hint}`;
}

export interface MemoryPlanOptions {
  /**
   * Per core, the input columns the whole network's timing needs its ring to keep (the dataflow model's
   * `ringColumns`, src/pipeline/program.ts): more than the core's own timing when it waits for its residual shortcut
   * while its producer sends on. A core keeps the larger; IMC076 when that no longer fits its input memory.
   */
  ringColumns?: ReadonlyMap<string, number>;
  /**
   * The same columns for another mapping of the design (the replica hints' candidates): the dataflow's, which runs
   * after this phase, so the caller gives it (src/dataflow/waitingRings.ts waitingRingColumns).
   */
  ringColumnsOf?: (design: IrDesign, mapping: Mapping) => ReadonlyMap<string, number> | undefined;
}

export function planMemories(design: IrDesign, mapping: Mapping, options: MemoryPlanOptions = {}): MemoryPlan {
  const { inputMemory, controller } = design.target;
  const cycles = cyclesPerTimestep(controller.clockHz, controller.timestepNs);
  const diagnostics: Diagnostic[] = [];
  const remaps = new Map<string, Remapped | null>();
  const { ringColumnsOf } = options;
  const cores: CoreMemoryPlan[] = [];
  const coreById = new Map(mapping.cores.map((c) => [c.id, c]));
  for (const lm of mapping.layers) {
    const node = nodeNamed(design.network, lm.layer);
    const request = layoutRequest(design, node);
    for (const id of lm.cores) {
      const core = coreById.get(id)!;
      const { base, volume, candidates, ownColumns } = assessCore(design, mapping, lm, core, cycles, options.ringColumns?.get(id));
      // A ring widened for the shortcut's wait that the depth does not hold is that wait's error (IMC076), not the
      // layout's: it says the columns with and without the wait, and what fits (IMC072's hints, the replica count
      // planned with the wait that count's timing gives).
      const widened = volume.columns > ownColumns;
      const waitError = (): Diagnostic => {
        const asked = candidates.filter((c) => request.choice === 'auto' || c.layout === request.choice);
        return diagnostic('IMC076', request.span, {
          core: id,
          layer: lm.layer,
          columns: volume.columns,
          ownColumns,
          height: volume.height,
          pixelBits: volume.channels * volume.bits,
          depth: inputMemory.depth,
          candidates: asked.map((c) => candidateText(c, inputMemory.depth, cycles)).join('; '),
          hints: fitText([...fitHints(design, base, volume, asked, cycles), replicaHint(design, mapping, lm, cycles, request.choice, remaps, ringColumnsOf)]),
        });
      };
      let chosen: LayoutCandidate | undefined;
      if (request.choice === 'auto') {
        const fitting = candidates.filter((c) => c.fitsDepth && c.fitsTimestep);
        // Least memory; ties keep the order IWAP, KLIP, PLIP.
        chosen = fitting.reduce<LayoutCandidate | undefined>((best, c) => (!best || c.figures.memoryBits < best.figures.memoryBits ? c : best), undefined);
        // Some layout's reads fit, so the depth is what fails.
        if (!chosen && widened && candidates.some((c) => c.fitsTimestep)) {
          diagnostics.push(waitError());
          continue;
        }
        if (!chosen) {
          diagnostics.push(
            diagnostic(
              'IMC072',
              request.span,
              {
                core: id,
                layer: lm.layer,
                height: volume.height,
                columns: volume.columns,
                pixelBits: volume.channels * volume.bits,
                candidates: candidates.map((c) => candidateText(c, inputMemory.depth, cycles)).join('; '),
                hints: fitText([...fitHints(design, base, volume, candidates, cycles), replicaHint(design, mapping, lm, cycles, 'auto', remaps, ringColumnsOf)]),
              },
            ),
          );
          continue;
        }
      } else {
        chosen = candidates.find((c) => c.layout === request.choice)!;
        if (!chosen.fitsDepth && widened) diagnostics.push(waitError());
        else if (!chosen.fitsDepth) {
          diagnostics.push(
            diagnostic(
              'IMC070',
              inputMemory.span,
              {
                core: id,
                layer: lm.layer,
                layout: chosen.layout,
                height: volume.height,
                columns: volume.columns,
                pixelBits: volume.channels * volume.bits,
                words: chosen.figures.words,
                wordBits: inputMemory.wordBits,
                depth: inputMemory.depth,
                alternatives:
                  orWiderWord(design, base, volume, chosen.layout, (words) => words <= inputMemory.depth) +
                  orReplicas(replicaHint(design, mapping, lm, cycles, chosen.layout, remaps, ringColumnsOf)),
              },
            ),
          );
        }
        if (!chosen.fitsTimestep) {
          diagnostics.push(
            diagnostic(
              'IMC071',
              request.span,
              {
                core: id,
                layer: lm.layer,
                layout: chosen.layout,
                reads: chosen.readCyclesPerTimestep,
                cycles,
                clockHz: controller.clockHz,
                timestepNs: controller.timestepNs,
                fittingNs: timestepFor(chosen.readCyclesPerTimestep, controller.clockHz),
                alternatives:
                  orWiderWord(design, base, volume, chosen.layout, (_words, reads) => reads <= cycles) +
                  orReplicas(replicaHint(design, mapping, lm, cycles, chosen.layout, remaps, ringColumnsOf)),
              },
            ),
          );
        }
        if (!chosen.fitsDepth || !chosen.fitsTimestep) continue;
      }
      const params = { ...base, layout: chosen.layout };
      const layout = makeLayout(chosen.layout, volume);
      cores.push({
        core: id,
        layer: lm.layer,
        layoutChoice: request.choice,
        layout: chosen.layout,
        wordBits: inputMemory.wordBits,
        depth: inputMemory.depth,
        channels: volume.channels,
        activationBits: volume.bits,
        pixelBits: layout.pixelBits,
        height: volume.height,
        columns: volume.columns,
        deltaKernelBits: layout.deltaKernelBits,
        deltaPixBits: layout.deltaPixBits,
        figures: chosen.figures,
        readCyclesPerTimestep: chosen.readCyclesPerTimestep,
        minOccupancy: minimumOccupancy(params),
        candidates,
        params,
      });
    }
  }
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics);
  cores.sort((a, b) => coreById.get(a.core)!.index - coreById.get(b.core)!.index);
  return { cyclesPerTimestep: cycles, cores };
}

/** Algorithm 2's address sequence for one core of the plan (from the parameters the plan chose its layout with). */
export function coreSchedule(plan: MemoryPlan, coreId: string): Schedule {
  const planned = plan.cores.find((c) => c.core === coreId);
  if (!planned) throw new RangeError(`no core ${coreId} in the memory plan`);
  return buildSchedule(planned.params, planned);
}

/** coreSchedule's operations one at a time (src/memory/schedule.ts streamSchedule): for outputs that grow with the pixels. */
export function coreStreamedSchedule(plan: MemoryPlan, coreId: string): StreamedSchedule {
  const planned = plan.cores.find((c) => c.core === coreId);
  if (!planned) throw new RangeError(`no core ${coreId} in the memory plan`);
  return streamSchedule(planned.params, planned);
}
