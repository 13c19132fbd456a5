// docs/optimize.md holds exactly what the bench prints (the strategy x budget tables) and the measured ragged-block
// table, and the claim made from it holds for ResNet-32's widths (and its documented exception).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { comparisonTables, raggedTable } from '../../bench/optimize.js';
import { formatRaggedOperations, formatRaggedTable, raggedComparison, raggedOperations } from '../../src/optimize/index.js';

const doc = readFileSync('docs/optimize.md', 'utf8');
const section = (name: string): string => {
  const m = new RegExp(`<!-- optimize-table:${name} -->\\n([\\s\\S]*?)<!-- /optimize-table -->`).exec(doc);
  if (m === null) throw new Error(`docs/optimize.md has no table '${name}'`);
  return m[1];
};

describe('docs/optimize.md', () => {
  it('the strategy x budget tables are the bench output (ResNet-32, with and without the bandwidth rule)', () => {
    const t = comparisonTables();
    expect(section('ignore-bandwidth')).toBe(t.ignoringBandwidth);
    expect(section('bandwidth')).toBe(t.withinBandwidth);
  });

  it('the ragged-block table is measured, and no ragged block beats a full block of at least as many replicas', () => {
    const rows = raggedComparison([16, 28, 56], 12);
    expect(section('ragged')).toBe(formatRaggedTable(rows));
    for (const r of rows) {
      for (const c of r.counts) if (c.ragged !== null) expect(c.fullAtLeast, `${r.channels} channels, n = ${c.replicas}`).toBeLessThanOrEqual(c.ragged);
    }
    // The documented exception: wide layers with a larger prime count.
    const [wide] = raggedComparison([56], 13);
    expect(wide.counts[12]).toMatchObject({ replicas: 13, ragged: 24, fullAtLeast: 30 });
  });

  it('the optimizer with ragged blocks (--ragged) is the bench output: 3 replicas 2 wide cut the latency within the bandwidth', () => {
    const t = raggedTable();
    expect(section('ragged-pareto')).toBe(t);
    // Within the bandwidth it beats the search without ragged blocks on latency at the same 43 cores.
    expect(t).toContain('| pareto --ragged, within bandwidth | 19,383/s, 903 ts, 43 c |');
    expect(section('bandwidth')).toContain('| pareto | 19,288/s, 959 ts, 43 c |');
  });

  it("the ragged blocks' operations per image are measured on ResNet-32's planes", () => {
    expect(section('ragged-operations')).toBe(formatRaggedOperations(raggedOperations([32, 16, 8], [3, 5, 7, 9, 10, 11, 13])));
  });
});
