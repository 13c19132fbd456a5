// Streamed schedules (src/memory/schedule.ts streamSchedule, src/memory/scheduleFile.ts streamScheduleText): the text
// written chunk by chunk equals the whole-array rendering, the closed-form arrival order equals the enumerated one,
// and compile writes a design above the old 4,000,000-operation bound (issue 20).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchedule, emissionIndex, planMemories, streamSchedule, type CoreMemoryParams } from '../../src/memory/index.js';
import { blockFirstEmissionIndex, emissionOrder, sameEmissionOrder } from '../../src/memory/schedule.js';
import { blockShape, pixelBlocks } from '../../src/mapping/block.js';
import { mapDesign } from '../../src/mapping/index.js';
import { replicaOffsets } from '../../src/mapping/index.js';
import { renderSchedule, scheduleFiles, streamScheduleText } from '../../src/memory/scheduleFile.js';
import { loadDesign } from '../../src/ir/load.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { contentBytes, outputMarker, writeOutputDirectory } from '../../src/emit/output.js';
import { designWork } from '../../src/ir/size.js';
import { MAX_WHOLE_SCHEDULE_OPS, compileSizeDiagnostic, scheduleTextWarning } from '../../src/emit/limits.js';
import { squareInputSource } from '../../bench/_networks.js';
import { uniformPadding } from '../../src/ir/padding.js';

const base: CoreMemoryParams = {
  layer: 'conv1', core: 'c00', height: 9, width: 7, channels: 3, bits: 4, kernelHeight: 3, kernelWidth: 3, stride: 1,
  padding: uniformPadding(1), replicas: [{ oy: 0, ox: 0 }], method: 1, dW: 1, wordBits: 32, depth: 4096, layout: 'IWAP', arrivalsPerTimestep: 1,
};

const cases: Array<[string, CoreMemoryParams]> = [
  ['one replica, padded', base],
  ['method 1, 3 replicas, stride 2, KLIP', { ...base, replicas: replicaOffsets(3, 1), stride: 2, layout: 'KLIP' }],
  ['method 2 (dW 2), 2x2 arrival blocks, PLIP', { ...base, replicas: replicaOffsets(2, 2), method: 2, dW: 2, layout: 'PLIP', arrivalBlock: { rows: 2, cols: 2 }, arrivalsPerTimestep: 4 }],
  ['a row part (kernel rows 1-2 only), unpadded', { ...base, padding: uniformPadding(0), positions: [1, 2].flatMap((dy) => [0, 1, 2].map((dx) => ({ dy, dx }))) }],
  ['edge blocks with idle replicas (5 replicas on 9 rows)', { ...base, replicas: replicaOffsets(5, 1) }],
];

describe('streamed schedules', () => {
  for (const [name, p] of cases) {
    it(`the streamed .sched text equals the whole-array rendering: ${name}`, () => {
      const whole = renderSchedule(buildSchedule(p));
      const chunks: Buffer[] = [];
      const streamed = streamSchedule(p);
      // Copies: the writer reuses its chunk.
      streamScheduleText(streamed, (chunk) => chunks.push(Buffer.from(chunk)));
      expect(Buffer.concat(chunks).toString('utf8')).toBe(whole);
      // The header's operation count is computed before the operations are produced.
      let visited = 0;
      streamed.forEachOp(() => visited++);
      expect(streamed.opCount).toBe(visited);
    });
  }

  it('the closed-form arrival index is the position in the emission order, for full and edge blocks', () => {
    for (const [h, w, rows, cols] of [[7, 5, 1, 1], [7, 5, 2, 3], [4, 4, 2, 2], [5, 9, 4, 2]]) {
      const order = emissionOrder(h, w, { rows, cols });
      order.forEach((q, i) => expect(emissionIndex(h, w, { rows, cols }, q.y, q.x)).toBe(i));
    }
  });

  it('a pixel\'s block starts at the first pixel its producer block emits (the controller writes a block at once), for grid, edge and ragged blocks', () => {
    const ragged = replicaOffsets(3, 2);
    for (const [h, w, block] of [[7, 5, { rows: 2, cols: 3 }], [5, 9, { rows: 4, cols: 2 }], [3, 7, blockShape(ragged)]] as const) {
      const order = emissionOrder(h, w, block);
      // The producer's blocks: its origins in emission order, each pixel's block by its origin's position.
      const blockOf = block.ragged ? pixelBlocks(block.ragged, { height: h, width: w }).block : undefined;
      const key = (y: number, x: number): number => blockOf?.[x * h + y] ?? Math.floor(x / block.cols) * 1000 + Math.floor(y / block.rows);
      const first = new Map<number, number>();
      order.forEach((q, i) => {
        if (!first.has(key(q.y, q.x))) first.set(key(q.y, q.x), i);
      });
      for (const q of order) expect(blockFirstEmissionIndex(h, w, block, q.y, q.x)).toBe(first.get(key(q.y, q.x)));
    }
  });

  it('blocks one column wide all emit column order; a 2x2 block its own order (the RTL\'s residual FIFO check)', () => {
    expect(sameEmissionOrder(7, 5, { rows: 4, cols: 1 }, { rows: 1, cols: 1 })).toBe(true);
    expect(sameEmissionOrder(7, 5, { rows: 2, cols: 2 }, { rows: 1, cols: 1 })).toBe(false);
    // On a plane one row high, 1x2 blocks emit x order like single pixels.
    expect(sameEmissionOrder(1, 6, { rows: 1, cols: 2 }, { rows: 1, cols: 1 })).toBe(true);
  });
});

