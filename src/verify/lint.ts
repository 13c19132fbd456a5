// Lint (Verilator -Wall) and the Verilog-2005 check (Icarus) of a generated RTL set, through execa. Synthesis is in
// ./synth.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface ToolRun {
  ok: boolean;
  /** Warnings and errors (Verilator `%Warning` / `%Error` lines; Yosys's error output). */
  messages: string[];
}

/** The Verilog files of a file list (paths relative to the output directory), comments and blank lines left out. */
export function verilogFiles(rootDir: string, fileList: string): string[] {
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
