// Random valid networks (issue 19, test/verify/randomNetworks.ts) through compile and Verilator verify. Every case
// compiles, RTL included, without an internal error (the RTL generator implements every design the mapping accepts),
// and verifies bit-exact. A fixed seed list keeps npm test fast; `npm run bench` sweeps more seeds and larger cases
// (bench/randomNetworks.ts).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDesign } from '../../src/pipeline/compile.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';
import { BROADER, caseFeatures, caseForSeed, idleResidualFeatures, LARGER, loadCase, netCaseArb, SMALL, writeCase, type NetCase } from './randomNetworks.js';

/**
 * Verified in Verilator: together they cover every feature in FEATURES (checked below), in eleven small builds. The
 * rare ones: seed 415 a threshold between two pools, 325 a ReLU between two pools, 328 a padded average pool in a
 * method-1 replicated layer, 617 a queued pool (windows that end together) and a wide layer whose channels span its
 * consumer's row parts, 287 edge blocks (2-wide blocks on an odd width) and column parts, 3405 a ragged block (7
 * replicas, dW 3) read by a replicated convolution and a projection shortcut, a global average pool in a replicated
 * layer and a late shortcut, 228 a 1x1 max pool every 3 pixels in ragged blocks (3 replicas, dW 2; refused before),
 * 353 a queued 3x3/1 average pool padded by 1 after a queued 2x2/1 max pool padded by 1 (a threshold between them)
 * and a global average pool: the second queue reads the pixels the first sends (refused before), 136 a pool and a
 * global average pool in 4 replicas in two column parts whose windows span both, gathered in the last (refused
 * before); 617 and 78 a 2x2/1 max pool padded by 1 in 2 method-1 replicas (windows that end together, queued: refused
 * before); 312 a 3x3/1 average pool padded by 1 in 4 method-1 replicas split in two column parts (windows that end
 * together, queued by the core that gathers the parts: refused before); 204 a 2x2 max pool padded by 1 whose windows
 * end unevenly in ragged blocks (3 replicas, dW 2), queued (refused before); 980 a 1x1 max pool in ragged blocks (7
 * replicas dW 3) in two column parts, whose blocks complete different numbers of pooled pixels, gathered and queued
 * (refused before).
 */
const VERIFIED_SEEDS = [415, 325, 328, 617, 287, 3405, 228, 353, 136, 78, 312, 204, 980];
/**
 * Seeds the RTL generator once refused (IMC112, retired): 980, the last small one, a 1x1 max pool in ragged blocks in
 * two column parts, verifies since such pools are queued; larger 5165, a pool whose windows end together in method-2
 * blocks, since such a pool is queued; 5308, a chain of such a pool and a global average pool, since a chain's stages
 * emit every window a pixel ends; 5597, a residual add between the pools of such a chain, since the add before the
 * pool whose windows end together is a stage's (LARGER_SEEDS). The last refused kind, a residual add between two pools
 * after a pool of which a pixel ends two windows, is verified on fixtures (test/verify/replicatedPool.test.ts) and on
 * the bench's BROADER seed 5622 below.
 */
/** fast-check seed of the compiled-only cases (no Verilator): no internal error, RTL written for each. */
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
  'pool chain in method-2 blocks',
  'relu between pools',
  'threshold between pools',
  'queued pool',
  'pool after a queued pool',
  'queued pool after a queued pool',
  'pool in a replicated layer',
  'queued pool in a replicated layer',
  'queued pool in gathered column parts',
  'queued pool in ragged blocks',
  'gap in a replicated layer',
  'pool in gathered column parts',
  'edge blocks',
  'ragged blocks',
  'pool in ragged blocks',
  'wide channels',
  'late shortcut',
  'fc',
  'layout IWAP',
  'layout KLIP',
  'layout PLIP',
];

