// imcc's NeuroSim exports run through the real DNN+NeuroSim V1.4 (IMCC_SIMS, default ../shared/sims): NeuroSim is
// built once (a copy under node_modules/.cache/imcc-neurosim, keyed by its sources), each network's generated
// neurosim.sh sets its Param.cpp values in a copy keyed by those values (a ~10 s relink) and runs NeuroSIM/main to
// completion; the layer count, operation count and subarray size NeuroSim reports must match mapping.json and the
// setup imcc chose.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neurosimSetupFor, simulatorConfigs } from '../../../src/emit/configs/index.js';
import { createProgram } from '../../../src/pipeline/program.js';
import { loadDesign } from '../../../src/ir/load.js';
import type { IrDesign } from '../../../src/ir/types.js';
import { mapDesign } from '../../../src/mapping/index.js';
import { mappingJson } from '../../../src/mapping/json.js';
import { runNeuroSim, type NeuroSimReport } from '../../../src/verify/neurosim.js';
import { NEUROSIM_DIR, simulatorPresent } from './sims.js';
import { baseBuild, NEUROSIM_CACHE as CACHE } from './neurosimBuild.js';
import { runCli } from '../../support/cli.js';
import { validateJson } from '../../../src/support/schema.js';

const NETWORKS = [
  'examples/lenet.imc',
  'test/emit/configs/fixtures/residual.imc',
  'test/emit/configs/fixtures/odd-stride.imc',
  'test/emit/configs/fixtures/mixed-bits.imc',
  'examples/resnet32.imc',
];

function load(file: string): IrDesign {
  const { design, diagnostics } = loadDesign(file);
  if (!design) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return design;
}

interface Run {
  file: string;
  design: IrDesign;
  expectedOperations: number;
  layers: number;
  subArray: number;
  report: NeuroSimReport;
}

const present = simulatorPresent('NeuroSim', NEUROSIM_DIR);

describe.skipIf(!present)('NeuroSim V1.4 builds and runs on every exported network', () => {
  let work = '';
  const runs: Run[] = [];
  let base = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'imcc-neurosim-'));
    base = await baseBuild();
    for (const file of NETWORKS) {
      const design = load(file);
      const mapping = mapDesign(design);
      const dir = join(work, design.network.name);
      for (const f of simulatorConfigs(createProgram(design, { mapping })).filter((x) => x.path.startsWith('configs/neurosim/'))) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      const script = readFileSync(join(dir, 'configs/neurosim/neurosim.sh'), 'utf8');
      const settings = /^settings='(.*)'$/m.exec(script)![1];
      const build = join(CACHE, `param-${createHash('sha256').update(base).update(settings).digest('hex').slice(0, 16)}`);
      const { report } = await runNeuroSim(join(dir, 'configs/neurosim'), base, build);
      const json = mappingJson(mapping, design) as unknown as { layers: Array<{ kind: string; kernelRows: number; kernelCols: number; kernelHeight: number; kernelWidth: number; inputShape: { channels: number; height: number; width: number } }> };
      // NeuroSim's count (main.cpp): 2 x H x W x Cin x Kh x Kw x Cout per NetWork.csv line, an fc being 1x1 on 1x1.
      const expectedOperations = json.layers.reduce(
        (sum, l) => sum + 2 * (l.kind === 'fc' ? l.kernelRows * l.kernelCols : l.inputShape.height * l.inputShape.width * l.inputShape.channels * l.kernelHeight * l.kernelWidth * l.kernelCols),
        0,
      );
      runs.push({ file, design, expectedOperations, layers: json.layers.length, subArray: neurosimSetupFor(design, mapping).numRowSubArray, report });
    }
  }, 1_200_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs to completion on lenet, the residual, odd-stride and mixed-bit networks and ResNet-32', () => {
    expect(runs.map((r) => r.file)).toEqual(NETWORKS);
    for (const r of runs) expect(r.report.completed, r.file).toBe(true);
  });

  it('reports as many layers as mapping.json, the subarray imcc chose and mapping.json\'s operation count', () => {
    const rows: string[] = [];
    for (const r of runs) {
      expect(r.report.layers, r.file).toBe(r.layers);
      expect(r.report.subArray, r.file).toEqual({ rows: r.subArray, cols: r.subArray });
      // TOPS x latency, each printed to 6 significant digits.
      expect(Math.abs(r.report.operations / r.expectedOperations - 1), r.file).toBeLessThan(2e-5);
      rows.push(`${r.design.network.name}: ${r.report.layers} layers, ${r.report.subArray.rows}x${r.report.subArray.cols} subarrays, ${r.expectedOperations} operations, area ${r.report.areaUm2} um^2, latency ${r.report.latencyNs} ns, energy ${r.report.energyPj} pJ per image`);
    }
    console.log(rows.join('\n'));
  });
});

