// The simulator tests of the binary and the integrate-and-fire fixtures share their set-up: load the fixture, write its
// exports, and run CrossSim 3.2 on every layer's exported configuration with the operands of the reference model.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { ConfigFile } from '../../../src/emit/configs/index.js';
import { loadDesign } from '../../../src/ir/load.js';
import { createProgram, type Program } from '../../../src/pipeline/program.js';
import { layerOperands } from './layers.js';
import { CROSSSIM_DIR, PYTHON, REPO_ROOT } from './sims.js';

export interface CrossSimLayersResult {
  loaded: number;
  layers: Array<{ layer: string; idealMaxError: number }>;
}

/** The compiled program of a fixture (throws with its diagnostics when it does not load). */
export function fixtureProgram(fixture: string): Program {
  const { design, diagnostics } = loadDesign(fixture);
  if (!design) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return createProgram(design);
}

export function writeConfigFiles(files: readonly ConfigFile[], dir: string): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/**
 * Writes the CrossSim exports of `files` into a new folder (returned, for the caller to remove) and runs
 * test/emit/configs/crosssim_check.py on every layer with the reference model's operands (at most 48 input vectors).
 */
export async function runCrossSimLayers(p: Program, files: readonly ConfigFile[], prefix: string): Promise<{ work: string; result: CrossSimLayersResult }> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  writeConfigFiles(files.filter((f) => f.path.startsWith('configs/crosssim/')), work);
  const dir = join(work, 'configs/crosssim');
  const index = JSON.parse(files.find((f) => f.path === 'configs/crosssim/index.json')!.content);
  const job = {
    seed: 1,
    load: index.layers.map((l: { parameters: string }) => join(dir, l.parameters)),
    layers: layerOperands(p.design, p.mapping, 48).map((op) => {
      const entry = index.layers.find((l: { layer: string }) => l.layer === op.layer);
      return { layer: op.layer, config: join(dir, entry.parameters), outputScale: entry.outputScale, rowsPerArray: p.design.target.crossbar.rows, weights: op.weights, inputs: op.inputs };
    }),
  };
  const jobFile = join(work, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  const run = await execa(PYTHON, [join(REPO_ROOT, 'test/emit/configs/crosssim_check.py'), jobFile], { env: { PYTHONPATH: CROSSSIM_DIR } });
  return { work, result: JSON.parse(run.stdout.trim().split('\n').pop()!) };
}
