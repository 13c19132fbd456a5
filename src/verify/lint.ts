// Lint (Verilator -Wall) and synthesis (Yosys) of a generated RTL set, through execa. The crossbar is a black box for
// synthesis (its file declares `(* blackbox *)` under `ifdef SYNTHESIS`, which Yosys defines); everything else must
// synthesize without latches and pass `check -assert`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface ToolRun {
  ok: boolean;
  /** Warnings and errors (Verilator `%Warning` / `%Error` lines; Yosys's error output). */
  messages: string[];
}

function verilogFiles(rootDir: string, fileList: string): string[] {
  return readFileSync(join(rootDir, fileList), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//'));
}

/** `verilator --lint-only -Wall` over the whole set; ok only with zero warnings. */
export async function lintRtl(rootDir: string, fileList: string, top: string): Promise<ToolRun> {
  const result = await execa('verilator', ['--lint-only', '-Wall', '--top-module', top, ...verilogFiles(rootDir, fileList)], {
    cwd: rootDir,
    reject: false,
    all: true,
  });
  const messages = String(result.all ?? '')
    .split('\n')
    .filter((l) => l.startsWith('%'));
  return { ok: result.exitCode === 0 && messages.length === 0, messages };
}

/**
 * Yosys `synth -top TOP; check -assert` and no latch cells; ok when Yosys exits cleanly. `coarse` stops before the
 * fine (gate-level) stage: processes, FSMs and memories are inferred and checked (memories stay $mem cells, as an SRAM
 * macro would), which is what whole-network designs need; the full gate mapping of ResNet-32's 43 memories and
 * multipliers would take hours in a generic flow.
 */
export async function synthesizeRtl(
  rootDir: string,
  fileList: string,
  top: string,
  options: { coarse?: boolean } = {},
): Promise<ToolRun & { cells: number }> {
  const script = [
    `read_verilog ${verilogFiles(rootDir, fileList).join(' ')}`,
    options.coarse ? `synth -top ${top} -run :fine` : `synth -top ${top}`,
    'check -assert',
    'select -assert-none t:$_DLATCH*_ t:$dlatch t:$adlatch t:$dlatchsr',
    'stat',
  ].join('; ');
  const result = await execa('yosys', ['-p', script], { cwd: rootDir, reject: false, all: true });
  const output = String(result.all ?? '');
  const cells = [...output.matchAll(/Number of cells:\s+(\d+)/g)].map((m) => Number(m[1]));
  const messages = output.split('\n').filter((l) => /ERROR|Warning: .*latch|Assertion failed/i.test(l));
  return { ok: result.exitCode === 0, messages, cells: cells.length > 0 ? cells[cells.length - 1] : 0 };
}

/** Icarus Verilog in strict Verilog-2005 mode (`iverilog -g2005`): the RTL uses no SystemVerilog outside simulation-only blocks. */
export async function checkVerilog2005(rootDir: string, fileList: string, top: string): Promise<ToolRun> {
  const result = await execa('iverilog', ['-g2005', '-o', '/dev/null', '-s', top, ...verilogFiles(rootDir, fileList)], {
    cwd: rootDir,
    reject: false,
    all: true,
  });
  const messages = String(result.all ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return { ok: result.exitCode === 0 && messages.length === 0, messages };
}
