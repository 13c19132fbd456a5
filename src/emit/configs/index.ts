// Simulator configurations for `imcc compile` (configs/ in the output directory): CrossSim parameter files per
// mapped layer with an index of their tiles, and the NeuroSim network table, weight and input traces and run notes.
// Entry point: simulatorConfigs(program). Every JSON is validated against its schema; every text file comes
// from a template in templates/configs/. Output is deterministic: layers in mapping order, fixed number formats,
// the input traces from the network's seeded input image.
import type { IrDesign, IrNode } from '../../ir/types.js';
import { generateInputImage } from '../../ir/weights.js';
import type { Mapping } from '../../mapping/types.js';
import { runReference } from '../../reference/index.js';
import { inputNode, nodeIndex, producerOf } from '../../ir/nodeIndex.js';
import type { Program } from '../../pipeline/program.js';
import { resolveAdc } from '../../reference/arithmetic.js';
import { layerParameters } from '../../reference/network.js';
import { exactJsonText } from '../../support/schema.js';
import { renderTemplate } from '../../support/templates.js';
import { crossSimIndex, crossSimParameters, type CrossSimLayerInput } from './crosssim.js';
import { fileSafe, inputTraceLines, networkLine, networkRows, neurosimSetup, neurosimVectorCount, weightLines, type NeuroSimSetup } from './neurosim.js';
import { defaultLevels } from '../../ir/target.js';
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { isBinaryValue } from '../../ir/binary.js';

export interface ConfigFile {
  /** Path relative to the output directory, starting with `configs/`. */
  path: string;
  content: string;
}

export interface SimulatorConfigOptions {
  /** Write the NeuroSim input traces (they are large: all input vectors of every layer). Default true. */
  neurosimTraces?: boolean;
}

