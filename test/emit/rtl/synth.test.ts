// Yosys synthesis of a generated RTL set: `synth -top; check -assert`, no latches, the crossbar a black box.
// Every design is synthesized whole and bottom-up (src/verify/synth.ts), each distinct module once: LeNet in under a
// minute, ResNet-32 in a few (its SRAM becomes flip-flops in a generic Yosys flow).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolQueueParametersOf, poolStageParametersOf, prepare, prepareVariant, writeFiles } from './helpers.js';
import { synthesizeRtl } from '../../../src/verify/synth.js';

/** Writes small modules under a fresh directory's rtl/, with their file list rtl/t.f; returns the directory. */
function writeModules(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'rtl'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'rtl', name), text);
  writeFileSync(join(dir, 'rtl/t.f'), Object.keys(files).map((f) => `rtl/${f}`).join('\n') + '\n');
  return dir;
}

describe('yosys synthesis', () => {
  it('synthesizes examples/lenet.imc whole with check -assert and no latches', async () => {
    const p = prepare('examples/lenet.imc');
    const dir = writeFiles(p.files);
    const synth = await synthesizeRtl(dir, 'rtl/lenet.f', 'lenet_top');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    // Units: the top (cores as black boxes), the 6 cores, the controller once per parameter set (6), the static
    // neuron core once per parameter set (4: the two conv layers with their max pools, the two fully connected
    // layers), the SRAM shared by all 6.
    const controllers = synth.units.filter((u) => u.name.startsWith('imcc_controller('));
    expect(controllers.map((u) => u.instances)).toEqual([1, 1, 1, 1, 1, 1]);
    const neurons = synth.units.filter((u) => u.name.startsWith('imcc_neuron('));
    expect(neurons.map((u) => u.instances)).toEqual([1, 1, 1, 1]);
    expect(synth.units.filter((u) => !controllers.includes(u) && !neurons.includes(u)).map((u) => u.name).sort()).toEqual(
      ['imcc_sram(WORD_BITS=32, DEPTH=256, ADDR_BITS=8)', 'lenet_c00', 'lenet_c01', 'lenet_c02', 'lenet_c03', 'lenet_c04', 'lenet_c05', 'lenet_top'],
    );
    expect(synth.units.find((u) => u.name.startsWith('imcc_sram'))!.instances).toBe(6);
    expect(synth.cells).toBeGreaterThan(6 * 32 * 256);
    // Yosys's own CPU time of every unit, summed over the design.
    expect(synth.units.every((u) => u.cpuSeconds > 0)).toBe(true);
    expect(synth.cpuSeconds).toBeCloseTo(synth.units.reduce((sum, u) => sum + u.cpuSeconds, 0), 2);
  }, 900_000);

  it('synthesizes the residual fixture (identity and resampling shortcuts, global average pool) with no latches', async () => {
    const p = prepare('test/verify/fixtures/residual.imc');
    const synth = await synthesizeRtl(writeFiles(p.files), 'rtl/residual.f', 'residual_top');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
  }, 900_000);

  it('synthesizes the method-2 fixture (2x2 blocks, sparse region rows) with check -assert and no latches', async () => {
    const p = prepare('test/verify/fixtures/method2.imc');
    const synth = await synthesizeRtl(writeFiles(p.files), 'rtl/method2.f', 'method2_top');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    expect(synth.units.map((u) => u.name)).toContain('method2_c06');
  }, 900_000);

  it('synthesizes examples/resnet32.imc whole, bottom-up (a Yosys process per core, the SRAM once), check -assert, no latches', async () => {
    const p = prepare('examples/resnet32.imc');
    const dir = writeFiles(p.files);
    const synth = await synthesizeRtl(dir, 'rtl/resnet32.f', 'resnet32_top');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    // The top, 43 cores, the one controller module in its 10 parameter sets, the static neuron core in the 14
    // parameter sets of its 34 cores (the global average pool's among them), one SRAM geometry (512 x 128 bits)
    // shared by the 43 cores: each distinct module and parameter set once. The shortcut FIFO storage is synthesized
    // inside the neuron core's units (its parameters are the neuron core's).
    expect(synth.units.length).toBe(69);
    const controllers = synth.units.filter((u) => u.name.startsWith('imcc_controller('));
    expect(controllers.length).toBe(10);
    expect(controllers.reduce((sum, u) => sum + u.instances, 0)).toBe(43);
    const neurons = synth.units.filter((u) => u.name.startsWith('imcc_neuron('));
    expect(neurons.length).toBe(14);
    expect(neurons.reduce((sum, u) => sum + u.instances, 0)).toBe(34);
    expect(synth.units.filter((u) => /^resnet32_neuron_|^imcc_fifo_ram/.test(u.name))).toEqual([]);
    const sram = synth.units.find((u) => u.name.startsWith('imcc_sram('))!;
    expect(sram.name).toBe('imcc_sram(WORD_BITS=128, DEPTH=512, ADDR_BITS=9)');
    expect(sram.instances).toBe(43);
    // Every SRAM bit is a flip-flop in a generic flow: 43 x 64 Kibit.
    expect(synth.cells).toBeGreaterThan(43 * 65_536);
  }, 3_600_000);

  it('plans units bottom-up: a module two parents share is synthesized once per parameter set', async () => {
    const dir = writeModules('imcc-units-', {
      't.v': 'module t (input wire [3:0] a_i, output wire [3:0] y_o, output wire [7:0] z_o);\n  m u_m (.a_i(a_i), .y_o(y_o));\n  leaf #(.W(8)) u_l8 (.a_i({a_i, a_i}), .y_o(z_o));\nendmodule\n',
      'm.v': 'module m (input wire [3:0] a_i, output wire [3:0] y_o);\n  leaf #(\n    .W (4)\n  ) u_l4 (.a_i(a_i), .y_o(y_o));\nendmodule\n',
      'leaf.v': 'module leaf #(parameter integer W = 2) (input wire [W-1:0] a_i, output wire [W-1:0] y_o);\n  assign y_o = ~a_i;\nendmodule\n',
    });
    const synth = await synthesizeRtl(dir, 'rtl/t.f', 't');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    expect(synth.units.map((u) => `${u.name} x${u.instances}`).sort()).toEqual(['leaf(W=4) x1', 'leaf(W=8) x1', 'm x1', 't x1']);
    // The 8-bit and the 4-bit inverter: 8 + 4 NOT cells, plus the black-box cells of the top and m.
    expect(synth.units.find((u) => u.name === 'leaf(W=8)')!.cells).toBe(8);
    expect(synth.units.find((u) => u.name === 'leaf(W=4)')!.cells).toBe(4);
    // A module named as a black box is kept out like the crossbar: no unit of its own, one cell in its parent.
    const boxed = await synthesizeRtl(dir, 'rtl/t.f', 't', { blackboxes: ['leaf'] });
    expect(boxed.ok).toBe(true);
    expect(boxed.units.map((u) => u.name).sort()).toEqual(['m', 't']);
    expect(boxed.units.find((u) => u.name === 'm')!.cells).toBe(1);
  }, 60_000);

  it('counts a shared module inside a shared module once per occurrence of its parents', async () => {
    // t -> a, b; a and b -> m (shared); m and t -> leaf (shared): m occurs twice, leaf three times.
    const dir = writeModules('imcc-nested-', {
      't.v': 'module t (input wire [3:0] a_i, output wire [3:0] y_o, output wire [3:0] z_o, output wire [3:0] w_o);\n  a u_a (.a_i(a_i), .y_o(y_o));\n  b u_b (.a_i(a_i), .y_o(z_o));\n  leaf u_l (.a_i(a_i), .y_o(w_o));\nendmodule\n',
      'a.v': 'module a (input wire [3:0] a_i, output wire [3:0] y_o);\n  m u_m (.a_i(a_i), .y_o(y_o));\nendmodule\n',
      'b.v': 'module b (input wire [3:0] a_i, output wire [3:0] y_o);\n  m u_m (.a_i(~a_i), .y_o(y_o));\nendmodule\n',
      'm.v': 'module m (input wire [3:0] a_i, output wire [3:0] y_o);\n  leaf u_l (.a_i(a_i), .y_o(y_o));\nendmodule\n',
      'leaf.v': 'module leaf (input wire [3:0] a_i, output wire [3:0] y_o);\n  assign y_o = a_i + 4\'d1;\nendmodule\n',
    });
    const synth = await synthesizeRtl(dir, 'rtl/t.f', 't');
    expect(synth.ok).toBe(true);
    expect(synth.units.map((u) => `${u.name} x${u.instances}`).sort()).toEqual(['a x1', 'b x1', 'leaf x3', 'm x2', 't x1']);
  }, 60_000);

  it('synthesizes a shared module that a parent sets from its own parameters inside that parent\'s unit', async () => {
    // m (in a and b) sets leaf's width from its own W, n sets 4: leaf, in both, has no parameter set of its own.
    const dir = writeModules('imcc-derived-', {
      't.v': 'module t (input wire [3:0] a_i, output wire [3:0] y_o, output wire [7:0] z_o, output wire [3:0] w_o);\n  a u_a (.a_i(a_i), .y_o(y_o));\n  b u_b (.a_i({a_i, a_i}), .y_o(z_o));\n  n u_n (.a_i(a_i), .y_o(w_o));\nendmodule\n',
      'a.v': 'module a (input wire [3:0] a_i, output wire [3:0] y_o);\n  m #(.W(4)) u_m (.a_i(a_i), .y_o(y_o));\nendmodule\n',
      'b.v': 'module b (input wire [7:0] a_i, output wire [7:0] y_o);\n  m #(.W(8)) u_m (.a_i(a_i), .y_o(y_o));\nendmodule\n',
      'm.v': 'module m #(parameter integer W = 2) (input wire [W-1:0] a_i, output wire [W-1:0] y_o);\n  leaf #(.W(W)) u_l (.a_i(a_i), .y_o(y_o));\nendmodule\n',
      'n.v': 'module n (input wire [3:0] a_i, output wire [3:0] y_o);\n  leaf #(.W(4)) u_l (.a_i(a_i), .y_o(y_o));\nendmodule\n',
      'leaf.v': 'module leaf #(parameter integer W = 2) (input wire [W-1:0] a_i, output wire [W-1:0] y_o);\n  assign y_o = ~a_i;\nendmodule\n',
    });
    const synth = await synthesizeRtl(dir, 'rtl/t.f', 't');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    expect(synth.units.map((u) => `${u.name} x${u.instances}`).sort()).toEqual(['a x1', 'b x1', 'm(W=4) x1', 'm(W=8) x1', 'n x1', 't x1']);
    expect(synth.units.find((u) => u.name === 'm(W=8)')!.cells).toBe(8);
  }, 60_000);

  it('synthesizes the pool library (a stage pooling in place, one pooling from a line buffer with a membrane before it, one adding a residual shortcut, stages pooling by position, queues, two of them adding a shortcut and one sending it) latch-free', async () => {
    // The stages of the spiking-pools fixture's core (a 2x2/2 average, then integrate-and-fire and a 2x2/1 max), the
    // block-pool-chain fixture's method-2 stages (2x2 max, then a 3x3/2 average padded by 1, by position) and the
    // spiking-queue fixture's queue (3x3/1 average padded by 1, integrate-and-fire after it), in three small cores;
    // and queues sending their pixels to pools after them (queue-then-pool.imc's two queues of c04, the second
    // collecting the core's pixels from its pooled input), integrating their input in a membrane (spiking-pools.imc
    // with its second pool padded), adding a residual shortcut to their pooled pixels (queue-add.imc's c02) and to
    // their input (pool-after-pooled-add.imc with its second pool padded: the add, a ReLU and a queued 2x2/1 max pool),
    // sending it with their pixels to the pool after the add (queue-add.imc with a 2x2/1 average pool after it),
    // walking a replicated core's blocks (queued-replicated-pool.imc's c1) and only sending a method-2 core's pooled
    // pixels (block-queued-pool.imc's c1), in eight more; and the stage after a residual add of a pooled value
    // (pool-after-pooled-add.imc: the add, a ReLU and a 2x2/1 max pool from a line buffer), in one more.
    const chain = prepare('test/verify/fixtures/spiking-pools.imc');
    const added = poolStageParametersOf(prepare('test/verify/fixtures/pool-after-pooled-add.imc').files, 'pool_after_pooled_add_c01')[1];
    expect(added.ADD_IN).toBe(1);
    const placed = prepare('test/verify/fixtures/block-pool-chain.imc');
    const queued = prepare('test/verify/fixtures/spiking-queue.imc');
    const queues = prepare('test/verify/fixtures/queue-then-pool.imc');
    const membraneIn = prepareVariant('test/verify/fixtures/spiking-pools.imc', 'spiking-pool-queue', [
      ['maxpool(relu(avgpool(c1, size 2)), size 2, stride 1)', 'maxpool(relu(avgpool(c1, size 2)), size 2, stride 1, pad 1)'],
    ]);
    const adding = prepare('test/verify/fixtures/queue-add.imc');
    const blockWalk = prepare('test/verify/fixtures/queued-replicated-pool.imc');
    const sender = prepare('test/verify/fixtures/block-queued-pool.imc');
    const sending = prepareVariant('test/verify/fixtures/queue-add.imc', 'queue-add-then-pool', [
      ['y = relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2))', 'y = avgpool(relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2)), size 2, stride 1)'],
    ]);
    const addingIn = prepareVariant('test/verify/fixtures/pool-after-pooled-add.imc', 'queue-after-pooled-add', [
      ['size 2, stride 1)', 'size 2, stride 1, pad 1)'],
    ]);
    const later = [
      poolQueueParametersOf(queues.files, 'queue_then_pool_c04'),
      poolQueueParametersOf(queues.files, 'queue_then_pool_c04', 2),
      poolQueueParametersOf(membraneIn.files, 'spiking_pools_c00'),
      poolQueueParametersOf(adding.files, 'queue_add_c02'),
      poolQueueParametersOf(blockWalk.files, 'queued_replicated_pool_c00'),
      poolQueueParametersOf(sender.files, 'block_queued_pool_c00'),
      poolQueueParametersOf(addingIn.files, 'pool_after_pooled_add_c01'),
      poolQueueParametersOf(sending.files, 'queue_add_c02'),
    ];
    expect(later.map((q) => [q.AFTER, q.THRESHOLD_IN, q.RES_ADD, q.BLOCK_WALK, q.POOLED_IN, q.ADD_IN, q.SEND_SHORTCUT])).toEqual([
      [1, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0],
      [0, 2, 0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0, 1, 0],
      [1, 0, 0, 0, 0, 0, 1],
    ]);
    const library = (p: typeof chain, name: string): string => p.files.find((f) => f.path === `rtl/${name}.v`)!.content;
    const stages = poolStageParametersOf(chain.files, 'spiking_pools_c00');
    const byPosition = poolStageParametersOf(placed.files, 'block_pool_chain_c00');
    expect(byPosition.map((s) => s.BY_POSITION)).toEqual([1, 1]);
    const queue = poolQueueParametersOf(queued.files, 'spiking_queue_c00');
    expect(stages.map((s) => s.THRESHOLD_IN)).toEqual([0, 2]);
    const set = (values: Record<string, number>): string => Object.entries(values).map(([k, v]) => `.${k}(${v})`).join(', ');
    // A stage that adds no shortcut takes zeros.
    const zero = (values: Record<string, number>): string => `{${values.ACC_BITS}{1'b0}}`;
    const streamBits = (v: Record<string, number>): number => 2 + v.CH_BITS + 2 * v.CW + v.ACC_BITS;
    const sb = streamBits(stages[0]);
    const pb = streamBits(byPosition[0]);
    const qb = streamBits(queue);
    const ab = streamBits(added);
    const pixelBits = queue.COLS * queue.OUT_BITS;
    // The later cores' ports, each core's prefixed l<i>_, are the top's.
    const laterPorts = later.map((q, i) => laterQueuePorts(q).map(([dir, bits, port]) => `,\n          ${dir} wire [${bits}-1:0] l${i}_${port}`).join('')).join('');
    const dir = writeModules('imcc-pool-library-', {
      't.v':
        `module t (input wire clk_i, input wire rst_ni, input wire step_i, input wire first_i, input wire [${sb}-1:0] s_i, output wire [${sb}-1:0] s_o,\n` +
        `          input wire [${pb}-1:0] p_i, output wire [${pb}-1:0] p_o,\n` +
        `          input wire [${qb}-1:0] q_i, input wire done_i, output wire done_o, output wire empty_o, output wire valid_o, output wire [${pixelBits}-1:0] pixel_o,\n` +
        `          input wire [${ab}-1:0] a_i, input wire [${added.ACC_BITS}-1:0] a_shortcut_i, output wire [${ab}-1:0] a_o${laterPorts});\n` +
        '  chain_core u_chain (.clk_i(clk_i), .rst_ni(rst_ni), .first_i(first_i), .s_i(s_i), .s_o(s_o));\n' +
        '  position_core u_position (.clk_i(clk_i), .rst_ni(rst_ni), .s_i(p_i), .s_o(p_o));\n' +
        '  add_core u_add (.clk_i(clk_i), .rst_ni(rst_ni), .s_i(a_i), .shortcut_i(a_shortcut_i), .s_o(a_o));\n' +
        '  queue_core u_queue (.clk_i(clk_i), .rst_ni(rst_ni), .step_i(step_i), .first_i(first_i), .q_i(q_i), .done_i(done_i), .done_o(done_o), .empty_o(empty_o), .valid_o(valid_o), .pixel_o(pixel_o));\n' +
        later.map((q, i) => `  later_core${i} u_later${i} (.clk_i(clk_i), .rst_ni(rst_ni), .step_i(step_i), .first_i(first_i)${laterQueuePorts(q).map(([, , port]) => `, .${port}(l${i}_${port})`).join('')});\n`).join('') +
        'endmodule\n',
      ...Object.fromEntries(later.map((q, i) => [`later_core${i}.v`, laterQueueCore(`later_core${i}`, q)])),
      'chain_core.v':
        `module chain_core (input wire clk_i, input wire rst_ni, input wire first_i, input wire [${sb}-1:0] s_i, output wire [${sb}-1:0] s_o);\n` +
        `  wire [${sb}-1:0] s_1;\n` +
        `  imcc_pool #(${set(stages[0])}) u_pool1 (.clk_i(clk_i), .rst_ni(rst_ni), .first_timestep_i(first_i), .stream_i(s_i), .shortcut_i(${zero(stages[0])}), .stream_o(s_1), .hold_i(1'b0), .hold_o());\n` +
        `  imcc_pool #(${set(stages[1])}) u_pool2 (.clk_i(clk_i), .rst_ni(rst_ni), .first_timestep_i(first_i), .stream_i(s_1), .shortcut_i(${zero(stages[1])}), .stream_o(s_o), .hold_i(1'b0), .hold_o());\n` +
        'endmodule\n',
      'position_core.v':
        `module position_core (input wire clk_i, input wire rst_ni, input wire [${pb}-1:0] s_i, output wire [${pb}-1:0] s_o);\n` +
        `  wire [${pb}-1:0] s_1;\n` +
        '  wire hold_1;\n' +
        `  imcc_pool #(${set(byPosition[0])}) u_pool1 (.clk_i(clk_i), .rst_ni(rst_ni), .first_timestep_i(1'b0), .stream_i(s_i), .shortcut_i(${zero(byPosition[0])}), .stream_o(s_1), .hold_i(hold_1), .hold_o());\n` +
        `  imcc_pool #(${set(byPosition[1])}) u_pool2 (.clk_i(clk_i), .rst_ni(rst_ni), .first_timestep_i(1'b0), .stream_i(s_1), .shortcut_i(${zero(byPosition[1])}), .stream_o(s_o), .hold_i(1'b0), .hold_o(hold_1));\n` +
        'endmodule\n',
      'add_core.v':
        `module add_core (input wire clk_i, input wire rst_ni, input wire [${ab}-1:0] s_i, input wire [${added.ACC_BITS}-1:0] shortcut_i, output wire [${ab}-1:0] s_o);\n` +
        `  imcc_pool #(${set(added)}) u_pool2 (.clk_i(clk_i), .rst_ni(rst_ni), .first_timestep_i(1'b0), .stream_i(s_i), .shortcut_i(shortcut_i), .stream_o(s_o), .hold_i(1'b0), .hold_o());\n` +
        'endmodule\n',
      'queue_core.v':
        `module queue_core (input wire clk_i, input wire rst_ni, input wire step_i, input wire first_i, input wire [${qb}-1:0] q_i, input wire done_i,\n` +
        `                   output wire done_o, output wire empty_o, output wire valid_o, output wire [${pixelBits}-1:0] pixel_o);\n` +
        `  imcc_pool_queue #(${set(queue)}) u_queue (.clk_i(clk_i), .rst_ni(rst_ni), .step_i(step_i), .first_timestep_i(first_i), .stream_i(q_i),\n` +
        `    .in_shortcut_i({${queue.ACC_BITS}{1'b0}}), .neuron_done_i(done_i), .done_o(done_o), .empty_o(empty_o), .busy_o(), .stream_o(), .pooled_i({${qb}{1'b0}}), .add_pixel_o(),\n` +
        `    .shortcut_i({${queue.COLS * queue.ACT_BITS}{1'b0}}), .sent_shortcut_o(), .out_valid_o(valid_o), .out_pixel_o(pixel_o));\n` +
        'endmodule\n',
      'imcc_pool.v': library(chain, 'imcc_pool'),
      'imcc_pool_axis.v': library(chain, 'imcc_pool_axis'),
      'imcc_pool_taps.v': library(chain, 'imcc_pool_taps'),
      'imcc_pool_queue.v': library(queued, 'imcc_pool_queue'),
      'imcc_if_neuron.v': library(chain, 'imcc_if_neuron'),
    });
    const synth = await synthesizeRtl(dir, 'rtl/t.f', 't');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    // imcc_pool (two cores) and imcc_pool_queue (nine) have several parents: a unit per parameter set, with their logic.
    const stageUnits = synth.units.filter((u) => u.name.startsWith('imcc_pool('));
    const queueUnits = synth.units.filter((u) => u.name.startsWith('imcc_pool_queue('));
    expect(queueUnits).toHaveLength(9);
    expect(stageUnits.map((u) => u.name.includes('BY_POSITION=1'))).toEqual([false, false, true, true, false]);
    expect(stageUnits.filter((u) => u.name.includes('ADD_IN=1'))).toHaveLength(1);
    expect(synth.units.filter((u) => !stageUnits.includes(u) && !queueUnits.includes(u)).map((u) => u.name).sort()).toEqual(
      ['add_core', 'chain_core', 'later_core0', 'later_core1', 'later_core2', 'later_core3', 'later_core4', 'later_core5', 'later_core6', 'later_core7', 'position_core', 'queue_core', 't'],
    );
    for (const u of [...stageUnits, ...queueUnits]) expect(u.cells, u.name).toBeGreaterThan(100);
  }, 300_000);

  /** The ports of a core around one queue of parameters `q` (laterQueueCore) besides its clock, reset, step and first. */
  function laterQueuePorts(q: Record<string, number>): Array<[string, number, string]> {
    const bits = 2 + q.CH_BITS + 2 * q.CW + q.ACC_BITS;
    return [
      ['input', bits, 's_i'],
      ['input', q.ACC_BITS, 'in_shortcut_i'],
      ['input', bits, 'pooled_i'],
      ['input', 1, 'done_i'],
      ['output', 1, 'done_o'],
      ['output', 1, 'empty_o'],
      ['output', 1, 'busy_o'],
      ['output', bits, 's_o'],
      ['output', q.ADD_PIXEL_BITS, 'add_pixel_o'],
      ['input', q.COLS * q.ACT_BITS, 'shortcut_i'],
      ['output', q.ACC_BITS, 'sent_shortcut_o'],
      ['output', 1, 'valid_o'],
      ['output', q.COLS * q.OUT_BITS, 'pixel_o'],
    ];
  }

  /** A core around one queue of parameters `q`, every port of the queue a port of the core. */
  function laterQueueCore(name: string, q: Record<string, number>): string {
    const set = Object.entries(q).map(([k, v]) => `.${k}(${v})`).join(', ');
    const ports = laterQueuePorts(q).map(([dir, bits, port]) => `,\n  ${dir} wire [${bits}-1:0] ${port}`).join('');
    return (
      `module ${name} (input wire clk_i, input wire rst_ni, input wire step_i, input wire first_i${ports});\n` +
      `  imcc_pool_queue #(${set}) u_queue (.clk_i(clk_i), .rst_ni(rst_ni), .step_i(step_i), .first_timestep_i(first_i), .stream_i(s_i),\n` +
      '    .in_shortcut_i(in_shortcut_i), .neuron_done_i(done_i), .done_o(done_o), .empty_o(empty_o), .busy_o(busy_o), .stream_o(s_o), .pooled_i(pooled_i), .add_pixel_o(add_pixel_o),\n' +
      '    .shortcut_i(shortcut_i), .sent_shortcut_o(sent_shortcut_o), .out_valid_o(valid_o), .out_pixel_o(pixel_o));\n' +
      'endmodule\n'
    );
  }

  it('the check has teeth: a module with a latch fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-latch-'));
    mkdirSync(join(dir, 'rtl'));
    writeFileSync(join(dir, 'rtl/latchy.v'), 'module latchy (input wire en_i, input wire d_i, output reg q_o);\n  always @* if (en_i) q_o = d_i;\nendmodule\n');
    writeFileSync(join(dir, 'rtl/latchy.f'), 'rtl/latchy.v\n');
    const synth = await synthesizeRtl(dir, 'rtl/latchy.f', 'latchy');
    expect(synth.ok).toBe(false);
    expect(synth.messages.join('\n')).toContain('DLATCH');
  }, 60_000);
});
