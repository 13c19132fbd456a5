// The one number format of every JSON imcc prints or writes (docs/cli.md, "Numbers"): integers exactly as they
// are; any other number rounded to 6 significant digits, except that a number of a million or more is rounded to
// the nearest integer, so no digit of its integer part is lost. Floating-point noise such as 12754.613981607847
// then never reaches a file, and the text is the same on every machine.

export const JSON_SIGNIFICANT_DIGITS = 6;

/** `x` in the JSON number format: integers and non-finite values unchanged. */
export function roundJsonNumber(x: number): number {
  if (Number.isInteger(x) || !Number.isFinite(x)) return x;
  if (Math.abs(x) >= 1e6) return Math.round(x);
  const rounded = Number(x.toPrecision(JSON_SIGNIFICANT_DIGITS));
  return rounded === 0 ? 0 : rounded; // no -0 in the text
}

/** A deep copy of `value` with every number in the JSON number format (what JSON.stringify would see). */
export function roundJsonNumbers(value: unknown): unknown {
  if (typeof value === 'number') return roundJsonNumber(value);
  if (Array.isArray(value)) return value.map(roundJsonNumbers);
  if (value !== null && typeof value === 'object') {
    const source = value as { toJSON?: () => unknown };
    if (typeof source.toJSON === 'function') return roundJsonNumbers(source.toJSON());
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = roundJsonNumbers(v);
    return out;
  }
  return value;
}

/** JSON text (2-space indent, trailing newline, key order as built) with numbers in the JSON number format. */
export function formatJson(value: unknown): string {
  return JSON.stringify(roundJsonNumbers(value), null, 2) + '\n';
}
