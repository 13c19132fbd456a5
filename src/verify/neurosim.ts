// Running DNN+NeuroSim V1.4 on a compiled design's configs/neurosim/ (through its generated neurosim.sh) and reading
// the figures NeuroSIM/main prints: chip area, latency and energy per image, the layers, the subarray size and the
// operation count (main.cpp's 2 x H x W x Cin x Kh x Kw x Cout, recovered as throughput x latency).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { ToolError } from '../diagnostics/index.js';
import type { NeuroSimSetup } from '../emit/configs/neurosim.js';

type NeuroSimParameters = Pick<
  NeuroSimSetup,
  'synapseBit' | 'numBitInput' | 'numRowSubArray' | 'numColSubArray' | 'numRowParallel' | 'cellBit' | 'levelOutput' | 'novelMapping'
>;
import { writeContent, type OutputFile } from '../emit/output.js';
import { renderTemplate } from '../support/templates.js';
import { withLock } from '../support/lock.js';

export interface NeuroSimReport {
  /** main printed its final "Hardware Performance Done" line. */
  completed: boolean;
  /** Pipelined (Param.cpp pipeline = true, the default) or layer by layer. */
  mode: 'pipelined' | 'layer-by-layer';
  layers: number;
  subArray: { rows: number; cols: number };
  /** Tiles NeuroSim uses per layer, in NetWork.csv order. */
  tilesPerLayer: number[];
  areaUm2: number;
  /** Per image: the pipeline's clock cycle (pipelined) or the sum of the layers' latencies. */
  latencyNs: number;
  dynamicEnergyPj: number;
  leakageEnergyPj: number;
  /** Dynamic plus leakage energy per image. */
  energyPj: number;
  throughputTops: number;
  /** Operations per image: throughput (TOPS) x latency, each as printed (6 significant digits). */
  operations: number;
}

const NUMBER = '([-+0-9.eE]+)';

function figure(text: string, label: string, unit = ''): number {
  const escaped = label.replace(/[()^]/g, (c) => `\\${c}`);
  const m = new RegExp(`^${escaped}\\s*:?\\s*(?:is:)?\\s*${NUMBER}${unit}`, 'm').exec(text);
  if (!m) throw new ToolError('IMC109', { missing: `'${label}'` });
  return Number(m[1]);
}

/** Reads NeuroSIM/main's standard output; throws when a figure is missing (a crash or an unexpected version). */
export function parseNeuroSimReport(stdout: string): NeuroSimReport {
  const completed = stdout.includes('Hardware Performance Done');
  const pipelined = stdout.includes('Chip pipeline-system-clock-cycle (per image)');
  const prefix = pipelined ? 'Chip pipeline-system' : 'Chip';
  const sub = /^User-defined SubArray Size: (\d+)x(\d+)/m.exec(stdout);
  if (!sub) throw new ToolError('IMC109', { missing: "'User-defined SubArray Size'" });
  const layers = new Set([...stdout.matchAll(/^-+ Estimation of Layer (\d+) -+$/gm)].map((m) => m[1])).size;
  const tileBlock = /# of tile used for each layer -+\n((?:layer\d+: \d+\n)+)/.exec(stdout);
  const tilesPerLayer = tileBlock ? [...tileBlock[1].matchAll(/layer\d+: (\d+)/g)].map((m) => Number(m[1])) : [];
  const latencyNs = pipelined ? figure(stdout, 'Chip pipeline-system-clock-cycle (per image)', 'ns') : figure(stdout, 'Chip layer-by-layer readLatency (per image)', 'ns');
  const dynamicEnergyPj = pipelined ? figure(stdout, `${prefix} readDynamicEnergy (per image)`, 'pJ') : figure(stdout, 'Chip total readDynamicEnergy', 'pJ');
  const leakageEnergyPj = pipelined ? figure(stdout, `${prefix} leakage Energy (per image)`, 'pJ') : figure(stdout, 'Chip total leakage Energy', 'pJ');
  const throughputTops = figure(stdout, `Throughput TOPS (${pipelined ? 'Pipelined' : 'Layer-by-Layer'} Process)`);
  return {
    completed,
    mode: pipelined ? 'pipelined' : 'layer-by-layer',
    layers,
    subArray: { rows: Number(sub[1]), cols: Number(sub[2]) },
    tilesPerLayer,
    areaUm2: figure(stdout, 'ChipArea', 'um\\^2'),
    latencyNs,
    dynamicEnergyPj,
    leakageEnergyPj,
    energyPj: dynamicEnergyPj + leakageEnergyPj,
    throughputTops,
    operations: throughputTops * latencyNs * 1e3,
  };
}

