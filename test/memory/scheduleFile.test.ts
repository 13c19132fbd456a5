// The .sched text form: the exact bytes of a small schedule (the grammar in docs/memory.md), JSON validation, parsing.
import { describe, expect, it } from 'vitest';
import { buildSchedule } from '../../src/memory/index.js';
import { parseScheduleText, renderSchedule, schedulesJson, ScheduleFormatError } from '../../src/memory/scheduleFile.js';
import { uniformPadding } from '../../src/ir/padding.js';

const tiny = buildSchedule({
  layer: 'conv', core: 'c03', height: 2, width: 2, channels: 3, bits: 4, kernelHeight: 2, kernelWidth: 2, stride: 1,
  padding: uniformPadding(1), replicas: [{ oy: 0, ox: 0 }], method: 1, dW: 1, wordBits: 8, depth: 64, layout: 'PLIP', arrivalsPerTimestep: 1,
});

describe('.sched text', () => {
  it('renders header and operations exactly (PLIP, 12-bit pixels in 8-bit words, padding 1)', () => {
    const text = renderSchedule(tiny);
    const [head, body] = text.split('--\n');
    expect(head).toBe(
      [
        'imcc-schedule 1', 'layer conv', 'core c03', 'layout PLIP', 'word-bits 8', 'depth 64', 'words 8', 'pixel-bits 12',
        'channels 3', 'activation-bits 4', 'input 2x2', 'columns 2', 'kernel 2x2', 'stride 1', 'padding 1', 'output 3x3',
        'replicas 1', 'method 1', 'dW 1', 'arrivals-per-timestep 1', 'delta-kernel-bits 32', 'delta-pix-bits 0 16',
        'min-occupancy 1', 'ops 49', '',
      ].join('\n'),
    );
    const lines = body.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      '0 W 0,0 word=0..1 bit=0',
      '0 C blk=0 out=0,0 active=1',
      '0 Z -1,-1 blk=0 at=0,0',
      '0 Z -1,0 blk=0 at=0,1',
      '0 Z 0,-1 blk=0 at=1,0',
      '0 R 0,0 word=0..1 bit=0 blk=0 at=1,1',
      '1 W 1,0 word=4..5 bit=0',
    ]);
    expect(text.endsWith('\n')).toBe(true);
    // Each of the 4 input pixels lies under 4 of the 9 patches; the other 20 patch positions are padding (Z).
    expect(lines.filter((l) => / R /.test(l))).toHaveLength(16);
    expect(lines.filter((l) => / Z /.test(l))).toHaveLength(20);
  });

  it('parses back, and rejects text that is not a schedule, with the line number', () => {
    const parsed = parseScheduleText(renderSchedule(tiny), 'tiny');
    expect(parsed.opLines).toHaveLength(tiny.ops.length);
    expect(parsed.header.get('delta-pix-bits')).toBe('0 16');
    expect(() => parseScheduleText('imcc-schedule 1\nlayer a\ncore b\n--\n0 Q 1,1\n', 'bad')).toThrow(ScheduleFormatError);
    expect(() => parseScheduleText('imcc-schedule 1\nlayer a\ncore b\n--\n0 Q 1,1\n', 'bad')).toThrow('bad:5: not an imcc schedule: expected an operation line, found "0 Q 1,1"');
    expect(() => parseScheduleText('imcc-schedule 1\nlayer a\n', 'bad')).toThrow("bad:3: not an imcc schedule: expected a '--' line after the header, found end of file");
    expect(() => parseScheduleText('imcc-schedule 1\nlayer a\n--\n', 'bad')).toThrow("bad:3: not an imcc schedule: expected a 'core <name>' header line, found the '--' line that ends the header");
    expect(() => parseScheduleText('imcc-schedule 1\nlayer\n--\n', 'bad')).toThrow(`bad:2: not an imcc schedule: expected a header line '<key> <value>', found "layer"`);
  });

  it('JSON form validates against schemas/schedule.schema.json', () => {
    const j = schedulesJson([tiny]) as { schedules: Array<{ ops: unknown[] }> };
    expect(j.schedules[0].ops).toHaveLength(tiny.ops.length);
    expect(j.schedules[0].ops[0]).toEqual({ t: 0, op: 'W', y: 0, x: 0, word: 0, lastWord: 1, bit: 0 });
  });
});
