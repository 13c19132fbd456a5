// The imported digits CNN (examples/digits.imc, trained weights from digits.npz) compiled to RTL and verified in
// Verilator bit-exact against the reference model on real test images of models/digits/test_x.npy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesignForCli } from '../../src/cli/design.js';
import { readInputImage } from '../../src/cli/inputImage.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { writeOutputDirectory } from '../../src/emit/output.js';
import { verifyOutputDir } from '../../src/verify/index.js';
import { TEST_CACHE } from '../emit/rtl/helpers.js';
import { runCli } from '../support/cli.js';

describe('RTL of the imported digits CNN', () => {
  it('verifies bit-exact in Verilator on test images 0, 1 and 2', async () => {
    const { design, sources } = loadDesignForCli('examples/digits.imc');
    const dir = join(mkdtempSync(join(tmpdir(), 'imcc-digits-')), 'out');
    writeOutputDirectory(dir, compileDesign({ design, sources, version: '0.1.0' }).files);
    for (const k of [0, 1, 2]) {
      const result = await verifyOutputDir(dir, { cacheDir: TEST_CACHE, imageFor: (d) => readInputImage(d, 'models/digits/test_x.npy', k) });
      expect(result.firstMismatch, `image ${k}`).toBeNull();
      expect(result.pass).toBe(true);
      expect(result.comparisons).toBeGreaterThan(1000);
    }
  });

  it('imcc verify FILE --input X.npy --index K passes (cached build)', async () => {
    const r = await runCli(['verify', 'examples/digits.imc', '--input', 'models/digits/test_x.npy', '--index', '3', '--cache-dir', TEST_CACHE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).pass).toBe(true);
  });
});
