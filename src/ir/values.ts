// Reading typed values out of the generic `key values` statements: numbers with ranges, units, words. Every
// problem becomes a positioned diagnostic in the shared collector; readers return undefined after reporting.
import type { Diagnostics } from '../diagnostics/index.js';
import type { Atom, Body, Located, Property } from '../dsl/ast.js';
// A value is quoted in messages as its source spells it.
import { atomSource } from '../dsl/format.js';

export function kindWord(a: Atom): string {
  switch (a.kind) {
    case 'number':
      return `the number ${atomSource(a)}`;
    case 'quantity':
      return `${atomSource(a)}`;
    case 'dims':
      return `the dimensions ${a.text}`;
    case 'name':
      return `the name '${a.name}'`;
    case 'string':
      return `the string ${atomSource(a)}`;
  }
}

/** Units by dimension, each with its power of ten relative to the dimension's base unit (the unit the IR stores). */
export const UNITS = {
  time: { base: 'ns', exponents: { s: 9, ms: 6, us: 3, ns: 0, ps: -3 } },
  frequency: { base: 'Hz', exponents: { Hz: 0, kHz: 3, MHz: 6, GHz: 9 } },
  bandwidth: { base: 'Gbps', exponents: { bps: -9, kbps: -6, Mbps: -3, Gbps: 0, Tbps: 3 } },
  conductance: { base: 'S', exponents: { S: 0, mS: -3, uS: -6, nS: -9, pS: -12 } },
  resistance: { base: 'Ohm', exponents: { Ohm: 0, kOhm: 3, MOhm: 6, GOhm: 9 } },
  voltage: { base: 'V', exponents: { V: 0, mV: -3 } },
  percent: { base: '%', exponents: { '%': 0 } },
} as const satisfies Record<string, { base: string; exponents: Record<string, number> }>;
export type Dimension = keyof typeof UNITS;

function dimensionOf(unit: string): Dimension | undefined {
  for (const [dim, spec] of Object.entries(UNITS)) if (unit in spec.exponents) return dim as Dimension;
  return undefined;
}

/**
 * Converts a decimal literal to the base unit by shifting its decimal exponent, so `0.1uS` is exactly the double
 * nearest to 1e-7 (multiplying by 1e-6 would not be).
 */