/**
 * Builds (when its Param.cpp values changed) and runs NeuroSim through `configDir`/neurosim.sh: `neurosimDir` is
 * NeuroSim's NeuroSIM/ folder, `buildDir` where the copy with this design's Param.cpp is built.
 */
export async function runNeuroSim(configDir: string, neurosimDir: string, buildDir: string): Promise<{ stdout: string; report: NeuroSimReport }> {
  // neurosim.sh rebuilds the build directory in place when its Param.cpp values differ: one run at a time uses it.
  const run = await withLock(`${resolve(buildDir)}.lock`, () => execa('sh', [`${configDir}/neurosim.sh`, neurosimDir, buildDir], { reject: false }));
  if (run.exitCode !== 0) {
    // The compiler's or the program's own words: its last lines of output.
    const output = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-3).join(' | ');
    throw new ToolError('IMC108', { status: run.exitCode ?? run.signal ?? 'unknown', output });
  }
  return { stdout: run.stdout, report: parseNeuroSimReport(run.stdout) };
}

/** NeuroSim's figures per image and the parameters of the run, for report.txt and `imcc compile --json`. */
export interface NeuroSimFigures {
  mode: NeuroSimReport['mode'];
  layers: number;
  areaUm2: number;
  latencyNs: number;
  energyPj: number;
  dynamicEnergyPj: number;
  leakageEnergyPj: number;
  /** The run's command-line and Param.cpp values (the setup's, without its warnings). */
  parameters: NeuroSimParameters;
}

/**
 * Runs NeuroSim on a compiled design's files (before they are written: a failure leaves the output untouched). The
 * configs/neurosim/ files go to a temporary directory; NeuroSim is built in the OS temporary directory, keyed by
 * the NeuroSIM folder and the Param.cpp values, so a second run with the same values only runs it.
 */
export async function runNeuroSimOnFiles(files: readonly OutputFile[], neurosimDir: string, setup: NeuroSimSetup): Promise<NeuroSimFigures> {
  const source = resolve(neurosimDir);
  if (!existsSync(join(source, 'Param.cpp')) || !existsSync(join(source, 'main.cpp'))) {
    throw new ToolError('IMC162', { dir: neurosimDir });
  }
  const configs = files.filter((f) => f.path.startsWith('configs/neurosim/'));
  if (!configs.some((f) => f.path.startsWith('configs/neurosim/input_'))) throw new Error('runNeuroSimOnFiles: the files have no NeuroSim input traces');
  const script = configs.find((f) => f.path === 'configs/neurosim/neurosim.sh');
  const settings = script && /^settings='(.*)'$/m.exec(String(script.content));
  if (!settings) throw new Error('runNeuroSimOnFiles: configs/neurosim/neurosim.sh has no settings line');
  const key = createHash('sha256').update(realpathSync(source)).update('\0').update(settings[1]).digest('hex').slice(0, 16);
  const buildDir = join(tmpdir(), 'imcc-neurosim', key);
  const work = mkdtempSync(join(tmpdir(), 'imcc-neurosim-run-'));
  try {
    for (const f of configs) writeContent(join(work, f.path.slice('configs/neurosim/'.length)), f.content);
    const r = (await runNeuroSim(work, source, buildDir)).report;
    if (!r.completed) throw new ToolError('IMC109', { missing: "final report ('Hardware Performance Done')" });
    return {
      mode: r.mode,
      layers: r.layers,
      areaUm2: r.areaUm2,
      latencyNs: r.latencyNs,
      energyPj: r.energyPj,
      dynamicEnergyPj: r.dynamicEnergyPj,
      leakageEnergyPj: r.leakageEnergyPj,
      parameters: {
        synapseBit: setup.synapseBit,
        numBitInput: setup.numBitInput,
        numRowSubArray: setup.numRowSubArray,
        numColSubArray: setup.numColSubArray,
        numRowParallel: setup.numRowParallel,
        cellBit: setup.cellBit,
        levelOutput: setup.levelOutput,
        novelMapping: setup.novelMapping,
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The files with NeuroSim's figures appended to report.txt (templates/report/neurosim.txt.hbs). */
export function withNeuroSimReport(files: readonly OutputFile[], figures: NeuroSimFigures): OutputFile[] {
  const section = renderTemplate('report/neurosim.txt.hbs', {
    ...figures,
    areaMm2: (figures.areaUm2 / 1e6).toPrecision(6),
    latencyUs: (figures.latencyNs / 1e3).toPrecision(6),
    energyNj: (figures.energyPj / 1e3).toPrecision(6),
    dynamicNj: (figures.dynamicEnergyPj / 1e3).toPrecision(6),
    leakageNj: (figures.leakageEnergyPj / 1e3).toPrecision(6),
  });
  return files.map((f) => (f.path === 'report.txt' ? { path: f.path, content: `${String(f.content)}\n${section}` } : f));
}
