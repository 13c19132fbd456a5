// Option parsers shared by every command, one per kind of value, so the same option reads and fails the same way
// everywhere (a bad value is a usage error, exit 2, with commander's message).
import { InvalidArgumentError } from 'commander';

/** Seeds are 32-bit unsigned integers everywhere (input images, noise); every command defaults to the same seed. */
export const SEED_MAX = 0xffffffff;
export const DEFAULT_SEED = 1;

/** A whole number in [min, max], written in decimal digits. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, what = 'a whole number'): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
      throw new InvalidArgumentError(`expected ${what} ${range}`);
    }
    return n;
  };
}

/** --seed S of every command. */
export const seedOption = {
  flags: '--seed <S>',
  parse: wholeNumber(0, SEED_MAX, 'a seed'),
  default: DEFAULT_SEED,
} as const;