export function scaleDecimal(text: string, exponent: number): number {
  const m = /^(\d+(?:\.\d+)?)(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return NaN;
  const e = (m[2] === undefined ? 0 : Number(m[2])) + exponent;
  return Number(`${m[1]}e${e}`);
}

export interface Range {
  min: number;
  max: number;
  /** Exclusive minimum (a strictly positive real). */
  minExclusive?: boolean;
}

function rangeText(r: Range): string {
  const lo = r.minExclusive ? `more than ${r.min}` : `at least ${r.min}`;
  return `${lo} and at most ${r.max.toLocaleString('en-US')}`;
}

/** A cursor over the atoms of one statement (all groups, or one group), reading typed values in order. */
export class AtomReader {
  private i = 0;
  constructor(
    private readonly diags: Diagnostics,
    private readonly atoms: readonly Atom[],
    /** Where to point when a value is missing: the statement. */
    private readonly owner: Located,
    private readonly what: string,
  ) {}

  peek(): Atom | undefined {
    return this.atoms[this.i];
  }
  atEnd(): boolean {
    return this.i >= this.atoms.length;
  }
  next(): Atom | undefined {
    return this.atoms[this.i++];
  }

  private missing(label: string): undefined {
    this.diags.report('IMC010', this.owner, { what: this.what, missing: label, hint: '' });
    return undefined;
  }

  /** Checks a numeric value against a range; reports IMC014 / IMC015. */
  checkNumber(at: Located, value: number, label: string, range: Range, integer: boolean): number | undefined {
    if (!Number.isFinite(value)) {
      this.diags.report('IMC241', at, { what: this.what, label, allowed: ` (${rangeText(range)} is allowed)` });
      return undefined;
    }
    if (integer && !Number.isInteger(value)) {
      this.diags.report('IMC015', at, { what: this.what, label });
      return undefined;
    }
    if (value < range.min || (range.minExclusive && value <= range.min) || value > range.max) {
      this.diags.report('IMC014', at, { what: this.what, label, range: rangeText(range), value: formatNumber(value) });
      return undefined;
    }
    return value;
  }

  /** A plain number (no unit). */
  number(label: string, range: Range, integer = true): number | undefined {
    const a = this.next();
    if (!a) return this.missing(label);
    if (a.kind !== 'number') {
      if (a.kind === 'quantity') this.diags.report('IMC239', a, { what: this.what, label, found: atomSource(a) });
      else this.diags.report('IMC012', a, { what: this.what, label, form: ' (a number)', found: kindWord(a) });
      return undefined;
    }
    return this.checkNumber(a, a.negative ? -a.value : a.value, label, range, integer);
  }

  /** `N bits` or `Nbits`. */
  bits(label: string, range: Range = { min: 1, max: 32 }): number | undefined {
    const a = this.next();
    if (!a) return this.missing(`${label} (N bits)`);
    if (a.kind === 'quantity') {
      if (a.unit !== 'bits' && a.unit !== 'bit') {
        this.diags.report('IMC240', a, { what: this.what, label, unit: a.unit });
        return undefined;
      }
      return this.checkNumber(a, a.negative ? -a.value : a.value, label, range, true);
    }
    if (a.kind !== 'number') {
      this.diags.report('IMC012', a, { what: this.what, label, form: ' (N bits)', found: kindWord(a) });
      return undefined;
    }
    const unit = this.peek();
    if (unit?.kind === 'name' && (unit.name === 'bits' || unit.name === 'bit')) this.i++;
    else {
      this.diags.report('IMC238', a, { what: this.what, label, text: a.text });
      return undefined;
    }
    return this.checkNumber(a, a.negative ? -a.value : a.value, label, range, true);
  }

  /** A number with a unit of the given dimension, converted to the dimension's base unit. */
  quantity(label: string, dim: Dimension, range: Range): number | undefined {
    const a = this.next();
    if (!a) return this.missing(label);
    const spec = UNITS[dim];
    const units = Object.keys(spec.exponents).join(', ');
    if (a.kind === 'number') {
      this.diags.report('IMC237', a, { what: this.what, label, units });
      return undefined;
    }
    if (a.kind !== 'quantity') {
      this.diags.report('IMC012', a, { what: this.what, label, form: ' (a number with a unit)', found: kindWord(a) });
      return undefined;
    }
    const exponent = (spec.exponents as Record<string, number>)[a.unit];
    if (exponent === undefined) {
      const actual = dimensionOf(a.unit);
      if (actual) this.diags.report('IMC013', a, { what: this.what, unit: a.unit, actual, label, dimension: dim, units });
      else this.diags.report('IMC236', a, { what: this.what, unit: a.unit, units });
      return undefined;
    }
    const magnitude = scaleDecimal(a.text.slice(0, a.text.length - a.unit.length), exponent);
    if (!Number.isFinite(a.value) || !Number.isFinite(magnitude)) {
      this.diags.report('IMC241', a, { what: this.what, label, allowed: '' });
      return undefined;
    }
    const value = a.negative ? -magnitude : magnitude;
    const baseRange = range;
    if (value < baseRange.min || (baseRange.minExclusive && value <= baseRange.min) || value > baseRange.max) {
      this.diags.report('IMC014', a, {
        what: this.what,
        label,
        range: `${rangeText(baseRange)} ${spec.base}`,
        value: `${formatNumber(value)} ${spec.base}`,
      });
      return undefined;
    }
    return value;
  }

  /** Integer dimensions `AxB` (or a single integer N meaning NxN when `square` is allowed). */
  /** COUNT sizes written NxN..; RANGE applies to each, or is given per dimension. */
  dims(label: string, count: number, range: Range | readonly Range[], square = false): number[] | undefined {
    const rangeOf = (i: number): Range => (Array.isArray(range) ? (range as readonly Range[])[i] : (range as Range));
    const a = this.next();
    if (!a) return this.missing(label);
    if (a.kind === 'number' && square) {
      let v: number | undefined = a.negative ? -a.value : a.value;
      for (let i = 0; i < count && v !== undefined; i++) v = this.checkNumber(a, v, label, rangeOf(i), true);
      return v === undefined ? undefined : new Array<number>(count).fill(v);
    }
    if (a.kind !== 'dims') {
      this.diags.report('IMC012', a, { what: this.what, label, form: ` as ${new Array(count).fill('N').join('x')}`, found: kindWord(a) });
      return undefined;
    }
    if (a.values.length !== count) {
      this.diags.report('IMC231', a, { what: this.what, label, count, form: new Array(count).fill('N').join('x'), found: a.text });
      return undefined;
    }
    const out: number[] = [];
    for (const [i, v] of a.values.entries()) {
      const c = this.checkNumber(a, v, label, rangeOf(i), true);
      if (c === undefined) return undefined;
      out.push(c);
    }
    return out;
  }

  /** One of a fixed set of words. */
  word<T extends string>(label: string, options: readonly T[]): T | undefined {
    const a = this.next();
    if (!a) return this.missing(`${label} (${options.join(' | ')})`);
    if (a.kind !== 'name' || !(options as readonly string[]).includes(a.name)) {
      this.diags.report('IMC012', a, { what: this.what, label, form: `: ${options.join(' | ')}`, found: kindWord(a) });
      return undefined;
    }
    return a.name as T;
  }

  /** Consumes `word` if it is next. */
  optionalWord(word: string): boolean {
    const a = this.peek();
    if (a?.kind === 'name' && a.name === word) {
      this.i++;
      return true;
    }
    return false;
  }

  string(label: string): string | undefined {
    const a = this.next();
    if (!a) return this.missing(label);
    if (a.kind !== 'string') {
      this.diags.report('IMC012', a, { what: this.what, label, form: ' (a "string")', found: kindWord(a) });
      return undefined;
    }
    return a.value;
  }

  /** Reports anything left over. */
  end(): void {
    const a = this.peek();
    if (a) this.diags.report('IMC232', a, { what: this.what, found: kindWord(a) });
    this.i = this.atoms.length;
  }
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e15 || (Math.abs(v) < 1e-3 && v !== 0)) return v.toExponential();
  return String(v);
}

