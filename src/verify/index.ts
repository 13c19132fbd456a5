// Verification of generated RTL: build it with Verilator (cached), drive seeded input images through the generated
// testbench (every second image interrupted by a reset pulse mid-stream and streamed again; or, with `stream`, all
// images back to back in one simulation, src/verify/stream.ts), and compare memory
// addresses with the Algorithm 2 schedules, ADC outputs and activations with the reference model, and the network
// output with the reference output. `verifyOutputDir` verifies a compiled
// output directory as it is on disk (hand edits included), rebuilding the golden from the recorded design source.
import { inputNode, outputNode as networkOutput, sentVolume } from '../ir/nodeIndex.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DiagnosticError, ToolError } from '../diagnostics/index.js';
import type { IrDesign } from '../ir/types.js';
import { loadDesign } from '../ir/load.js';
import { applyOptimizeDirective } from '../optimize/index.js';
import { generateInputImage } from '../ir/weights.js';
import type { Mapping } from '../mapping/types.js';
import { coreSchedule, cyclesPerTimestep } from '../memory/index.js';
import { createProgram, type Program } from '../pipeline/program.js';
import { busyTimesteps, simulateDataflow } from '../dataflow/index.js';
import { layerSending } from '../mapping/layerIndex.js';
import { sentBlock } from '../mapping/replicatedPool.js';
import type { Schedule } from '../memory/schedule.js';
import { runReference } from '../reference/index.js';
import { emitRtl, rtlNames } from '../emit/rtl/index.js';
import { OUTPUT_MARKER, readOutputMarker } from '../emit/output.js';
import { compareTrace, scheduleAccesses, type Comparison, type CoreInfo, type Mismatch } from './compare.js';
import { splitStream, type ImageEventCounts } from './stream.js';
import { compareTimesteps } from './timesteps.js';
import { parseTrace, type Trace } from './trace.js';
import { buildWithVerilator, randomInitArgs, runSimulation } from './verilator.js';
import type { BuildProgress } from './buildProgress.js';
export { formatBuildProgress, type BuildProgress } from './buildProgress.js';
import { registerTemporary } from '../support/files.js';
import { recordWaveform, waveformWindow, type Waveform, type WaveformOptions } from './waveform.js';
import { coverage, type CoreCoverage } from './coverage.js';
import { rtlStepCycles, stepTiming, type StepTiming } from './stepTiming.js';

export { compareTrace, scheduleAccesses, type Mismatch, type MismatchKind, type Comparison, type CoreInfo } from './compare.js';
export { parseTrace, type Trace } from './trace.js';
export { coverage, coverageText, type CoreCoverage } from './coverage.js';
export { rtlStepCycles, stepTiming, stepTimingText, type StepTiming } from './stepTiming.js';
export { buildWithVerilator, runSimulation, buildKey, verilatorVersion, VERILATOR_FLAGS } from './verilator.js';

/** The JSON `imcc verify --json` prints (schemas/verify.schema.json). */
export interface VerifyResult {
  pass: boolean;
  comparisons: number;
  mismatches: number;
  cycles: number;
  seconds: number;
  firstMismatch: Mismatch | null;
  /** Per core: activations, non-zero, saturated, ring wraps (src/verify/coverage.ts), summed over the images. */
  coverage: CoreCoverage[];
  /** One entry per image run (options.images); the totals above sum them. */
  images: ImageRun[];
  /** True when the images ran back to back in one simulation (options.stream). */
  stream: boolean;
  /** How the RTL's steps compare with the target's timestep (stepTiming). */
  stepTiming: StepTiming;
}

/** One image of a verification run. */
export interface ImageRun {
  /** Seed of the input image and of the registers' random start values. */
  seed: number;
  /** Clock cycle at which a reset pulse interrupted the stream (then streamed again from its first pixel), or null. */
  resetAtCycle: number | null;
  comparisons: number;
  mismatches: number;
  /** Clock cycles after the last reset; null in a stream, whose images share one run (the total). */
  cycles: number | null;
}

export type VerifyStage = 'emit' | 'build' | 'simulate' | 'reference' | 'compare';