/**
 * Seeds of the bench's sweep (LARGER limits, bench/randomNetworks.ts) that together draw what LARGER adds, each
 * verified bit-exact there: 5007 a ragged integrate-and-fire layer, 5150 method-2 blocks whose plane ends inside their
 * rows, 5021 a residual add of a layer with edge blocks with a threshold and a pool after it in the adding core, 5015
 * an identity add of a replicated layer's pooled pixels into 2-wide edge blocks, 5065 a residual add after a 2x2 max
 * pool in its core (verified bit-exact when it was added, as was 5036), 6541 the head's global average pool after such
 * an add in 2 replicas (refused before; verified below), 5117 a residual add after a queued 3x3/1 max pool padded by 1
 * in its core (verified bit-exact on two images when it was added, as were 5135 and 5187), 5161 a queued pool after
 * a residual add after a pool in its core and 5354 a pool after a residual add after a queued pool (both refused
 * before; verified below), 5746 a residual add after a 2x2 max pool in 3 method-1 replicas on 4 rows (edge blocks)
 * and a queued 2x2/1 average pool padded by 1 after the add, the core queuing in its replicated blocks,
 * integrate-and-fire neurons (refused before; verified below, as was 5719 on two images when it was built), 5468 a
 * residual add of a 3-replica shortcut after a queued 3x3/1 max pool padded by 1 in 3 method-1 replicas on 4 rows
 * (the draw queuedInReplicas), then two more pools (verified on two images when it was added, as were 5575,
 * 5604, 5619, 5783, 5919, 6016, 6849 and 6919), 5165 a 3x3/1 max pool padded by 2 after a residual add in method-2
 * blocks (6 replicas dW 2: windows that end together, refused before; verified below), 5597 a residual add between
 * a 2x2 max pool and a 3x3/1 max pool padded by 2 (windows that end together) in 1x2 method-2 blocks (refused before;
 * verified below). Compiled only here (the sweep runs Verilator), but 6541, 5161, 5354, 5746, 5165 and 5597.
 */
const LARGER_SEEDS = [5007, 5150, 5021, 5015, 5065, 6541, 5117, 5161, 5354, 5746, 5468, 5165, 5597];
const LARGER_FEATURES = [
  'integrate-and-fire',
  'ragged integrate-and-fire',
  'method-2 idle rows',
  'residual add with idle pixels',
  'residual add with idle pixels and a pool after it',
  'residual add of a replicated pool',
  'residual add of a replicated pool with idle pixels',
  'residual add after a pool in its core',
  'pool after a residual add after a pool in its core',
  'residual add after a queued pool in its core',
  'queued pool after a residual add after a pool in its core',
  'pool after a residual add after a queued pool in its core',
  'queued pool after a residual add after a pool in a replicated core',
  'residual add after a queued pool in a replicated core',
];

const dir = mkdtempSync(join(tmpdir(), 'imcc-random-test-'));

function compileCase(c: NetCase, name: string, limits = SMALL) {
  const file = writeCase(c, limits, name, dir);
  const loaded = loadCase(file);
  const result = compileDesign({ design: loaded.design!, sources: loaded.sources, version: '0.0.0' });
  return { file, loaded, result, writesRtl: result.files.some((f) => f.path.startsWith('rtl/')) && result.files.some((f) => f.path.startsWith('tb/')) };
}

const compiled = new Map<number, ReturnType<typeof compileCase>>();
/** The fixed seeds' compiles, once each (the coverage test and the verify tests share them). */
function compileSeed(seed: number): ReturnType<typeof compileCase> {
  if (!compiled.has(seed)) compiled.set(seed, compileCase(caseForSeed(seed, SMALL), `seed${seed}`));
  return compiled.get(seed)!;
}

/** A larger case (LARGER limits, or BROADER: the bench's) compiled. */
function compileLarger(seed: number, limits = LARGER): ReturnType<typeof compileCase> {
  return compileCase(caseForSeed(seed, limits), `${limits === BROADER ? 'broader' : 'larger'}${seed}`, limits);
}

