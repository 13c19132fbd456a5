// The comparison of a trace with the golden, on hand-made data: schedule words expand word..lastWord, each stream is
// compared in order, and the first divergence is the earliest RTL timestep (memory before ADC before activation).
import { describe, expect, it } from 'vitest';
import { compareTrace, scheduleAccesses } from '../../src/verify/compare.js';
import { parseTrace } from '../../src/verify/trace.js';
import type { Schedule } from '../../src/memory/schedule.js';
import type { ReferenceResult } from '../../src/reference/mapped.js';

const schedule = {
  header: {},
  ops: [
    { t: 0, op: 'W', y: 0, x: 0, word: 0, lastWord: 1, bit: 0 },
    { t: 1, op: 'W', y: 1, x: 0, word: 2, lastWord: 2, bit: 0 },
    { t: 1, op: 'C', y: 0, x: 0, block: 0, active: 1 },
    { t: 1, op: 'Z', y: -1, x: 0, block: 0, dy: 0, dx: 0 },
    { t: 1, op: 'R', y: 0, x: 0, word: 0, lastWord: 1, bit: 0, block: 0, dy: 1, dx: 0 },
  ],
} as unknown as Schedule;

const reference = {
  output: Int32Array.from([5, -2]),
  layers: [{ layer: 'l', adc: { bits: 8, shift: 0, lossless: true }, outputNode: 'l', shape: { channels: 2, height: 1, width: 1 }, activations: Int32Array.from([5, -2]) }],
  cores: [{ core: 'c00', layer: 'l', rowPart: 0, colPart: 0, columns: 2, blockOrigins: [{ y: 0, x: 0 }], preAdc: Float64Array.from([7, 9]), postAdc: Int32Array.from([7, 9]) }],
} as unknown as ReferenceResult;

const cores = [{ id: 'c00', index: 0, layer: 'l', emits: true, depth: 4 }];
const shape = { channels: 2, height: 1, width: 1 };
const good = ['M 0 0 W 0', 'M 0 0 W 1', 'M 1 0 W 2', 'M 1 0 R 0', 'M 1 0 R 1', 'X 1 0 0 7', 'X 1 0 1 9', 'A 1 0 0 0 0 5', 'A 1 0 0 0 1 -2', 'O 0 0 5', 'O 0 1 -2', 'E 40 3 1'];

