// imcc report DESIGN|DIR -o FILE: report.html alone, for a .imc design or an output directory of imcc compile (its
// recorded source is recompiled in memory, so the page is the one compile writes). Written whole or not at all.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ToolError } from '../../diagnostics/index.js';
import { errnoReason, writeFileAtomic } from '../../support/files.js';
import { printDiagnostics, printText } from '../io.js';
import { EXIT } from '../exit.js';
import { IMCC_VERSION } from '../version.js';
import type { SetStatus } from './index.js';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The design file to load: FILE itself, or the entry source recorded in DIR's output marker. */
async function designFile(target: string): Promise<string> {
  if (!isDirectory(target)) return target;
  const { readOutputMarker } = await import('../../emit/output.js');
  let entry: unknown;
  try {
    const marker = readOutputMarker(target);
    entry = marker?.tool === 'imcc' ? marker.entry : undefined;
  } catch {
    entry = undefined;
  }
  if (typeof entry !== 'string' || !existsSync(join(target, entry))) {
    throw new ToolError('IMC170', { target });
  }
  return join(target, entry);
}

function writeReport(path: string, html: string): void {
  if (isDirectory(path)) throw new ToolError('IMC171', { path, reason: 'it is a directory' });
  try {
    writeFileAtomic(path, html);
  } catch (err) {
    const reason = errnoReason(err);
    throw new ToolError('IMC171', { path, reason });
  }
}

export function registerReport(program: Command, setStatus: SetStatus): void {
  program
    .command('report')
    .description('write the HTML report (charts of the core grid, pipeline, throughput and input memories) of a design')
    .argument('<target>', 'a .imc design, or an output directory of imcc compile')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .action(async (target: string, opts: { output: string }) => {
      // Loaded on demand, like compile: the report is built by the whole compile.
      const { compileDesign } = await import('../../pipeline/compile.js');
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { design, sources, warnings } = loadDesignForCli(await designFile(target));
      const result = withSources(sources, () => compileDesign({ design, sources, version: IMCC_VERSION, warnings }));
      const report = result.files.find((f) => f.path === 'report.html');
      if (report === undefined || typeof report.content !== 'string') throw new Error('compile produced no report.html');
      writeReport(opts.output, report.content);
      printDiagnostics(result.warnings, sources);
      printText(`report of ${design.network.name} on ${design.target.name} in ${opts.output}`);
      setStatus(EXIT.ok);
    });
}
