// Random valid networks (issue 19, test/verify/randomNetworks.ts) through compile and Verilator verify. Every case
// compiles without an internal error; a case the RTL generator does not implement yet comes out as a positioned IMC112
// warning of a known kind (docs/rtl.md), counted by kind; every other case verifies bit-exact. A fixed seed list
// keeps npm test fast; `npm run bench` sweeps more seeds and larger cases (bench/randomNetworks.ts).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics/index.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';
import { caseFeatures, caseForSeed, loadCase, netCaseArb, REFUSALS, SMALL, writeCase, type NetCase } from './randomNetworks.js';

/**
 * Verified in Verilator: together they cover every feature in FEATURES (checked below), in seven small builds (seed 3:
 * a gapped 1x1/3 max pool then a global average pool in one core, IMC112 before the pool stages; seed 120: a 2x2/1
 * average pool padded by 1 whose windows end together, IMC112 before the pooled-pixel queue).
 */
const VERIFIED_SEEDS = [37, 126, 28, 128, 130, 3, 120];
/** Refused (IMC112), one of each kind the generator meets, named. */
const REFUSED_SEEDS: Record<number, string> = {
  101: 'pool in a replicated layer',
};
/** fast-check seed of the compiled-only cases (no Verilator): no internal error, every refusal of a known kind. */
const COMPILED_SEED = 19;

const FEATURES = [
  'row split',
  'column split',
  'method 1 replicas',
  'method 2',
  'stride',
  'pad',
  'odd size',
  'residual add',
  'maxpool',
  'avgpool',
  'padded pool',
  'pool stride != size',
  'gap',
  'pool chain',
  'fc',
  'layout IWAP',
  'layout KLIP',
  'layout PLIP',
];

const dir = mkdtempSync(join(tmpdir(), 'imcc-random-test-'));

function compileCase(c: NetCase, name: string) {
  const file = writeCase(c, SMALL, name, dir);
  const loaded = loadCase(file);
  const result = compileDesign({ design: loaded.design!, sources: loaded.sources, version: '0.0.0' });
  // compile turns each IMC112 refusal into warning IMC183, which quotes it.
  const refusals = result.warnings.filter((w) => w.code === 'IMC183');
  return { file, loaded, result, refusals };
}

const compiled = new Map<number, ReturnType<typeof compileCase>>();
/** The fixed seeds' compiles, once each (the coverage test and the verify tests share them). */
function compileSeed(seed: number): ReturnType<typeof compileCase> {
  if (!compiled.has(seed)) compiled.set(seed, compileCase(caseForSeed(seed, SMALL), `seed${seed}`));
  return compiled.get(seed)!;
}

/** The named kind of an IMC112 refusal, or its message when the kind is unknown (which fails the test). */
function refusalKind(message: string): string {
  return REFUSALS.find((r) => r.pattern.test(message))?.name ?? `unknown: ${message}`;
}

describe('random networks through compile and Verilator verify', () => {
  it('the fixed seeds cover every feature of the generator', () => {
    const covered = new Set<string>();
    for (const seed of VERIFIED_SEEDS) {
      const { loaded, result, refusals } = compileSeed(seed);
      expect(refusals).toEqual([]);
      for (const f of caseFeatures(loaded.design!, result.mapping)) covered.add(f);
    }
    expect([...covered].sort()).toEqual([...FEATURES].sort());
  });

  it('refuses what the RTL does not implement with a positioned IMC112, by kind', () => {
    for (const [seed, kind] of Object.entries(REFUSED_SEEDS)) {
      const { file, loaded, result, refusals } = compileSeed(Number(seed));
      expect(refusals.map((r) => refusalKind(r.message)), `seed ${seed}`).toEqual([kind]);
      const text = formatDiagnostic(refusals[0], loaded.sources);
      expect(text.startsWith(`${file}:${refusals[0].span.line}:${refusals[0].span.column}: warning IMC183: `)).toBe(true);
      // In the network, after the 16 lines of the target.
      expect(refusals[0].span.line).toBeGreaterThan(16);
      expect(result.files.some((f) => f.path.startsWith('rtl/') || f.path.startsWith('tb/'))).toBe(false);
      // The rest of the output is still written.
      expect(result.files.some((f) => f.path.startsWith('schedules/'))).toBe(true);
    }
  });

  it('compiles 25 more random cases without an internal error; every refusal is of a known kind', () => {
    const kinds = new Map<string, number>();
    const known = new Set([...REFUSALS.map((r) => r.name), 'RTL written']);
    let n = 0;
    // fast-check shrinks a failing case to a minimal one; the failure message holds its .imc source.
    fc.assert(
      fc.property(netCaseArb(SMALL), (c) => {
        const name = `property${n++}`;
        let refusals: string[];
        try {
          refusals = compileCase(c, name).refusals.map((r) => refusalKind(r.message));
        } catch (err) {
          throw new Error(`${String(err)}\n${readFileSync(join(dir, `${name}.imc`), 'utf8')}`);
        }
        for (const kind of refusals.length > 0 ? refusals : ['RTL written']) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        if (refusals.some((k) => !known.has(k))) throw new Error(`${refusals.join('; ')}\n${readFileSync(join(dir, `${name}.imc`), 'utf8')}`);
      }),
      { seed: COMPILED_SEED, numRuns: 25 },
    );
    expect(kinds.get('RTL written')).toBeGreaterThan(12);
  }, 120_000);

  for (const seed of VERIFIED_SEEDS) {
    it(`seed ${seed} verifies bit-exact`, async () => {
      const { result } = compileSeed(seed);
      const rtl = result.files.flatMap((f) => (/^(rtl|tb)\//.test(f.path) && typeof f.content === 'string' ? [{ path: f.path, content: f.content }] : []));
      const verified = await verifyRtlDirectory(writeFiles(rtl), result.program, { cacheDir: TEST_CACHE });
      expect(verified.firstMismatch).toBeNull();
      expect(verified.pass).toBe(true);
      expect(verified.comparisons).toBeGreaterThan(100);
    }, 300_000);
  }
});