/** A compiled case's RTL is lint clean (verilator -Wall) and verifies bit-exact in Verilator. */
async function expectLintCleanAndBitExact({ loaded, result }: { loaded: ReturnType<typeof loadCase>; result: ReturnType<typeof compileDesign> }): Promise<void> {
  const rtl = result.files.flatMap((f) => (/^(rtl|tb)\//.test(f.path) && typeof f.content === 'string' ? [{ path: f.path, content: f.content }] : []));
  const out = writeFiles(rtl);
  const network = loaded.design!.network.name;
  expect((await lintRtl(out, `rtl/${network}.f`, `${network}_top`)).messages).toEqual([]);
  const verified = await verifyRtlDirectory(out, result.program, { cacheDir: TEST_CACHE });
  expect(verified.firstMismatch).toBeNull();
  expect(verified.pass).toBe(true);
  expect(verified.comparisons).toBeGreaterThan(50);
}

describe('random networks through compile and Verilator verify', () => {
  it('the fixed seeds cover every feature of the generator', () => {
    const covered = new Set<string>();
    for (const seed of VERIFIED_SEEDS) {
      const { loaded, result, writesRtl } = compileSeed(seed);
      expect(writesRtl, `seed ${seed}`).toBe(true);
      for (const f of caseFeatures(loaded.design!, result.mapping, result.program.singleImageDataflow.residualBuffers)) covered.add(f);
    }
    expect([...covered].sort()).toEqual([...FEATURES].sort());
  });

  it('the larger cases draw idle pixels around residual adds and pools and integrate-and-fire targets, and write their RTL', () => {
    const covered = new Set<string>();
    for (const seed of LARGER_SEEDS) {
      const { loaded, result, writesRtl } = compileLarger(seed);
      expect(writesRtl, `seed ${seed}`).toBe(true);
      for (const f of idleResidualFeatures(loaded.design!, result.mapping)) covered.add(f);
    }
    expect([...covered].sort()).toEqual([...LARGER_FEATURES].sort());
  });

  it('larger seed 5354 (a 1x1/3 average pool after a residual add after a queued 3x3/1 max pool padded by 1) is lint clean and verifies bit-exact', async () => {
    await expectLintCleanAndBitExact(compileLarger(5354));
  }, 300_000);

  it('larger seed 5746 (a queued pool after a residual add after a 2x2 max pool in 3 method-1 replicas, integrate-and-fire neurons) is lint clean and verifies bit-exact', async () => {
    await expectLintCleanAndBitExact(compileLarger(5746));
  }, 300_000);

  it('larger seed 5161 (a queued 3x3/2 average pool padded by 2 after a residual add after a pool in its core, integrate-and-fire neurons) is lint clean and verifies bit-exact', async () => {
    await expectLintCleanAndBitExact(compileLarger(5161));
  }, 300_000);

  it('larger seed 5165 (a 3x3/1 max pool padded by 2 whose windows end together in method-2 blocks) is lint clean and verifies bit-exact', async () => {
    await expectLintCleanAndBitExact(compileLarger(5165));
  }, 300_000);

  it('larger seed 5597 (a residual add between a 2x2 max pool and a 3x3/1 max pool padded by 2 whose windows end together in method-2 blocks) is lint clean and verifies bit-exact', async () => {
    await expectLintCleanAndBitExact(compileLarger(5597));
  }, 300_000);

  it('broader seed 5622 (a residual add between a 3x3/1 max pool padded by 1 in 3x2 method-2 blocks, of which a pixel ends two windows, and a 1x1/2 max pool: the stage after the add reads each window\'s shortcut; IMC112 before) is lint clean and verifies bit-exact', async () => {
    const broader = compileLarger(5622, BROADER);
    expect(broader.result.files.some((f) => /_res_stage_slots\.mem$/.test(f.path))).toBe(true);
    await expectLintCleanAndBitExact(broader);
  }, 300_000);

  it('larger seed 6541 (a global average pool after a residual add after a pool in its core) is lint clean and verifies bit-exact', async () => {
    await expectLintCleanAndBitExact(compileLarger(6541));
  }, 300_000);

  it('compiles 25 more random cases, RTL included, without an internal error', () => {
    let n = 0;
    let written = 0;
    // fast-check shrinks a failing case to a minimal one; the failure message holds its .imc source.
    fc.assert(
      fc.property(netCaseArb(SMALL), (c) => {
        const name = `property${n++}`;
        const source = (): string => readFileSync(join(dir, `${name}.imc`), 'utf8');
        let writesRtl: boolean;
        try {
          writesRtl = compileCase(c, name).writesRtl;
        } catch (err) {
          throw new Error(`${String(err)}\n${source()}`);
        }
        if (!writesRtl) throw new Error(`no rtl/ or tb/ written\n${source()}`);
        written++;
      }),
      { seed: COMPILED_SEED, numRuns: 25 },
    );
    expect(written).toBe(25);
  }, 120_000);

  for (const seed of VERIFIED_SEEDS) {
    it(`seed ${seed} is lint clean and verifies bit-exact`, async () => {
      await expectLintCleanAndBitExact(compileSeed(seed));
    }, 300_000);
  }
});
