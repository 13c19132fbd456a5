// The optimizer plans every candidate's memory with the rings compile keeps for a residual add's wait (issue 19):
// what it offers compiles without IMC076.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { createSearcher, optimizeDesign } from '../../src/optimize/index.js';
import { applyAllocation, type Allocation } from '../../src/optimize/evaluate.js';

// late-shortcut-ring.imc without its mapping, on a 2x6 l1 plane (image 3x6x15) of 16 channels, depth 16: with l0 in
// 2x3 blocks and l1 in 2x2 (6 and 4 replicas), l2m waits for its shortcut and keeps 5 ring columns (18 words as IWAP)
// instead of its own 3; the search chose that mapping while it planned without the wait.
const text = readFileSync('test/verify/fixtures/late-shortcut-ring.imc', 'utf8')
  .replace('out 3, kernel 3x3, pad 1))  ', 'out 16, kernel 3x3, pad 1)) ')
  .replace('3x6x13', '3x6x15')
  .replace('depth 64', 'depth 16')
  .replace(/ {2}mapping \{[^}]*\}\n/, '');
const design = loadDesign('main.imc', (file) => {
  if (file === 'main.imc') return text;
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
}).design!;

/** The diagnostic codes compile's memory plan ends in ('' when it plans). */
function compileVerdict(allocation: Allocation, units: Parameters<typeof applyAllocation>[1]): string {
  try {
    void createProgram(applyAllocation(design, units, allocation)).memory;
    return '';
  } catch (err) {
    if (!(err instanceof DiagnosticError)) throw err;
    return err.diagnostics.map((d) => d.code).join(',');
  }
}

describe('optimize plans the rings a residual add waits with', () => {
  it('every candidate is legal exactly when compile plans its memory; l0 6/3 with l1 4/2 ends in IMC076', () => {
    const searcher = createSearcher(design, { objective: 'throughput', ignoreBandwidth: true, batch: 10 });
    const [l0, l1] = searcher.units;
    expect([l0.layers, l1.layers]).toEqual([['l0'], ['l1.conv']]);
    const option = (u: typeof l0, replicas: number, dW: number) => u.options.findIndex((o) => o.replicas === replicas && o.dW === dW);
    const waiting = searcher.evaluate([option(l0, 6, 3), option(l1, 4, 2), 0, 0]);
    expect(waiting.illegal).toMatch(/^IMC076: core c02 \(layer 'l2m.conv'\) .* must keep 5 columns \(3 without the wait\)/);
    let legal = 0;
    for (let i = 0; i < l0.options.length; i++) {
      for (let j = 0; j < l1.options.length; j++) {
        const allocation = [i, j, 0, 0];
        const verdict = searcher.evaluate(allocation).illegal;
        // Mapping errors (IMC050: more cores than the grid) end both before the memory plan.
        if (verdict?.startsWith('IMC05')) continue;
        expect(verdict === null, `${allocation}: ${verdict}`).toBe(compileVerdict(allocation, searcher.units) === '');
        if (verdict === null) legal++;
      }
    }
    expect(legal).toBeGreaterThan(1);
  });

  it('the mapping it chooses compiles', () => {
    for (const objective of ['throughput', 'latency'] as const) {
      const r = optimizeDesign(design, { strategy: 'pareto', objective, ignoreBandwidth: true, batch: 10 });
      expect(r.chosen.layers.get('l1.conv')).not.toEqual({ replicas: 4, dW: 2 });
      expect(() => createProgram(r.design).memory).not.toThrow();
    }
  });
});