/** All atoms of a property, across comma groups. */
export function allAtoms(p: Property): Atom[] {
  return p.groups.flat();
}

/** Reader over every atom of a property (commas ignored). */
export function reader(diags: Diagnostics, p: Property, what = p.key.name): AtomReader {
  return new AtomReader(diags, allAtoms(p), p, what);
}

export interface SectionSpec {
  /** Allowed keys; `true` marks a key that takes a `{ ... }` body instead of values. */
  keys: Record<string, 'values' | 'body'>;
  required?: string[];
}

/**
 * Indexes the statements of a `{ ... }` section by key: unknown keys (IMC011), keys given twice (IMC019), values
 * where a body belongs and the reverse (IMC012), and missing required keys (IMC020, at `owner`).
 */
export function section(diags: Diagnostics, body: Body | undefined, owner: Located, what: string, spec: SectionSpec): Map<string, Property> {
  const found = new Map<string, Property>();
  for (const p of body?.statements ?? []) {
    const key = p.key.name;
    const shape = spec.keys[key];
    if (shape === undefined) {
      diags.report('IMC011', p.key, { what: `${what} property`, key, expected: Object.keys(spec.keys).join(', '), hint: '' });
      continue;
    }
    if (found.has(key)) {
      const first = found.get(key)!;
      diags.report('IMC019', p.key, { what, key, first: ` (first at line ${first.span.line})` });
      continue;
    }
    if (p.selector) diags.report('IMC233', p.selector, { what, key });
    if (shape === 'body' && !p.body) {
      if (!p.recovered) diags.report('IMC234', p.key, { what, key });
      continue;
    }
    if (shape === 'body' && p.groups.length > 0) diags.report('IMC234', p.groups[0][0], { what, key });
    if (shape === 'values' && p.body) diags.report('IMC235', p.body, { what, key });
    found.set(key, p);
  }
  const missing = (spec.required ?? []).filter((key) => !found.has(key));
  if (missing.length > 0) diags.report('IMC020', owner, { what, missing: missing.map((k) => `'${k}'`).join(', ') });
  return found;
}