describe('compareTrace', () => {
  it('expands every W / R operation to its words, ignoring C and Z', () => {
    expect(scheduleAccesses(schedule)).toEqual({
      writes: [{ word: 0, t: 0 }, { word: 1, t: 0 }, { word: 2, t: 1 }],
      reads: [{ word: 0, t: 1 }, { word: 1, t: 1 }],
    });
  });

  it('passes a trace equal to the golden and counts every comparison', () => {
    const c = compareTrace(parseTrace(good.join('\n')), cores, new Map([['c00', schedule]]), reference, shape);
    expect(c.mismatches).toBe(0);
    expect(c.firstMismatch).toBeNull();
    expect(c.comparisons).toBe(5 + 2 + 2 + 2);
  });

  it('reports the earliest divergence: a read address in timestep 1 before a wrong output', () => {
    const bad = good.map((l) => (l === 'M 1 0 R 1' ? 'M 1 0 R 3' : l === 'O 0 1 -2' ? 'O 0 1 4' : l));
    const c = compareTrace(parseTrace(bad.join('\n')), cores, new Map([['c00', schedule]]), reference, shape);
    expect(c.mismatches).toBe(2);
    expect(c.firstMismatch).toEqual({
      kind: 'memory',
      core: 'c00',
      layer: 'l',
      timestep: 1,
      scheduleTimestep: 1,
      what: 'read 1 (word address)',
      expected: 1,
      actual: 3,
    });
  });

  it('in one timestep, a memory mismatch comes before an ADC mismatch; a missing write is reported', () => {
    const bad = good.filter((l) => l !== 'M 1 0 W 2').map((l) => (l === 'X 1 0 0 7' ? 'X 1 0 0 8' : l));
    const c = compareTrace(parseTrace(bad.join('\n')), cores, new Map([['c00', schedule]]), reference, shape);
    expect(c.byKind.memory).toBe(1);
    expect(c.byKind.adc).toBe(1);
    expect(c.firstMismatch!.kind).toBe('adc');
    const missing = compareTrace(parseTrace(good.filter((l) => l !== 'M 1 0 W 2').join('\n')), cores, new Map([['c00', schedule]]), reference, shape);
    expect(missing.firstMismatch).toMatchObject({ kind: 'memory', what: 'write 2 (word address): never issued', expected: 2, actual: null, timestep: null });
  });

  it('compares each crossbar operation\'s timestep with the dataflow model\'s when given, and reports the first that differs', () => {
    const trace = parseTrace(good.join('\n'));
    const agree = compareTrace(trace, cores, new Map([['c00', schedule]]), reference, shape, undefined, new Map([['c00', [1]]]));
    expect(agree.mismatches).toBe(0);
    expect(agree.comparisons).toBe(5 + 2 + 1 + 2 + 2);
    const late = compareTrace(trace, cores, new Map([['c00', schedule]]), reference, shape, undefined, new Map([['c00', [0, 2]]]));
    expect(late.byKind.timing).toBe(2);
    expect(late.firstMismatch).toEqual({
      kind: 'timing',
      core: 'c00',
      layer: 'l',
      timestep: 1,
      scheduleTimestep: null,
      what: 'timestep of crossbar operation 0',
      expected: 0,
      actual: 1,
    });
  });

  it('an access at or past the memory depth is a mismatch even when the schedule issues it too', () => {
    const small = [{ ...cores[0], depth: 2 }];
    const c = compareTrace(parseTrace(good.join('\n')), small, new Map([['c00', schedule]]), reference, shape);
    expect(c.mismatches).toBe(1);
    expect(c.firstMismatch).toMatchObject({
      kind: 'memory',
      core: 'c00',
      timestep: 1,
      what: "access 2 (write): word address beyond the memory's depth of 2 words",
      actual: 2,
    });
  });

  it('an unfinished run is a mismatch', () => {
    const c = compareTrace(parseTrace(good.map((l) => (l.startsWith('E') ? 'E 40 3 0' : l)).join('\n')), cores, new Map([['c00', schedule]]), reference, shape);
    expect(c.firstMismatch!.kind).toBe('incomplete');
  });

  it('a stalled run names the first core that did not issue its whole schedule, and what it waits for', () => {
    const stalled = ['M 0 0 W 0', 'M 0 0 W 1', 'E 500 2 0'];
    const c = compareTrace(parseTrace(stalled.join('\n')), cores, new Map([['c00', schedule]]), reference, shape);
    expect(c.firstMismatch).toMatchObject({
      kind: 'incomplete',
      core: 'c00',
      layer: 'l',
      what:
        'the simulation did not finish within 500 cycles: core c00 (layer l) stalled waiting for input (its pixel writes stopped): ' +
        '2 of 3 writes and 0 of 2 reads issued, last access in timestep 0',
    });
  });

  it('places the outputs of a replicated output layer in its block order (2x2 blocks of a 4x2 plane)', () => {
    // Output value 10 y + x; the blocks arrive (0,0) (1,0) (0,1) (1,1), then (2,0) (3,0) (2,1) (3,1).
    const plane = { channels: 1, height: 4, width: 2 };
    const golden = { output: Int32Array.from([0, 1, 10, 11, 20, 21, 30, 31]), layers: [], cores: [] } as unknown as ReferenceResult;
    const blockOrder = [0, 10, 1, 11, 20, 30, 21, 31];
    const lines = [...blockOrder.map((v, i) => `O ${i} 0 ${v}`), 'E 10 2 1'];
    const inBlocks = compareTrace(parseTrace(lines.join('\n')), [], new Map(), golden, plane, { rows: 2, cols: 2 });
    expect([inBlocks.comparisons, inBlocks.mismatches]).toEqual([8, 0]);
    // Read in column order, the same stream puts 4 of the 8 values in the wrong place (pixels 2 to 5).
    const columnOrder = compareTrace(parseTrace(lines.join('\n')), [], new Map(), golden, plane);
    expect(columnOrder.mismatches).toBe(4);
  });

  it("reports the RTL check that stopped a run at its core, with or without the testbench's end line", () => {
    // A FIFO overflow's `$display` then `$finish`: the trace ends there (E: not done).
    const cut = good.slice(0, 4);
    const stopped = compareTrace(parseTrace([...cut, 'E 17 1 0'].join('\n'), 'core c00: residual FIFO overflow\n- rtl/x.v:1: Verilog $finish\n'), cores, new Map([['c00', schedule]]), reference, shape);
    expect(stopped.firstMismatch).toMatchObject({ kind: 'incomplete', core: 'c00', layer: 'l', timestep: 2, what: 'the RTL stopped the simulation at cycle 17: core c00 (layer l): residual FIFO overflow' });
    // Two checks in one cycle: the second $finish exits before the end line; the events give the timesteps.
    const abrupt = compareTrace(parseTrace(cut.join('\n'), 'core c00: residual FIFO overflow\n'), cores, new Map([['c00', schedule]]), reference, shape);
    expect(abrupt.firstMismatch).toMatchObject({ kind: 'incomplete', core: 'c00', timestep: 2, what: 'the RTL stopped the simulation: core c00 (layer l): residual FIFO overflow' });
    // Without such a line an unfinished run is a stall, reported at the first core short of its schedule.
    const stalled = compareTrace(parseTrace([...cut, 'E 17 1 0'].join('\n')), cores, new Map([['c00', schedule]]), reference, shape);
    expect(stalled.firstMismatch!.what).toMatch(/^the simulation did not finish within 17 cycles: core c00 \(layer l\) stalled waiting to compute/);
  });
});
