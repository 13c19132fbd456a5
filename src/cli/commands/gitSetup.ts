// imcc git-setup [--global]: makes `git diff` review *.sched files with `imcc diff`. Sets diff.imcc.command to the
// command that started this imcc (node, its flags and the script: the same imcc whether it is installed, run by npx or
// from a source checkout, where `imcc` is not on PATH) and adds `*.sched diff=imcc` to the work tree's .gitattributes.
// The script is recorded by its real path: npx runs a checkout's own bin through a link in its cache, which may be
// cleaned later.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ToolError } from '../../diagnostics/index.js';
import { printText } from '../io.js';
import type { SetStatus } from './index.js';

export const GIT_ATTRIBUTES_LINE = '*.sched diff=imcc';

/** POSIX shell quoting: git runs diff.<driver>.command through the shell. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line that runs this imcc again. */
export function imccCommandLine(): string {
  return [process.execPath, ...process.execArgv, realpathSync(process.argv[1])].map(shellQuote).join(' ');
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    const why = e.code === 'ENOENT' ? 'git is not installed (not on PATH)' : (e.stderr ?? '').trim().split('\n')[0];
    throw new ToolError('IMC140', { args: args[0], why });
  }
}

export function registerGitSetup(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('git-setup')
    .description("make `git diff` review *.sched files with imcc diff (sets diff.imcc.command, adds '*.sched diff=imcc' to .gitattributes)")
    .option('--global', 'set the command in your global git config instead of this repository\'s')
    .action((opts: { global?: boolean }) => {
      const top = git(['rev-parse', '--show-toplevel']);
      const command = `${imccCommandLine()} diff`;
      git(['config', opts.global ? '--global' : '--local', 'diff.imcc.command', command]);
      const attributes = join(top, '.gitattributes');
      const current = existsSync(attributes) ? readFileSync(attributes, 'utf8') : '';
      const has = current.split('\n').some((l) => l.trim() === GIT_ATTRIBUTES_LINE);
      if (!has) appendFileSync(attributes, `${current === '' || current.endsWith('\n') ? '' : '\n'}${GIT_ATTRIBUTES_LINE}\n`);
      printText(
        `git config ${opts.global ? '--global' : '--local'} diff.imcc.command ${shellQuote(command)}\n` +
          (has ? `.gitattributes already has '${GIT_ATTRIBUTES_LINE}'` : `added '${GIT_ATTRIBUTES_LINE}' to .gitattributes (commit it)`),
      );
    });
}
