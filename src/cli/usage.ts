// Commander's usage errors as catalogue diagnostics. Commander reports each error with a code
// (`commander.unknownOption`, ...) and an English message whose shape the code fixes (commander/lib/command.js,
// the version package.json pins); the varying parts of that message become the named arguments of one imcc code
// per rule, and commander's "Did you mean ...?" stays, as the {suggestion} argument of IMC142.
import type { CommanderError } from 'commander';
import { ToolError, type DiagnosticCode } from '../diagnostics/index.js';

/** A usage error a command finds itself (options that do not fit together): exit status 2, as commander's. */
export class UsageError<C extends DiagnosticCode = DiagnosticCode> extends ToolError<C> {}

/** Commander's ways out that are not errors (help and version print and exit). */
const NOT_ERRORS = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

function match(pattern: RegExp, err: CommanderError): RegExpExecArray {
  const m = pattern.exec(err.message);
  // Only a commander release with other wording gets here; test/cli/usage.test.ts pins every shape.
  if (!m) throw new Error(`unrecognised ${err.code} message from commander: ${JSON.stringify(err.message)}`);
  return m;
}

/** `(Did you mean --seed?)` on its own line, as commander appends it, becomes ` (did you mean --seed?)`. */
function suggestion(text: string | undefined): string {
  return text === undefined ? '' : ` (did you mean ${text}?)`;
}

/** What an invalid value should have been: imcc's parsers say `expected ...`; commander's choices list them. */
function expectation(reason: string): string {
  const choices = /^Allowed choices are (.*)\.$/.exec(reason);
  if (choices) return `one of ${choices[1]}`;
  return reason.replace(/^expected /, '');
}

/** The diagnostic for a usage error, or undefined for help and version (not errors). */
export function usageDiagnostic(err: CommanderError): ToolError | undefined {
  if (NOT_ERRORS.has(err.code)) return undefined;
  switch (err.code) {
    case 'commander.unknownOption':
    case 'commander.unknownCommand': {
      const m = match(/^error: unknown (option|command) '(.*)'(?:\n\(Did you mean (.*)\?\))?$/s, err);
      return new ToolError('IMC142', { kind: m[1], name: m[2], suggestion: suggestion(m[3]) });
    }
    case 'commander.missingArgument':
      return new ToolError('IMC094', { what: `argument '${match(/^error: missing required argument '(.*)'$/s, err)[1]}'` });
    case 'commander.optionMissingArgument':
      return new ToolError('IMC094', { what: `the value of option '${match(/^error: option '(.*)' argument missing$/s, err)[1]}'` });
    case 'commander.missingMandatoryOptionValue':
      return new ToolError('IMC094', { what: `the required option '${match(/^error: required option '(.*)' not specified$/s, err)[1]}'` });
    case 'commander.invalidArgument': {
      const option = /^error: option '(.*)' (?:argument|value) '(.*)'(?: from env '.*')? is invalid\. (.*)$/s.exec(err.message);
      if (option) return new ToolError('IMC095', { what: `option '${option[1]}'`, value: option[2], expected: expectation(option[3]) });
      const m = match(/^error: command-argument value '(.*)' is invalid for argument '(.*)'\. (.*)$/s, err);
      return new ToolError('IMC095', { what: `argument '${m[2]}'`, value: m[1], expected: expectation(m[3]) });
    }
    case 'commander.excessArguments': {
      const m = match(/^error: too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/s, err);
      const expected = Number(m[2]);
      return new ToolError('IMC096', {
        command: m[1] === undefined ? 'imcc' : `imcc ${m[1]}`,
        expected: expected === 0 ? 'no arguments' : `${expected} argument${expected === 1 ? '' : 's'}`,
        count: m[3],
      });
    }
    case 'commander.conflictingOption': {
      const m = match(/^error: (.*) cannot be used with (.*)$/s, err);
      return new ToolError('IMC097', { option: m[1], other: m[2] });
    }
    default:
      throw new Error(`unrecognised usage error from commander: ${err.code}: ${JSON.stringify(err.message)}`);
  }
}