describe.skipIf(!present)('imcc compile --neurosim-run', () => {
  it('puts NeuroSim\'s area, latency and energy per image and its parameters into report.txt and --json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'imcc-neurosim-cli-'));
    try {
      // The cached build has NeuroSim's object files, so the run only relinks with this design's Param.cpp.
      const run = await runCli(['compile', 'test/emit/configs/fixtures/odd-stride.imc', '-o', join(out, 'o'), '--neurosim-run', await baseBuild(), '--json']);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      validateJson('compile', summary);
      expect(summary.neurosim).toMatchObject({ mode: 'pipelined', layers: 4, parameters: { synapseBit: 4, numBitInput: 4, cellBit: 3 } });
      for (const k of ['areaUm2', 'latencyNs', 'energyPj']) expect(summary.neurosim[k]).toBeGreaterThan(0);
      const report = readFileSync(join(out, 'o/report.txt'), 'utf8');
      expect(report).toContain('== NeuroSim (DNN+NeuroSim V1.4, --neurosim-run) ==');
      expect(report).toContain(`chip area  ${(summary.neurosim.areaUm2 / 1e6).toPrecision(6)} mm^2`);
      expect(report).toContain(`subarray ${summary.neurosim.parameters.numRowSubArray}x${summary.neurosim.parameters.numColSubArray}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('imcc compile and NeuroSim without NeuroSim', () => {
  it('IMC160/IMC161 are warnings when NeuroSim is asked for (--neurosim-traces), not otherwise', async () => {
    const out = mkdtempSync(join(tmpdir(), 'imcc-neurosim-warn-'));
    try {
      const asked = await runCli(['compile', 'test/emit/configs/fixtures/odd-stride.imc', '-o', join(out, 'a'), '--neurosim-traces']);
      expect(asked.code, asked.stderr).toBe(0);
      expect(asked.stderr).toContain('warning IMC160: configs/neurosim: NeuroSim\'s chip hierarchy needs');
      expect(asked.stderr).toContain("warning IMC161: configs/neurosim: NeuroSim cannot express 15 device levels: NeuroSim's cellBit 3 stores 8 levels per cell");
      const plain = await runCli(['compile', 'test/emit/configs/fixtures/odd-stride.imc', '-o', join(out, 'b')]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stderr).not.toContain('IMC16');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  /** A stand-in NeuroSIM/ folder whose Makefile runs `recipe` to make `main` (neurosim.sh builds with make). */
  function fakeNeuroSim(root: string, recipe: string): string {
    const dir = join(root, 'NeuroSIM');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Param.cpp'), 'int numRowSubArray = 128;\n');
    writeFileSync(join(dir, 'main.cpp'), '');
    writeFileSync(join(dir, 'Makefile'), `main:\n\t${recipe}\n`);
    return dir;
  }

  /** The figures NeuroSIM/main prints for a layer-by-layer run, without its final 'Hardware Performance Done'. */
  const PARTIAL_REPORT = [
    'User-defined SubArray Size: 64x64',
    'ChipArea : 1000um^2',
    'Chip layer-by-layer readLatency (per image) is: 10ns',
    'Chip total readDynamicEnergy is: 5pJ',
    'Chip total leakage Energy is: 1pJ',
    'Throughput TOPS (Layer-by-Layer Process): 0.5',
  ];

  it('IMC108: NeuroSim\'s build fails (the message ends with its last lines of output); IMC109: its output is incomplete', async () => {
    const out = mkdtempSync(join(tmpdir(), 'imcc-neurosim-fake-'));
    const design = 'test/emit/configs/fixtures/odd-stride.imc';
    try {
      const broken = fakeNeuroSim(join(out, 'broken'), 'echo "main.cpp:1:1: error: expected declaration" >&2; exit 1');
      const build = await runCli(['compile', design, '-o', join(out, 'o'), '--neurosim-run', broken]);
      expect(build.code).toBe(1);
      expect(build.stderr).toMatch(/^imcc: error IMC108: --neurosim-run: NeuroSim's build or run exited with 2: .*main\.cpp:1:1: error: expected declaration.*\n$/);
      // A main that prints its figures but stops before the final report, then one that prints only the subarray size.
      const script = (lines: string[]): string => `printf '%s\\n' '#!/bin/sh' ${lines.map((l) => `'echo "${l}"'`).join(' ')} > main && chmod +x main`;
      const stopped = fakeNeuroSim(join(out, 'stopped'), script(PARTIAL_REPORT));
      const early = await runCli(['compile', design, '-o', join(out, 'o'), '--neurosim-run', stopped]);
      expect(early.stderr).toBe("imcc: error IMC109: --neurosim-run: NeuroSim's output has no final report ('Hardware Performance Done') (it stopped early, or is not DNN+NeuroSim V1.4)\n");
      const other = fakeNeuroSim(join(out, 'other'), script(PARTIAL_REPORT.slice(0, 1)));
      const figures = await runCli(['compile', design, '-o', join(out, 'o'), '--neurosim-run', other]);
      expect(figures.stderr).toBe("imcc: error IMC109: --neurosim-run: NeuroSim's output has no 'Chip layer-by-layer readLatency (per image)' (it stopped early, or is not DNN+NeuroSim V1.4)\n");
      expect(existsSync(join(out, 'o'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('IMC162: a folder that is not NeuroSIM/ is an error, and nothing is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'imcc-neurosim-missing-'));
    try {
      const run = await runCli(['compile', 'examples/lenet.imc', '-o', join(out, 'o'), '--neurosim-run', join(out, 'nowhere')]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`imcc: error IMC162: --neurosim-run: ${join(out, 'nowhere')} is not NeuroSim's NeuroSIM folder (no Param.cpp and main.cpp)`);
      expect(existsSync(join(out, 'o'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
