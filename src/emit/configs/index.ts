// Simulator configurations for `imcc compile` (configs/ in the output directory): CrossSim parameter files per
// mapped layer with an index of their tiles, and the NeuroSim network table, weight and input traces and run notes.
// Entry point: simulatorConfigs(design, mapping). Every JSON is validated against its schema; every text file comes
// from a template in templates/configs/. Output is deterministic: layers in mapping order, fixed number formats,
// the input traces from the network's seeded input image.
import type { IrDesign, IrNode } from '../../ir/types.js';
import { generateInputImage } from '../../ir/weights.js';
import type { Mapping } from '../../mapping/types.js';
import { referenceInference } from '../../reference/index.js';
import { resolveAdc } from '../../reference/arithmetic.js';
import { layerParameters } from '../../reference/network.js';
import { jsonText } from '../../support/schema.js';
import { renderTemplate } from '../../support/templates.js';
import { crossSimIndex, crossSimParameters, type CrossSimLayerInput } from './crosssim.js';
import { fileSafe, inputTraceLines, networkLine, networkRows, weightLines } from './neurosim.js';

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

export function simulatorConfigs(design: IrDesign, mapping: Mapping, options: SimulatorConfigOptions = {}): ConfigFile[] {
  const nodes = new Map(design.network.nodes.map((n) => [n.name, n]));
  const crossbar = design.target.crossbar;
  const files: ConfigFile[] = [];
  const coresById = new Map(mapping.cores.map((c) => [c.id, c]));
  const names = mapping.layers.map((l, i) => `${String(i + 1).padStart(2, '0')}_${fileSafe(l.layer)}`);

  // CrossSim: one parameter file per layer, and the index.
  const layerInputs: Array<CrossSimLayerInput & { file: string; tiles: ReturnType<typeof tileList> }> = mapping.layers.map((lm, i) => {
    const node = nodes.get(lm.layer) as IrNode;
    const producer = nodes.get(node.inputs[0]) as IrNode;
    const tiles = tileList(lm.cores, coresById);
    const rowsInLargestPart = Math.max(...tiles.map((t) => t.rowEnd - t.rowStart));
    const weightBits = node.weightBits ?? crossbar.weightBits;
    const adc = resolveAdc(crossbar, rowsInLargestPart, producer.activationBits, weightBits);
    return { layer: lm, weightBits, activationBits: producer.activationBits, adc, rowsPerPart: rowsInLargestPart, file: `${names[i]}.json`, tiles };
  });
  for (const l of layerInputs) {
    files.push({ path: `configs/crosssim/${l.file}`, content: jsonText('crosssim', crossSimParameters(crossbar, l)) });
  }
  files.push({ path: 'configs/crosssim/index.json', content: jsonText('crosssim-index', crossSimIndex(design, layerInputs)) });

  // NeuroSim: the layer table, per-layer weights and input traces, the run notes.
  const rows = networkRows(design, mapping);
  files.push({ path: 'configs/neurosim/NetWork.csv', content: renderTemplate('configs/csv-lines.csv.hbs', { lines: rows.map(networkLine) }) });
  const params = layerParameters(design);
  const traces = options.neurosimTraces ?? true;
  const input = design.network.nodes.find((n) => n.op.kind === 'input') as IrNode;
  const reference = traces
    ? referenceInference(design, mapping, generateInputImage(design.network.weights.seed, input.shape, input.activationBits))
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
      files.push({ path: `configs/neurosim/${inputFile}`, content: renderTemplate('configs/csv-lines.csv.hbs', { lines: inputTraceLines(r, value, l.activationBits) }) });
    }
    return { layer: r.layer, weightFile, inputFile };
  });
  const weightBits = Math.max(...layerInputs.map((l) => l.weightBits));
  const activationBits = Math.max(...layerInputs.map((l) => l.activationBits));
  const pairs = listed.map((l) => `${l.weightFile} ${l.inputFile}`).join(' ');
  const d = crossbar.device;
  const levels = d ? d.levels : 2 ** crossbar.weightBits - 1;
  const notes: string[] = [];
  if (!traces) notes.push('input traces were not written: NeuroSIM/main needs them; compile with `imcc compile --neurosim-traces`.');
  if (!Number.isInteger(Math.log2(levels))) notes.push(`${levels} device levels is not a power of two: cellBit rounds down to ${Math.floor(Math.log2(levels))}.`);
  if (crossbar.adcBits > 8) {
    notes.push(`a ${crossbar.adcBits}-bit ADC is far beyond NeuroSim's calibrated sense-amplifier and SAR ADC models (up to about 8 bits); its ADC area and energy are extrapolated.`);
  }
  if (layerInputs.some((l) => l.weightBits !== weightBits || l.activationBits !== activationBits)) {
    notes.push('layers use different bit widths; NeuroSim takes one synapseBit and numBitInput: the largest are given.');
  }
  files.push({
    path: 'configs/neurosim/run.txt',
    content: renderTemplate('configs/neurosim-run.txt.hbs', {
      network: design.network.name,
      target: design.target.name,
      layers: listed,
      commandV14: `../NeuroSIM/main NetWork.csv ${weightBits} ${activationBits} ${crossbar.rows} ${crossbar.rows} ${pairs}`,
      commandV13: `../NeuroSIM/main NetWork.csv ${weightBits} ${activationBits} ${pairs}`,
      hasSubArrayArgs: true,
      rows: crossbar.rows,
      cols: crossbar.cols,
      cellBit: Math.floor(Math.log2(levels)),
      levels,
      levelOutput: 2 ** crossbar.adcBits,
      adcBits: crossbar.adcBits,
      resistanceOn: d ? plain(1 / d.gMax) : 'default',
      resistanceOff: d && d.gMin > 0 ? plain(1 / d.gMin) : 'default',
      readVoltage: d ? plain(d.readVoltage) : 'default',
      weightBits,
      activationBits,
      notes,
    }),
  });
  return files;
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