export interface VerifyOptions {
  /** Seed of the input image (src/ir/weights.ts generateInputImage); default 1. */
  seed?: number;
  /**
   * Images to run (default 1). Image i has seed `seed + i` (input and register start values); every odd-numbered image
   * (the 2nd, 4th, ...) is interrupted by a reset pulse halfway through the first image's clock cycles and then streamed
   * again from its first pixel, so a register the reset forgets keeps a mid-stream value and shows; the others check
   * the random start values (which a mid-stream reset overrides).
   */
  images?: number;
  /** Reset pulse at this clock cycle in every image instead (the same mid-stream reset, first image included). */
  resetAtCycle?: number;
  /**
   * Run the images back to back in one simulation, no reset between them (image i has input seed `seed + i`; the
   * registers' random start values come from `seed`; resetAtCycle is ignored): each image's activations, ADC outputs
   * and network outputs are compared with its own reference, its memory addresses with the schedules (image k's ring
   * columns k * width on) and the first image's crossbar operations' timesteps with the dataflow model
   * (src/verify/stream.ts). Image k enters at the dataflow model's timestep for it (imageStarts).
   */
  stream?: boolean;
  /** The input image (CHW activations) for the design, instead of the seeded one (e.g. read from a .npy file). */
  imageFor?: (design: IrDesign) => Int32Array;
  /** Build cache directory (default: src/verify/cache.ts defaultCacheDir). */
  cacheDir?: string;
  /** Clock cycles after which the simulation gives up (default: cycleCap, from the dataflow model's latency). */
  maxCycles?: number;
  /** Called as each stage starts. */
  onStage?: (stage: VerifyStage) => void;
  /** Called as the Verilator build compiles each C++ file (src/verify/buildProgress.ts). */
  onBuildProgress?: (progress: BuildProgress) => void;
  /** Build with Verilator --trace and keep a VCD and address trace (src/verify/waveform.ts). */
  waveform?: WaveformOptions;
}

/** Extra facts of a run that the tests and the bench use (not part of the JSON contract). */
export interface VerifyDetails extends VerifyResult {
  /** Timesteps of the first image. */
  timesteps: number;
  built: boolean;
  byKind: Record<string, number>;
  /** With options.waveform: where the VCD and the address trace are. */
  waveform?: Waveform;
}

/** The cap is this many times the cycles the design is expected to take, plus a fixed allowance for reset and drain. */
export const CYCLE_CAP_MARGIN = { factor: 4, extra: 10_000 } as const;

/**
 * Clock cycles after which a run counts as stalled: the dataflow model's latency of one image (timesteps) times the
 * target's clock cycles of a timestep, plus, for every layer whose step takes longer in the RTL (rtlStepCycles), the
 * excess at each of its busy timesteps; with CYCLE_CAP_MARGIN. A stalled LeNet then stops after a fraction of a second
 * instead of a fixed 50 million cycles.
 */
export function cycleCap(program: Program): { expected: number; cap: number } {
  const { design, singleImageDataflow } = program;
  const target = cyclesPerTimestep(design.target.controller.clockHz, design.target.controller.timestepNs);
  const steps = rtlStepCycles(program);
  // Per layer: its busy timesteps times its slowest core's excess over the target's step.
  const excess = singleImageDataflow.layers.reduce((sum, l) => sum + l.busyTimesteps * Math.max(0, ...l.cores.map((c) => (steps.get(c) ?? 0) - target)), 0);
  const expected = singleImageDataflow.latencyTimesteps * target + excess;
  return { expected, cap: expected * CYCLE_CAP_MARGIN.factor + CYCLE_CAP_MARGIN.extra };
}

function coreInfos(mapping: Mapping, depth: number): CoreInfo[] {
  return mapping.cores.map((c) => ({ id: c.id, index: c.index, layer: c.layer, emits: c.role !== 'partial', depth }));
}

export interface Simulation {
  trace: Trace;
  /** False when the Verilator build came from the cache. */
  built: boolean;
  binary: string;
}

/**
 * How one simulation run starts: the registers' random seed, an optional mid-stream reset (clock cycle) and, for a
 * stream, the timestep each image's first pixel enters at (none: each follows the one before it at once).
 */
export interface RunControl {
  seed: number;
  resetAtCycle: number | null;
  imageStarts?: readonly number[];
}

