// The RTL plan takes a pool's output size from the IR (src/emit/rtl/plan.ts): the plane it tracks through a neuron
// core's fused ops is the pool's input plane, so its window counts always equal the IR's shape. The check that they
// do is an internal assertion, not a refusal; this property shows it cannot trigger on chains of pools of any
// geometry the language accepts (every case that maps plans).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../../src/diagnostics/index.js';
import { emitRtl } from '../../../src/emit/rtl/index.js';
import { loadDesign } from '../../../src/ir/load.js';
import { createProgram } from '../../../src/pipeline/program.js';

const TARGET = `target pools_target {
  crossbar { size 64x64; weight_bits 4; devices single; adc 10 bits shift auto; dac 4 bits }
  input_memory { word 16 bits; depth 256; layout auto }
  controller { clock 250MHz; timestep 400ns }
  neuron_core { ops psum, batchnorm, relu, pool }
  grid 2x2
  link 1Gbps
}
`;

const poolArb = fc.record({
  kind: fc.constantFrom('maxpool', 'avgpool', 'gap'),
  size: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 3 }),
  pad: fc.integer({ min: 0, max: 2 }),
  relu: fc.boolean(),
});

const caseArb = fc.record({
  height: fc.integer({ min: 2, max: 9 }),
  width: fc.integer({ min: 2, max: 9 }),
  convPad: fc.integer({ min: 0, max: 1 }),
  pools: fc.array(poolArb, { minLength: 1, maxLength: 3 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function network(c: Case): string {
  const lines = [`  c1 = conv(image, out 4, kernel 3x3, pad ${c.convPad})`];
  let last = 'c1';
  c.pools.forEach((p, i) => {
    const call = p.kind === 'gap' ? `gap(${last})` : `${p.kind}(${last}, size ${p.size}, stride ${p.stride}, pad ${p.pad})`;
    lines.push(`  p${i} = ${p.relu ? `relu(${call})` : call}`);
    last = `p${i}`;
  });
  lines.push(`  f1 = fc(flatten(${last}), out 3)`, `  output f1`);
  return `${TARGET}\nnetwork pools on pools_target {\n  input image: 2x${c.height}x${c.width}, 4 bits\n  weights seed 1\n  defaults { activations 4 bits; weights 4 bits }\n${lines.join('\n')}\n}\n`;
}

describe('pool sizes in the RTL plan', () => {
  it('equal the IR shapes for every accepted chain of pools (the internal check cannot trigger)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-pool-geometry-'));
    let planned = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const file = join(dir, 'pools.imc');
        writeFileSync(file, network(c));
        const loaded = loadDesign(file);
        if (!loaded.design) return; // a geometry the language refuses (e.g. a window larger than the padded plane)
        let program;
        try {
          program = createProgram(loaded.design);
          void program.mapping;
        } catch (e) {
          if (e instanceof DiagnosticError) return; // does not map onto the small grid
          throw e;
        }
        emitRtl(program);
        planned++;
      }),
      { seed: 7, numRuns: 60 },
    );
    expect(planned).toBeGreaterThan(10);
  });
});
