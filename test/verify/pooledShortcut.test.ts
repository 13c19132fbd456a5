// Residual adds of a replicated layer's pooled pixels (issue 19): the source sends the block of pooled pixels each of
// its blocks completes (src/mapping/replicatedPool.ts), so the adding core's FIFO takes that many per arrival and
// pairs them in that block order (src/emit/rtl/plan.ts, the add's `sourcePool`). A method-1 source sent pairs of
// pooled pixels into a FIFO sliced for its four replicas before: verify failed at the adding layer.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintAndVerifyTests, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

const NETWORK = 'pooled_shortcut';

describe('residual adds of the pooled pixels of a method-2 and a method-1 replicated layer', () => {
  const p = prepare('test/verify/fixtures/pooled-shortcut.imc');
  const coreOf = (layer: string) => p.mapping.cores.find((c) => c.layer === layer && c.role !== 'partial')!.id;

  it('takes the source\'s pooled block per arrival: 1x2 blocks through a table of slots, pairs in column order', () => {
    // c2 reads c1's 1x2 blocks of pooled pixels in its own column order: a table of slots.
    expect(neuronParametersOf(p.files, `${NETWORK}_${coreOf('c2')}`)).toMatchObject({ HAS_RES: 1, RES_IN: 2, RES_TABLE: 1 });
    // c4 reads c3's pairs (not its four replicas' pixels) in the order they come.
    expect(neuronParametersOf(p.files, `${NETWORK}_${coreOf('c4')}`)).toMatchObject({ HAS_RES: 1, RES_IN: 2, RES_TABLE: 0 });
  });

  lintAndVerifyTests(p, 1000);

  it('fails when c2 reads its first two shortcut pixels from each other\'s slots (fault check)', async () => {
    const dir = writeFiles(p.files);
    const path = join(dir, 'rtl', `${NETWORK}_${coreOf('c2')}_res_slots.mem`);
    const lines = readFileSync(path, 'utf8').split('\n');
    const first = lines.findIndex((l) => /^[0-9a-f]+$/.test(l));
    expect(lines[first]).not.toBe(lines[first + 1]);
    [lines[first], lines[first + 1]] = [lines[first + 1], lines[first]];
    writeFileSync(path, lines.join('\n'));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});
