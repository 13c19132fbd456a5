// Threshold (binary) activations in the RTL (issue 17 item 1): the neuron core compares the requantized (or pooled)
// signed value with the level and emits 0/1, the next crossbar reads the 0/1 rows unsigned, and a binary network
// output leaves the testbench unsigned; a threshold after a residual add compares the saturated sum. The fixtures
// verify bit-exact against the reference model; a corrupted weight is caught.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreModuleFile, lintAndVerifyTests, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';
import { generateInputImage } from '../../src/ir/weights.js';
import { runReference } from '../../src/reference/index.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

const p = prepare('test/verify/fixtures/binary.imc');
const file = (path: string): string => p.files.find((f) => f.path === path)!.content;

describe('a threshold network in the RTL (threshold before a max pool, after an average pool, on the output)', () => {
  it('has thresholds that give both 0 and 1 on the verification image (so the test sees both outputs)', () => {
    const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
    const result = runReference(p.program.reference, generateInputImage(1, input.shape, input.activationBits));
    for (const name of ['t1', 'p1', 't2', 't3']) {
      const values = new Set(result.nodes.get(name)!.data);
      expect([...values].sort(), name).toEqual([0, 1]);
    }
  });

  it('compares with the level at the right place and emits 1-bit activations', () => {
    // c00 compares before its max pool (which pools 0/1 in two bits), c02 after its average pool, at level 1.
    expect(neuronParametersOf(p.files, 'binary_c00')).toMatchObject({ OUT_BITS: 1, THRESHOLD: 1, THRESHOLD_AFTER_POOL: 0, POOL: 1, POOL_BITS: 2 });
    expect(neuronParametersOf(p.files, 'binary_c02')).toMatchObject({ OUT_BITS: 1, THRESHOLD: 1, THRESHOLD_AFTER_POOL: 1, POOL: 2, LEVEL_NEGATIVE: 0, LEVEL_MAGNITUDE: 1 });
    const neuron = coreModuleFile(p.files, 'binary_c00', 'neuron').content;
    expect(neuron).toContain('assign activated = (rectified >= LEVEL) ? BIT_ONE : BIT_ZERO;');
    expect(neuron).toContain('assign result = (pooled_rectified >= LEVEL) ? BIT_ONE : BIT_ZERO;');
    // The 1-bit consumers read their rows unsigned; the first layer's signed image is not.
    expect(file('rtl/binary_c00.v')).toContain('.ACT_UNSIGNED (0)');
    for (const core of ['c01', 'c02', 'c03']) expect(file(`rtl/binary_${core}.v`)).toContain('.ACT_UNSIGNED (1)');
    expect(file('tb/binary_tb.cpp')).toContain('static const int OUT_SIGNED = 0;');
  });

  lintAndVerifyTests(p, 300);

  it('catches a corrupted weight of the layer reading 0/1 rows', async () => {
    // A weight on a row whose input is 0 changes nothing: corrupt column 0's weight of the first row that reads a 1.
    const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
    const result = runReference(p.program.reference, generateInputImage(1, input.shape, input.activationBits));
    const row = result.nodes.get('f1.flatten')!.data.indexOf(1);
    expect(row).toBeGreaterThanOrEqual(0);
    const dir = writeFiles(p.files);
    const path = join(dir, 'rtl/binary_c03_weights.mem');
    const lines = readFileSync(path, 'utf8').split('\n');
    const weightLines = lines.flatMap((l, i) => (/^[0-9a-f]+$/i.test(l) ? [i] : []));
    // Column-major, so column 0's rows come first; inverting the 4-bit two's-complement code gives -w - 1 != w.
    const at = weightLines[row];
    lines[at] = (Number.parseInt(lines[at], 16) ^ 0xf).toString(16);
    writeFileSync(path, lines.join('\n'));
    const corrupted = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(corrupted.pass).toBe(false);
    expect(corrupted.firstMismatch).toMatchObject({ core: 'c03', layer: 'f1' });
  }, 300_000);
});

describe('a threshold after a residual add in the RTL', () => {
  const r = prepare('test/verify/fixtures/binary-residual.imc');
  it('saturates the sum at the layer\'s 4 bits with a 4-bit shortcut FIFO, then emits 0/1 (both seen)', () => {
    // The static neuron core (no pool): the add saturates to ACT_BITS, the threshold compare gives 1-bit outputs.
    expect(neuronParametersOf(r.files, 'binary_residual_c01')).toMatchObject({ ACT_BITS: 4, OUT_BITS: 1, HAS_RES: 1, THRESHOLD: 1 });
    expect(coreModuleFile(r.files, 'binary_residual_c01', 'neuron').content).toContain('assign added = saturate(pre_add + shortcut);');
    const input = r.design.network.nodes.find((n) => n.op.kind === 'input')!;
    const result = runReference(r.program.reference, generateInputImage(1, input.shape, input.activationBits));
    expect([...new Set(result.nodes.get('t2')!.data)].sort()).toEqual([0, 1]);
  });
  lintAndVerifyTests(r, 200);
});