/** Testbench arguments of a run: random register start values, the mid-stream reset and the images' starts (templates/tb). */
export function runControlArgs(control: RunControl): string[] {
  return [
    ...randomInitArgs(control.seed),
    ...(control.resetAtCycle === null ? [] : [`+imcc+reset+cycle+${control.resetAtCycle}`]),
    ...(control.imageStarts === undefined || control.imageStarts.length < 2 ? [] : [`+imcc+image+starts+${control.imageStarts.slice(1).join(',')}`]),
  ];
}

/** Builds (cached) and runs the RTL under `dir` (rtl/, tb/) on one image (CHW); returns the parsed trace. */
export async function simulateRtlDirectory(
  dir: string,
  program: Program,
  image: Int32Array,
  options: VerifyOptions = {},
  control: RunControl = { seed: options.seed ?? 1, resetAtCycle: null },
): Promise<Simulation> {
  const { design, mapping } = program;
  const names = rtlNames(design, mapping);
  for (const f of [names.fileList, names.testbench]) {
    if (!existsSync(join(dir, f))) throw new ToolError('IMC113', { dir, file: f });
  }
  options.onStage?.('build');
  const build = await buildWithVerilator({
    rootDir: dir,
    fileList: names.fileList,
    testbench: names.testbench,
    topModule: names.top,
    cacheDir: options.cacheDir,
    trace: options.waveform !== undefined,
    onProgress: options.onBuildProgress,
  });
  const work = mkdtempSync(join(tmpdir(), 'imcc-verify-'));
  const releaseWork = registerTemporary(work);
  try {
    options.onStage?.('simulate');
    const imagePath = join(work, 'image.txt');
    const tracePath = join(work, 'trace.txt');
    writeFileSync(imagePath, Array.from(image).join('\n') + '\n');
    const args = [imagePath, tracePath, String(options.maxCycles ?? cycleCap(program).cap), ...runControlArgs(control)];
    const run = await runSimulation(build.binary, args, resolve(dir));
    if (!existsSync(tracePath)) throw new ToolError('IMC114', { step: 'run (it wrote no trace)', output: run.stderr.trim() });
    return { trace: parseTrace(readFileSync(tracePath, 'utf8'), run.stdout), built: build.built, binary: build.binary };
  } finally {
    rmSync(work, { recursive: true, force: true });
    releaseWork();
  }
}

/**
 * Per core, the timestep of each crossbar operation of one image in the dataflow model at 'block' granularity (one
 * operation per timestep, as the RTL's controllers compute), fed at the same input rate as the RTL. The row parts of
 * a split layer compute each block together in both (the model times them at the latest of their inputs), so every
 * core, partial or not, is expected at its own timesteps.
 */
export function modelOperationTimesteps(program: Program): Map<string, number[]> {
  return new Map((program.blockDataflow.activity ?? []).map((a) => [a.core, busyTimesteps(a)]));
}

