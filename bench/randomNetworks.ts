// Random-network sweep of npm run bench (issue 19): larger random cases than npm test's fixed seeds
// (test/verify/randomNetworks.ts, BROADER limits: LARGER with every pooled layer in its drawn blocks), every one
// compiled, RTL included, the first IMCC_RANDOM_VERIFY (default 6) verified in Verilator and linted (verilator
// --lint-only -Wall), and the first IMCC_RANDOM_VERIFY_RAGGED (default 2) with ragged blocks or a feature of the
// LARGER limits (idleResidualFeatures: integrate-and-fire, method-2 idle rows, residual adds with idle pixels around
// pools) too. Rows: verified cases, failures, lint warnings and internal errors (target: none), with the seeds (and
// first mismatch or warning) of any failure so that it can be kept as a fixture.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DiagnosticError } from '../src/diagnostics/index.js';
import { compileDesign } from '../src/pipeline/compile.js';
import { writeContent } from '../src/emit/output.js';
import { isRaggedBlock } from '../src/mapping/index.js';
import { verifyRtlDirectory } from '../src/verify/index.js';
import { lintRtl } from '../src/verify/lint.js';
import { BROADER, caseForSeed, idleResidualFeatures, loadCase, writeCase } from '../test/verify/randomNetworks.js';
import type { BenchRow } from './table.js';

/** Seeds of the sweep (fast-check seeds; distinct from the test's fixed list, which uses SMALL limits). */
const FIRST_SEED = 5000;
const CASES = Number(process.env.IMCC_RANDOM_CASES ?? 200);
const VERIFY = Number(process.env.IMCC_RANDOM_VERIFY ?? 6);
const VERIFY_RAGGED = Number(process.env.IMCC_RANDOM_VERIFY_RAGGED ?? 2);

export async function benchmarks(): Promise<BenchRow[]> {
  const row = (name: string, value: string, target = '-', status = '-'): BenchRow => ({ section: 'random', name, value, target, status });
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-random-'));
  const failed: string[] = [];
  const internal: string[] = [];
  const lintWarned: string[] = [];
  let verified = 0;
  let passed = 0;
  // Cases with a ragged method-2 block or a LARGER feature, and how many of them were verified.
  let raggedWritten = 0;
  let raggedVerified = 0;
  const featureWritten = new Map<string, number>();
  let verifySeconds = 0;
  const start = performance.now();
  for (let seed = FIRST_SEED; seed < FIRST_SEED + CASES; seed++) {
    try {
      const file = writeCase(caseForSeed(seed, BROADER), BROADER, `seed${seed}`, dir);
      const loaded = loadCase(file);
      const result = compileDesign({ design: loaded.design!, sources: loaded.sources, version: '0.0.0' });
      const features = idleResidualFeatures(loaded.design!, result.mapping);
      for (const f of features) featureWritten.set(f, (featureWritten.get(f) ?? 0) + 1);
      const ragged = features.size > 0 || result.mapping.layers.some((l) => isRaggedBlock(l.matrix.replicas));
      if (ragged) raggedWritten++;
      // Ragged cases (and the LARGER features) are rarer than the first few written: verify some whatever their place.
      if (verified >= VERIFY && !(ragged && raggedVerified < VERIFY_RAGGED)) continue;
      if (ragged) raggedVerified++;
      const out = join(dir, `seed${seed}`);
      for (const f of result.files) {
        mkdirSync(dirname(join(out, f.path)), { recursive: true });
        writeContent(join(out, f.path), f.content);
      }
      verified++;
      const network = loaded.design!.network.name;
      const lint = await lintRtl(out, `rtl/${network}.f`, `${network}_top`);
      if (lint.messages.length > 0) lintWarned.push(`${seed} (${lint.messages[0]})`);
      const run = await verifyRtlDirectory(out, result.program);
      verifySeconds += run.seconds;
      if (run.pass) passed++;
      else {
        const m = run.firstMismatch;
        const first = m ? `${m.kind} at ${m.layer ?? 'output'} ${m.what}: expected ${m.expected}, got ${m.actual}` : 'no mismatch recorded';
        failed.push(`${seed} (${first})`);
      }
    } catch (err) {
      // A generated case is valid: any diagnostic or exception here is a bug (of the generator or of imcc).
      internal.push(`${seed}: ${err instanceof DiagnosticError ? err.message : String(err)}`.slice(0, 200));
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const rows = [
    row(`cases compiled (seeds ${FIRST_SEED}..${FIRST_SEED + CASES - 1})`, `${CASES}`, '-', '-'),
    row('RTL written with ragged method-2 blocks or a feature below (of them verified)', `${raggedWritten} (${raggedVerified})`),
    ...[...featureWritten].sort().map(([f, n]) => row(`RTL written: ${f}`, `${n}`)),
    row(`verified PASS in Verilator (${verifySeconds.toFixed(0)} s)`, `${passed} of ${verified}`, 'all', passed === verified ? 'ok' : 'FAIL'),
    row(`verify FAIL${failed.length > 0 ? `: seeds ${failed.join(', ')}` : ''}`, `${failed.length}`, '0', failed.length === 0 ? 'ok' : 'FAIL'),
    row(`lint warnings of the verified cases${lintWarned.length > 0 ? `: seeds ${lintWarned.join(', ')}` : ''}`, `${lintWarned.length}`, '0', lintWarned.length === 0 ? 'ok' : 'FAIL'),
    row(`internal errors${internal.length > 0 ? `: ${internal.join('; ')}` : ''}`, `${internal.length}`, '0', internal.length === 0 ? 'ok' : 'FAIL'),
    row('whole sweep', `${seconds.toFixed(0)} s`),
  ];
  return rows;
}
