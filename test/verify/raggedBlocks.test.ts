// Ragged method-2 blocks in RTL (issue 15 item 2; IMC112 before): replica counts that are not a multiple of dW, the
// blocks on a skewed lattice whose origins may lie above or left of the plane (src/mapping/block.ts). The controller
// takes the blocks, their readiness and a ragged producer's arriving blocks from tables (src/emit/rtl/lattice.ts).
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('ragged blocks in RTL (7 replicas dW 3, 5 replicas dW 2 at stride 2 reading them, 3 replicas dW 2 as the output)', () => {
  const p = prepare('test/verify/fixtures/ragged.imc');

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/ragged.f', 'ragged_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
  }, 300_000);
});