/** Verifies the RTL under `dir` (rtl/, tb/) against the golden of `design`, on options.images images. */
export async function verifyRtlDirectory(dir: string, program: Program, options: VerifyOptions = {}): Promise<VerifyDetails> {
  const { design, mapping, memory: memoryPlan } = program;
  const started = performance.now();
  const input = inputNode(design.network);
  const seed = options.seed ?? 1;
  const imageCount = Math.max(1, Math.floor(options.images ?? 1));
  const schedules = new Map<string, Schedule>();
  for (const core of mapping.cores) schedules.set(core.id, coreSchedule(memoryPlan, core.id));
  const outputNode = networkOutput(design.network);
  const infos = coreInfos(mapping, design.target.inputMemory.depth);
  const outputLayer = layerSending(mapping, design.network.output);
  // A replicated output layer with a pool sends blocks of its pooled plane (src/mapping/replicatedPool.ts).
  const outputBlock = outputLayer ? sentBlock(design, outputLayer) : { rows: 1, cols: 1 };
  const operationTimesteps = modelOperationTimesteps(program);
  // The output core sends the pixels of its output's volume (a flatten moves none); the reference's output is in
  // that volume's CHW order.
  const outputVolume = sentVolume(design.network, outputNode);

  const runs: ImageRun[] = [];
  const byKind: Record<string, number> = {};
  const coverages: CoreCoverage[][] = [];
  const comparisons: Comparison[] = [];
  // The first run (the stream), which a waveform records again with the same control and cycle cap.
  let first: { trace: Trace; built: boolean; binary: string; image: Int32Array; timestep: number | null; control: RunControl; maxCycles: number } | null = null;
  // Integrate-and-fire designs run the image's T timesteps one after the other: each is compared with its own.
  const spiking = design.target.neuronCore.spiking !== undefined;
  const imageOf = (imageSeed: number): Int32Array => options.imageFor?.(design) ?? generateInputImage(imageSeed, input.shape, input.activationBits);
  const referenceOf = (image: Int32Array) => runReference(program.reference, image, { recordColumns: true, recordTimesteps: spiking });
  const tallyImage = (run: ImageRun, comparison: Comparison, trace: Trace): void => {
    runs.push(run);
    for (const [kind, n] of Object.entries(comparison.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
    coverages.push(coverage(trace, design, mapping, schedules));
    comparisons.push(comparison);
  };
  // The first image's first mismatch that has one.
  const firstMismatch = (): Mismatch | null => comparisons.find((c) => c.firstMismatch !== null)?.firstMismatch ?? null;
  if (options.stream) {
    if (spiking) throw new ToolError('IMC286', { network: design.network.name });
    const images = Array.from({ length: imageCount }, (_, i) => imageOf(seed + i));
    const stream = new Int32Array(images.reduce((n, im) => n + im.length, 0));
    images.forEach((im, i) => stream.set(im, i * im.length));
    const cap = options.maxCycles ?? cycleCap(program).cap * imageCount;
    const starts = simulateDataflow(design, mapping, { batch: imageCount, granularity: 'block' }).imageStarts;
    const control: RunControl = { seed, resetAtCycle: null, imageStarts: starts };
    const simulation = await simulateRtlDirectory(dir, program, stream, { ...options, maxCycles: cap }, control);
    options.onStage?.('reference');
    const references = images.map(referenceOf);
    options.onStage?.('compare');
    const traces = splitStream(simulation.trace, imageCount, streamCounts(infos, schedules, references[0], outputVolume, imageCount));
    traces.forEach((trace, i) => {
      // The dataflow model's timesteps describe one image from an empty pipeline: the first image's.
      const compared = compareTrace(trace, infos, schedules, references[i], outputVolume, outputBlock, i === 0 ? operationTimesteps : undefined, i);
      const first = compared.firstMismatch;
      const comparison = first === null ? compared : { ...compared, firstMismatch: { ...first, what: `image ${i} of the stream (seed ${seed + i}): ${first.what}` } };
      tallyImage({ seed: seed + i, resetAtCycle: null, comparisons: comparison.comparisons, mismatches: comparison.mismatches, cycles: null }, comparison, trace);
    });
    first = { ...simulation, image: stream, timestep: firstMismatch()?.timestep ?? null, control, maxCycles: cap };
  }
  for (let i = 0; !options.stream && i < imageCount; i++) {
    const half = first === null || i % 2 === 0 ? null : Math.max(1, Math.floor(first.trace.cycles / 2));
    const control: RunControl = { seed: seed + i, resetAtCycle: options.resetAtCycle ?? half };
    const image = imageOf(control.seed);
    const { trace, built, binary } = await simulateRtlDirectory(dir, program, image, options, control);
    options.onStage?.('reference');
    const reference = referenceOf(image);
    options.onStage?.('compare');
    const comparison = spiking
      ? compareTimesteps(trace, infos, schedules, reference, outputVolume, outputBlock)
      : compareTrace(trace, infos, schedules, reference, outputVolume, outputBlock, operationTimesteps);
    tallyImage({ seed: control.seed, resetAtCycle: control.resetAtCycle, comparisons: comparison.comparisons, mismatches: comparison.mismatches, cycles: trace.cycles }, comparison, trace);
    if (first === null) first = { trace, built, binary, image, timestep: comparison.firstMismatch?.timestep ?? null, control, maxCycles: options.maxCycles ?? cycleCap(program).cap };
  }
  const { trace, built, binary, image, control, maxCycles } = first!;
  const waveform =
    options.waveform === undefined
      ? undefined
      : await recordWaveform(
          { binary, rtlDir: dir, image, maxCycles, extraArgs: runControlArgs(control) },
          trace,
          mapping,
          waveformWindow(first!.timestep, trace.timesteps, options.waveform.window),
          options.waveform,
        );
  const mismatches = runs.reduce((sum, r) => sum + r.mismatches, 0);
  return {
    pass: mismatches === 0,
    comparisons: runs.reduce((sum, r) => sum + r.comparisons, 0),
    mismatches,
    cycles: options.stream ? trace.cycles : runs.reduce((sum, r) => sum + (r.cycles ?? 0), 0),
    seconds: Math.round((performance.now() - started) / 10) / 100,
    firstMismatch: firstMismatch(),
    coverage: sumCoverage(coverages),
    images: runs,
    stream: options.stream === true,
    stepTiming: stepTiming(program),
    timesteps: trace.timesteps,
    built,
    byKind,
    waveform,
  };
}

/** Each image's events per core in a stream of `images` (schedule and reference counts), for splitStream. */
function streamCounts(
  cores: readonly CoreInfo[],
  schedules: Map<string, Schedule>,
  reference: ReturnType<typeof runReference>,
  outputVolume: { height: number; width: number },
  images: number,
): ImageEventCounts {
  const accesses = new Map(cores.map((c) => [c.index, Array.from({ length: images }, (_, k) => scheduleAccesses(schedules.get(c.id)!, k))]));
  const adc = (c: CoreInfo): number => reference.cores?.find((r) => r.core === c.id)?.postAdc.length ?? 0;
  return {
    writes: new Map(cores.map((c) => [c.index, accesses.get(c.index)!.map((a) => a.writes.length)])),
    reads: new Map(cores.map((c) => [c.index, accesses.get(c.index)!.map((a) => a.reads.length)])),
    adc: new Map(cores.map((c) => [c.index, adc(c)])),
    outputPixels: outputVolume.height * outputVolume.width,
    layerOf: new Map(cores.map((c) => [c.index, c.layer])),
    planes: new Map(reference.layers.map((l) => [l.layer, l.shape])),
  };
}

/** Per core, the sum of several runs' coverage (the cores come in the same order in each). */
function sumCoverage(runs: readonly CoreCoverage[][]): CoreCoverage[] {
  return runs[0].map((c, k) => ({
    ...c,
    activations: runs.reduce((s, r) => s + r[k].activations, 0),
    nonZero: runs.reduce((s, r) => s + r[k].nonZero, 0),
    saturated: runs.reduce((s, r) => s + r[k].saturated, 0),
    // Ring wraps are a property of the schedule, the same in every run.
    ringWraps: c.ringWraps,
  }));
}

/** Generates the RTL of a mapped design into a temporary directory and verifies it. */
export async function verifyDesign(program: Program, options: VerifyOptions = {}): Promise<VerifyDetails> {
  options.onStage?.('emit');
  const files = emitRtl(program);
  const dir = mkdtempSync(join(tmpdir(), 'imcc-rtl-'));
  const releaseDir = registerTemporary(dir);
  try {
    for (const f of files) {
      const path = join(dir, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    return await verifyRtlDirectory(dir, program, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    releaseDir();
  }
}

/** Where the design source of a compiled output directory is: the marker's entry, relative to the directory (imcc compile copies the sources under source/). */
export function recordedEntry(dir: string): string {
  let marker: ReturnType<typeof readOutputMarker>;
  try {
    marker = readOutputMarker(dir);
  } catch {
    throw new ToolError('IMC253', { dir, marker: OUTPUT_MARKER });
  }
  if (!marker) throw new ToolError('IMC113', { dir, file: OUTPUT_MARKER });
  const entry = marker.entry;
  if (typeof entry !== 'string' || entry === '') throw new ToolError('IMC254', { dir, marker: OUTPUT_MARKER });
  const candidates = isAbsolute(entry) ? [entry] : [join(dir, entry), join(dir, 'source', entry), resolve(entry)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ToolError('IMC255', { entry, dir });
  return found;
}

/** Verifies a compiled output directory as it is on disk. */
export async function verifyOutputDir(dir: string, options: VerifyOptions = {}): Promise<VerifyDetails> {
  const entry = recordedEntry(dir);
  const loaded = loadDesign(entry);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (loaded.design === null || errors.length > 0) throw new DiagnosticError(loaded.diagnostics, loaded.sources);
  // The design as compile saw it: a mapping `optimize` directive chooses the replication the same way again.
  return verifyRtlDirectory(dir, createProgram(applyOptimizeDirective(loaded.design)), options);
}
export { lintRtl, checkVerilog2005, type ToolRun } from './lint.js';
export { synthesizeRtl, type SynthResult, type SynthUnit } from './synth.js';
