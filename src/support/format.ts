// The one number format of human-readable tables and summaries (docs/cli.md, "Numbers"): digits grouped in threes
// with commas, in a fixed locale so the text is the same on every machine. Machine-readable output (.sched, CSV,
// JSON) never uses these.

function groupInteger(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A whole number with grouped digits (`1,024`); a non-integer is rounded to the nearest whole number first. */
export function groupDigits(n: number): string {
  const s = groupInteger(Math.round(Math.abs(n)).toString());
  return n < 0 && s !== '0' ? `-${s}` : s;
}

/** `n` with `decimals` fixed decimals and a grouped integer part (`1,234.567`). */
export function groupDecimal(n: number, decimals: number): string {
  const [whole, fraction] = Math.abs(n).toFixed(decimals).split('.');
  const s = fraction === undefined ? groupInteger(whole) : `${groupInteger(whole)}.${fraction}`;
  return n < 0 && /[1-9]/.test(s) ? `-${s}` : s;
}
