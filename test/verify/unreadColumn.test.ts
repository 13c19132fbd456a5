// Issue 19 item 3: verification runs until every expected event has had its chance. A 1x1 stride-2 consumer computes
// its last output before its producer's queued pool has sent the last column; the top used to stop when every
// controller had computed all its outputs and verify reported the remaining writes as "never issued" (a false FAIL).
// Every core now also counts its input blocks, and the top steps until all have arrived. A pixel that truly never
// arrives still fails (the run stalls and verify names the core waiting for input).
import { describe, expect, it } from 'vitest';
import { generateInputImage } from '../../src/ir/weights.js';
import { simulateRtlDirectory, verifyRtlDirectory } from '../../src/verify/index.js';
import { lintAndVerifyTests, prepare, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';

describe('a consumer that never reads its producer\'s last column', () => {
  const p = prepare('test/verify/fixtures/unread-column.imc');
  const consumer = p.mapping.cores.find((c) => c.layer === 'c2')!;

  lintAndVerifyTests(p, 700);

  const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
  const image = generateInputImage(1, input.shape, input.activationBits);

  it('computes its last output before its last input block arrives, and the run still takes every block', async () => {
    const { trace } = await simulateRtlDirectory(writeFiles(p.files), p.program, image, { cacheDir: TEST_CACHE });
    const lastOutput = Math.max(...trace.activations.filter((a) => a.core === consumer.index).map((a) => a.t));
    const writes = (trace.memory.get(consumer.index) ?? []).filter((e) => e.write);
    const lastWrite = Math.max(...writes.map((e) => e.t));
    expect(lastOutput).toBeLessThan(lastWrite);
    expect(trace.done).toBe(true);
  }, 300_000);

  it('fails when the producer\'s last pixels never reach the consumer', async () => {
    const good = await simulateRtlDirectory(writeFiles(p.files), p.program, image, { cacheDir: TEST_CACHE });
    const lastWrite = Math.max(...(good.trace.memory.get(consumer.index) ?? []).filter((e) => e.write).map((e) => e.t));
    // The consumer's valid input is cut from the timestep before its last write on: that block is never delivered.
    const top = p.files.find((f) => f.path === `rtl/${p.design.network.name}_top.v`)!;
    const wire = /assign (\w+) = (\w+_out_valid);/.exec(top.content.split('\n').find((l) => / = \w+_c00_out_valid;/.test(l))!)!;
    const mutated = top.content.replace(wire[0], `assign ${wire[1]} = ${wire[2]} && (timestep_q < 32'd${lastWrite - 1});`);
    expect(mutated).not.toBe(top.content);
    const files = p.files.map((f) => (f === top ? { ...f, content: mutated } : f));
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'incomplete', core: consumer.id });
    expect(result.firstMismatch!.what).toMatch(/waiting for input/);
  }, 300_000);
});
