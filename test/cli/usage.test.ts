// Commander's usage errors as catalogue codes (src/cli/usage.ts): one code per rule, commander's wording parsed into
// named arguments, its suggestion kept, exit status 2 and the usage hint after the message.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { runCli } from '../support/cli.js';
import { EXIT } from '../../src/cli/exit.js';
import { usageDiagnostic } from '../../src/cli/usage.js';

afterEach(() => vi.restoreAllMocks());

const LENET = 'examples/lenet.imc';
const HINT = '(run with --help for usage)\n';

async function usage(args: string[]): Promise<string> {
  const run = await runCli(args);
  expect(run.code, run.stderr).toBe(EXIT.usage);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith(HINT), run.stderr).toBe(true);
  return run.stderr.slice(0, -HINT.length);
}

describe('usage errors of imcc', () => {
  it('IMC142: an unknown option or command, with commander\'s suggestion of a near name when it has one', async () => {
    expect(await usage(['check', LENET, '--no-such-option'])).toBe("imcc: error IMC142: unknown option '--no-such-option'\n");
    expect(await usage(['map', LENET, '--jsn'])).toBe("imcc: error IMC142: unknown option '--jsn' (did you mean --json?)\n");
    expect(await usage(['bogus'])).toBe("imcc: error IMC142: unknown command 'bogus'\n");
    expect(await usage(['compil', LENET])).toBe("imcc: error IMC142: unknown command 'compil' (did you mean compile?)\n");
  });

  it('IMC094: a missing argument, option value or required option', async () => {
    expect(await usage(['check'])).toBe("imcc: error IMC094: missing argument 'file'\n");
    expect(await usage(['simulate', LENET, '--batch'])).toBe("imcc: error IMC094: missing the value of option '--batch <n>'\n");
    expect(await usage(['memory', '--height', '8', '--word-bits', '16'])).toBe("imcc: error IMC094: missing the required option '--channels <N>'\n");
  });

  it('IMC095: an option value its parser rejects (the parser says what it expected), or not one of its choices', async () => {
    expect(await usage(['simulate', LENET, '--batch', 'x'])).toBe("imcc: error IMC095: option '--batch <n>' 'x' is invalid: expected a number of images from 1 to 100,000\n");
    expect(await usage(['simulate', LENET, '--granularity', 'frame'])).toBe("imcc: error IMC095: option '--granularity <g>' 'frame' is invalid: expected one of pixel, block\n");
  });

  it('IMC095 also for values a command checks against each other (imcc replicate), with the same exit status 2', async () => {
    expect(await usage(['replicate', '--cin', '1', '--cout', '1', '--kernel', '3', '--replicas', '2', '--dw', '4'])).toBe(
      "imcc: error IMC095: option '--dw <w>' '4' is invalid: expected at most --replicas (2): the block is dW pixels wide\n",
    );
    expect(await usage(['replicate', '--cin', '65536', '--cout', '1', '--kernel', '64', '--replicas', '4096', '--dw', '64'])).toMatch(
      /^imcc: error IMC095: option '--replicas <n>' '4096' is invalid: expected fewer: these replicas read up to [\d,]+ crossbar rows; the calculator builds at most 1,048,576\n$/,
    );
  });

  it('IMC096: more arguments than the command takes (and imcc diff, which takes 2 or git\'s 7)', async () => {
    expect(await usage(['check', LENET, LENET])).toBe("imcc: error IMC096: imcc check takes 1 argument, got 2\n");
    expect(await usage(['diff', 'a.sched', 'b.sched', 'x', 'y', 'z'])).toBe("imcc: error IMC096: imcc diff takes OLD NEW, or git's 7 arguments, got 5\n");
  });

  it('IMC097: options that exclude each other', async () => {
    expect(await usage(['simulate', LENET, '--sweep', '--sweep-batch'])).toBe("imcc: error IMC097: option '--sweep' cannot be used with option '--sweep-batch'\n");
  });

  it('no command prints the help, and --help and --version are no errors', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toMatch(/^Usage: imcc /);
    expect((await runCli(['--version'])).code).toBe(EXIT.ok);
  });
});

/** The CommanderError a bare commander program throws for `args`. */
function commanderError(program: Command, args: string[]): CommanderError {
  program.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {}, outputError: () => {} });
  try {
    program.parse(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err;
    throw err;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

describe('usageDiagnostic on the message shapes imcc\'s own commands do not produce', () => {
  it('an invalid command-argument value is IMC095 too', () => {
    const program = new Command().argument('<count>', 'a count', (v: string) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number');
      return Number(v);
    });
    const d = usageDiagnostic(commanderError(program, ['x']));
    expect(d).toMatchObject({ code: 'IMC095', message: "argument 'count' 'x' is invalid: expected a whole number" });
  });

  it('a program without arguments given one says "no arguments"', () => {
    const d = usageDiagnostic(commanderError(new Command().action(() => {}), ['x']));
    expect(d).toMatchObject({ code: 'IMC096', message: 'imcc takes no arguments, got 1' });
  });

  it('an error commander reports in words the mapping does not know is an internal error, not a silent pass-through', () => {
    expect(() => usageDiagnostic(new CommanderError(1, 'commander.unknownOption', 'error: something else'))).toThrow(/unrecognised commander.unknownOption/);
    expect(() => usageDiagnostic(new CommanderError(1, 'commander.error', 'error: custom'))).toThrow(/unrecognised usage error/);
  });
});