/** Number formatting for the run notes: plain decimal, no exponent for the usual magnitudes. */
function plain(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

export function simulatorConfigs(program: Program, options: SimulatorConfigOptions = {}): ConfigFile[] {
  const { design, mapping } = program;
  const nodes = nodeIndex(design.network);
  const crossbar = design.target.crossbar;
  const files: ConfigFile[] = [];
  const coresById = new Map(mapping.cores.map((c) => [c.id, c]));
  const names = mapping.layers.map((l, i) => `${String(i + 1).padStart(2, '0')}_${fileSafe(l.layer)}`);

  // CrossSim: one parameter file per layer, and the index.
  const layerInputs: Array<CrossSimLayerInput & { file: string; tiles: ReturnType<typeof tileList> }> = mapping.layers.map((lm, i) => {
    const node = nodes.get(lm.layer) as IrNode;
    const producer = producerOf(design.network, node);
    const tiles = tileList(lm.cores, coresById);
    const rowsInLargestPart = Math.max(...tiles.map((t) => t.rowEnd - t.rowStart));
    const weightBits = node.weightBits ?? crossbar.weightBits;
    const adc = resolveAdc(crossbar, rowsInLargestPart, producer.activationBits, weightBits);
    return {
      layer: lm,
      weightBits,
      activationBits: producer.activationBits,
      inputsSigned: !isBinaryValue(producer),
      adc,
      rowsPerPart: rowsInLargestPart,
      file: `${names[i]}.json`,
      tiles,
    };
  });
  for (const l of layerInputs) {
    files.push({ path: `configs/crosssim/${l.file}`, content: exactJsonText('crosssim', crossSimParameters(crossbar, l)) });
  }
  files.push({ path: 'configs/crosssim/index.json', content: exactJsonText('crosssim-index', crossSimIndex(design, layerInputs)) });

  // NeuroSim: the layer table, per-layer weights and input traces, the build-and-run script and its notes.
  const rows = networkRows(design, mapping);
  files.push({ path: 'configs/neurosim/NetWork.csv', content: renderTemplate('configs/csv-lines.csv.hbs', { lines: rows.map(networkLine) }) });
  const setup = neurosimSetupFor(design, mapping);
  const params = layerParameters(design);
  const traces = options.neurosimTraces ?? true;
  const input = inputNode(design.network);
  const reference = traces
    ? runReference(program.reference, generateInputImage(design.network.weights.seed, input.shape, input.activationBits))
    : null;
  const listed = rows.map((r, i) => {
    const l = layerInputs[i];
    const p = params.get(r.layer)!;
    const weightFile = `weight_${names[i]}.csv`;
    const inputFile = `input_${names[i]}.csv`;
    files.push({ path: `configs/neurosim/${weightFile}`, content: renderTemplate('configs/csv-lines.csv.hbs', { lines: weightLines(r, p.weights, l.weightBits) }) });
    if (reference) {
      const node = nodes.get(r.layer) as IrNode;
      const value = reference.nodes.get(node.inputs[0]);
      if (!value) throw new Error(`neurosim: no reference value for ${node.inputs[0]}`);
      const padding = node.op.kind === 'conv' ? node.op.padding : undefined;
      files.push({ path: `configs/neurosim/${inputFile}`, content: renderTemplate('configs/csv-lines.csv.hbs', { lines: inputTraceLines(r, value, setup.numBitInput, padding) }) });
    }
    return { layer: r.layer, weightFile, inputFile, vectors: neurosimVectorCount(r) };
  });
  const d = crossbar.device;
  const notes = [...setup.unexpressed];
  const spiking = neurosimSpikingNote(design);
  if (spiking) notes.push(spiking);
  if (setup.subArrayReduced) notes.push(subArrayNote(setup, crossbar.rows));
  if (setup.levelOutput > 256) {
    notes.push(`a ${Math.log2(setup.levelOutput)}-bit ADC (levelOutput ${setup.levelOutput}) is beyond NeuroSim's calibrated sense-amplifier and SAR ADC models (up to about 8 bits): its ADC area and energy are extrapolated.`);
  }
  if (!traces) notes.push('input traces were not written: NeuroSIM/main needs them; compile with `imcc compile --neurosim-traces`.');
  if (d) notes.push(`NeuroSim fixes the read voltage by technology node (22 nm: 0.55 V); the target's ${plain(d.readVoltage)} V is not used.`);
  const args = [setup.synapseBit, setup.numBitInput, setup.numRowSubArray, setup.numRowParallel].join(' ');
  const pairs = listed.map((l) => `${l.weightFile} ${l.inputFile}`).join(' ');
  const paramSettings = neurosimParamSettings(setup);
  const view = {
    network: design.network.name,
    target: design.target.name,
    layers: listed,
    args,
    pairs,
    paramSettings,
    setup,
    adcBits: crossbar.adcBits,
    targetRows: crossbar.rows,
    notes,
  };
  files.push({ path: 'configs/neurosim/run.txt', content: renderTemplate('configs/neurosim-run.txt.hbs', view) });
  files.push({ path: 'configs/neurosim/neurosim.sh', content: renderTemplate('configs/neurosim.sh.hbs', view) });
  return files;
}

/** The NeuroSim setup of a design (subarray, ADC levels, cell bits, bit widths); see neurosimSetup. */
export function neurosimSetupFor(design: IrDesign, mapping: Mapping): NeuroSimSetup {
  const crossbar = design.target.crossbar;
  const nodes = nodeIndex(design.network);
  const d = crossbar.device;
  const differential = d ? d.encoding === 'differential' : crossbar.devicesPerWeight === 2;
  const weightBits = mapping.layers.map((l) => nodes.get(l.layer)!.weightBits ?? crossbar.weightBits);
  const activationBits = mapping.layers.map((l) => nodes.get(nodes.get(l.layer)!.inputs[0])!.activationBits);
  const setup = neurosimSetup(
    networkRows(design, mapping),
    {
      rows: crossbar.rows,
      cols: crossbar.cols,
      adcBits: crossbar.adcBits,
      levels: d ? d.levels : defaultLevels(crossbar.weightBits, differential),
      differential,
      resistanceOn: d ? 1 / d.gMax : undefined,
      resistanceOff: d && d.gMin > 0 ? 1 / d.gMin : undefined,
    },
    weightBits,
    activationBits,
  );
  const thresholds = design.network.nodes.filter((n) => n.op.kind === 'threshold').map((n) => `'${n.name}'`);
  if (thresholds.length > 0) {
    // NeuroSim's neuron peripheral (Param.cpp reLu, Chip.cpp GreLu or Gsigmoid) is a ReLU or a sigmoid lookup of numBitInput bits.
    setup.unexpressed.push(
      `threshold (binary) activations (${thresholds.join(', ')}): NeuroSim has no comparator neuron; its ReLU of numBitInput bits stands in for the area, latency and energy of the threshold`,
    );
  }
  return setup;
}

function subArrayNote(setup: NeuroSimSetup, rows: number): string {
  return (
    `NeuroSim's chip hierarchy needs 2^ceil(log2(Cout x ${Math.ceil(setup.synapseBit / setup.cellBit)} cells per weight)) >= ` +
    `${setup.novelMapping ? 2 : 4} x numRowSubArray: subarrays of ${setup.numRowSubArray}x${setup.numColSubArray} instead of the target's ${rows}-row crossbars`
  );
}

/** Warnings for what NeuroSim cannot express of the target (compile reports them; run.txt lists them too). */
export function simulatorWarnings(design: IrDesign, mapping: Mapping): Diagnostic[] {
  const setup = neurosimSetupFor(design, mapping);
  const span = design.target.crossbar.span;
  const out: Diagnostic[] = [];
  if (setup.subArrayReduced) out.push(diagnostic('IMC160', span, { subArrayNote: subArrayNote(setup, design.target.crossbar.rows) }));
  for (const u of setup.unexpressed) out.push(diagnostic('IMC161', span, { u }));
  const spiking = neurosimSpikingNote(design);
  if (spiking) out.push(diagnostic('IMC163', design.target.neuronCore.spiking!.span, { spiking }));
  return out;
}

/**
 * What NeuroSim makes of integrate-and-fire neurons (`model if`), or undefined without them. NeuroSim runs one pass of
 * the network per image with a ReLU or sigmoid neuron (Param.cpp reLu, Chip.cpp GreLu/Gsigmoid): no membrane, and
 * one pass where the design runs T.
 */
function neurosimSpikingNote(design: IrDesign): string | undefined {
  const spiking = design.target.neuronCore.spiking;
  if (!spiking) return undefined;
  const neurons = design.network.nodes.filter((n) => n.op.kind === 'relu').map((n) => `'${n.name}'`);
  return (
    `integrate-and-fire neurons (model if: ${neurons.join(', ')}; threshold ${spiking.threshold}, leak ${spiking.leak}, reset ${spiking.reset}): ` +
    `NeuroSim has no membrane (its ReLU of numBitInput bits stands in for the neuron's area) and runs one pass of the network where the design runs ${spiking.steps} timesteps per image: ` +
    `multiply its latency and dynamic energy per image by ${spiking.steps}; the input traces hold the spikes (0/1) of the last timestep`
  );
}

/** The Param.cpp assignments the script sets (name, value), in Param.cpp's order. */
export function neurosimParamSettings(setup: NeuroSimSetup): Array<{ name: string; value: string; why: string }> {
  const settings = [
    { name: 'operationmode', value: '2', why: 'conventionalParallel: every row of a subarray read at once' },
    { name: 'memcelltype', value: '2', why: 'RRAM: resistive multi-level cells' },
    { name: 'novelMapping', value: String(setup.novelMapping), why: 'the mapping whose chip hierarchy holds for these layers' },
    { name: 'numRowSubArray', value: String(setup.numRowSubArray), why: 'subarray rows' },
    { name: 'numColSubArray', value: String(setup.numColSubArray), why: 'subarray columns' },
    { name: 'levelOutput', value: String(setup.levelOutput), why: 'ADC levels of one read of one input bit' },
    { name: 'cellBit', value: String(setup.cellBit), why: 'bits per cell' },
  ];
  if (setup.resistanceOn !== undefined) settings.push({ name: 'resistanceOn', value: plain(setup.resistanceOn), why: 'ohms, 1 / gMax' });
  if (setup.resistanceOff !== undefined) settings.push({ name: 'resistanceOff', value: plain(setup.resistanceOff), why: 'ohms, 1 / gMin' });
  return settings;
}

function tileList(
  cores: string[],
  coresById: Map<string, Mapping['cores'][number]>,
): Array<{ core: string; rowPart: number; colPart: number; rowStart: number; rowEnd: number; colStart: number; colEnd: number }> {
  return cores.map((id) => {
    const c = coresById.get(id);
    if (!c) throw new Error(`configs: core ${id} is not in the mapping`);
    const p = c.part;
    return { core: id, rowPart: p.rowPart, colPart: p.colPart, rowStart: p.rowStart, rowEnd: p.rowEnd, colStart: p.colStart, colEnd: p.colEnd };
  });
}