describe('compile above the old bound', () => {
  // The whole compile of this design also simulates its report (about 6 s of CPU, more on a loaded machine): the
  // test takes the compile's size checks and its schedule files, the part that was bounded (see docs/hardening.md).
  it('a 1x650x650 3x3 conv (4.6 million schedule operations, IMC191 before) passes compile\'s size checks and its schedule is written in chunks', () => {
    const design = loadDesign('square-650.imc', () => squareInputSource(650)).design!;
    const ops = designWork(design.network)!.scheduleOps;
    expect(ops).toBe(650 * 650 + 648 * 648 * 10);
    expect(ops).toBeGreaterThan(MAX_WHOLE_SCHEDULE_OPS);
    expect(compileSizeDiagnostic(design)).toBeUndefined();
    expect(scheduleTextWarning(design)).toBeUndefined();
    const files = scheduleFiles(planMemories(design, mapDesign(design)));
    const dir = mkdtempSync(join(tmpdir(), 'imcc-stream-'));
    try {
      const out = join(dir, 'out');
      writeOutputDirectory(out, [outputMarker({ version: '0.0.0', entry: 'square-650.imc', sources: [] }), ...files]);
      // Read back as bytes (217 MB): the header as text, the lines counted, the last line decoded.
      const bytes = readFileSync(join(out, 'schedules', 'c00.sched'));
      const headerEnd = bytes.indexOf('\n--\n') + 4;
      expect(bytes.subarray(0, headerEnd).toString('latin1').split('\n')).toContain(`ops ${ops}`);
      let lines = 0;
      for (let at = bytes.indexOf(10, headerEnd); at !== -1; at = bytes.indexOf(10, at + 1)) lines++;
      expect(lines).toBe(ops);
      // The last computation reads the bottom-right pixel; the file ends with its last read.
      const last = bytes.subarray(bytes.lastIndexOf(10, bytes.length - 2) + 1).toString('latin1');
      expect(last).toMatch(/^\d+ R 649,649 word=\d+ bit=\d+ blk=419903 at=2,2\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips schedules/ with the IMC192 warning when they exceed the written bound, and writes the rest', () => {
    const source = squareInputSource(16);
    const design = loadDesign('square-16.imc', () => source).design!;
    const result = compileDesign({ design, sources: new Map([['square-16.imc', source]]), version: '0.0.0', maxScheduleOps: 1000 });
    const warning = result.warnings.find((w) => w.code === 'IMC192');
    expect(warning?.severity).toBe('warning');
    expect(warning?.message).toContain('its schedules hold 2,216 memory operations');
    expect(warning?.message).toContain('schedules/ is not written for this design');
    expect(result.files.some((f) => f.path.startsWith('schedules/'))).toBe(false);
    expect(contentBytes(result.files.find((f) => f.path === 'mapping.json')!.content).length).toBeGreaterThan(0);
  });
});
