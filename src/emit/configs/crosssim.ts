// CrossSim parameter files: one per mapped weight layer, in the parameter tree of CrossSim 3.2
// (simulator/parameters in sandialabs/cross-sim: CrossSimParameters with `core`, `simulation` and `xbar` holding
// `device`, `array.parasitics`, `adc` and `dac`). CrossSim builds the tree with CrossSimParameters.from_json, which
// passes every key to a dataclass constructor, so an unknown key is an error: the emitted tree has exactly the keys
// of 3.2 and schemas/crosssim.schema.json pins them (additionalProperties false everywhere).
// Units follow CrossSim: resistances in ohms, weights and inputs in our integer units (mapping min/max). CrossSim's
// ADC converts its own normalized array output (inputs scaled to [-1, 1), conductances divided by gMax), so the
// ADC range is converted from accumulator units into those units here (crossSimAdc), with the offset current that
// a single device per weight adds; docs/simulators.md derives every factor from CrossSim's source.
import type { CrossbarTarget, IrDesign } from '../../ir/types.js';
import type { LayerMapping } from '../../mapping/types.js';
import type { AdcModel } from '../../reference/arithmetic.js';

export const CROSSSIM_VERSION = '3.2';

/** CrossSim CoreStyle, BalancedCoreStyle, OffsetCoreStyle (simulator/parameters/core_parameters.py). */
const CORE_STYLE = { BALANCED: 1, OFFSET: 3 } as const;
const BALANCED_ONE_SIDED = 1;
const OFFSET_DIGITAL = 1;
const PARTITION_EQUAL = 2;
const ADC_RANGE_CALIBRATED = 1;

function errorModel(e: { sigma: number; model: 'proportional' | 'independent' } | undefined): {
  enable: boolean;
  model: string;
  magnitude: number;
} {
  if (!e || e.sigma === 0) return { enable: false, model: 'IdealDevice', magnitude: 0 };
  return { enable: true, model: e.model === 'proportional' ? 'NormalProportionalDevice' : 'NormalIndependentDevice', magnitude: e.sigma };
}

export interface CrossSimLayerInput {
  layer: LayerMapping;
  weightBits: number;
  activationBits: number;
  /** False when the inputs are a threshold's 0/1 (unsigned, 1 bit). */
  inputsSigned: boolean;
  adc: AdcModel;
  /** Rows of the layer's tallest tile part: the rows one CrossSim array (and one ADC) sums. */
  rowsPerPart: number;
}

/** How the target's devices become CrossSim's `xbar.device` and `core.style`, and what CrossSim cannot express. */
export interface CrossSimDevice {
  differential: boolean;
  /** CrossSim's cell_bits: 0 = continuous conductance. */
  cellBits: number;
  /** Levels CrossSim programs weights on: 2^b for a pair, 2^b - 1 for one device (OffsetCore leaves the lowest unused). */
  levelsProgrammed: number;
  rMin: number;
  rMax: number;
  infiniteOnOff: boolean;
  /** CrossSim's normalized gMin (Rmin/Rmax) and the conductance range the weights span (Wrange_xbar). */
  gMinNorm: number;
  weightRangeNorm: number;
  notes: string[];
}

/**
 * The device settings. A pair (BalancedCore) programs |w| on 2^cell_bits levels from gMin to gMax, as imcc does
 * with L levels. One device (OffsetCore) uses only the top 2^cell_bits - 1 of its 2^cell_bits levels, so that zero
 * has a level: imcc's L levels need cell_bits = log2(L + 1), and CrossSim's gMin (Rmax) moves one level below
 * imcc's so the used levels are imcc's conductances.
 */
export function crossSimDevice(crossbar: CrossbarTarget): CrossSimDevice {
  const d = crossbar.device;
  const differential = d ? d.encoding === 'differential' : crossbar.devicesPerWeight === 2;
  const notes: string[] = [];
  if (!d) {
    // Ideal devices: continuous conductances represent every integer weight exactly, like imcc's 2^wb - 1 levels.
    return { differential, cellBits: 0, levelsProgrammed: 0, rMin: 1000, rMax: 1e12, infiniteOnOff: false, gMinNorm: 1e-9, weightRangeNorm: 1 - 1e-9, notes };
  }
  const levels = d.levels;
  const wanted = differential ? levels : levels + 1;
  const cellBits = Math.ceil(Math.log2(wanted));
  if (2 ** cellBits !== wanted) {
    const programmed = differential ? 2 ** cellBits : 2 ** cellBits - 1;
    notes.push(
      `CrossSim cannot program ${levels} levels on ${differential ? 'a differential pair (it uses 2^b)' : 'one device (its OffsetCore uses 2^b - 1)'}: ` +
        `cell_bits ${cellBits} programs ${programmed} levels, finer than imcc's ${levels}`,
    );
  }
  const programmed = differential ? 2 ** cellBits : 2 ** cellBits - 1;
  const rMin = 1 / d.gMax;
  let gMinCs = d.gMin;
  if (!differential) {
    // One unused level below the programmed ones, spaced like them.
    const below = d.gMin - (d.gMax - d.gMin) / (programmed - 1);
    if (below > 0) gMinCs = below;
    else notes.push(`one device per weight: gMin ${d.gMin} S leaves no room for CrossSim's unused lowest level; CrossSim's levels span ${programmed}/${programmed + 1} of imcc's conductance range`);
  }
  const infiniteOnOff = gMinCs === 0;
  const rMax = infiniteOnOff ? 1e12 : 1 / gMinCs;
  const gMinNorm = infiniteOnOff ? 0 : rMin / rMax;
  const range = 1 - gMinNorm;
  const weightRangeNorm = !differential && cellBits > 0 ? (range * (2 ** cellBits - 2)) / (2 ** cellBits - 1) : range;
  return { differential, cellBits, levelsProgrammed: programmed, rMin, rMax, infiniteOnOff, gMinNorm, weightRangeNorm, notes };
}

/** CrossSim's ADC for one layer, in CrossSim's normalized array-output units. */
export interface CrossSimAdc {
  bits: number;
  range: [number, number];
  /** One ADC step of imcc (2^shift accumulator units) in CrossSim's units. */
  step: number;
  /** CrossSim's array output per accumulator unit (integer sum of x * w). */
  unit: number;
  /**
   * Factor from what CrossSim's `core @ x` returns to the exact product: OffsetCore with cell_bits > 0 compresses
   * the weights onto (2^b - 2)/(2^b - 1) of the conductance range but rescales by the whole range.
   */
  outputScale: number;
}

/**
 * imcc's ADC, clamp(floor(acc / 2^s)) over [-2^(B-1), 2^(B-1) - 1], in CrossSim's units. CrossSim scales an input
 * x to x * 2 / (2^a - 1) and a weight to G+ - G- = Grange * w / wmax (pair) or G = Wrange * (w / (2 wmax) + 1/2)
 * + gMin (one device). One accumulator unit is therefore 2 Grange / (wmax (2^a - 1)) (pair) or
 * Wrange / (wmax (2^a - 1)) (one device). A threshold's 0/1 inputs are scaled by 1 (an unsigned DAC): Grange / wmax
 * and Wrange / (2 wmax). One device's ADC also sees the offset current (gMin + Wrange / 2) * sum x: the range is
 * widened by its span over all inputs, with as many more bits as keep imcc's step.
 */
export function crossSimAdc(device: CrossSimDevice, input: CrossSimLayerInput): CrossSimAdc {
  const wmax = 2 ** (input.weightBits - 1) - 1;
  const limits = inputLimits(input);
  // CrossSim scales an input by prefactor / (max - min), prefactor 2 for a signed DAC and 1 for an unsigned one
  // (cores/wrapper_core.py): 2 / (2^a - 1) for signed a-bit inputs, 1 for a threshold's 0/1.
  const prefactor = input.inputsSigned ? 2 : 1;
  const inputSpan = limits.max - limits.min;
  const unit = device.differential
    ? (prefactor * (1 - device.gMinNorm)) / (wmax * inputSpan)
    : device.weightRangeNorm / ((2 / prefactor) * wmax * inputSpan);
  const step = unit * 2 ** input.adc.shift;
  const lo = -(2 ** (input.adc.bits - 1)) * step;
  const hi = (2 ** (input.adc.bits - 1) - 1) * step;
  const outputScale = device.differential ? 1 : (1 - device.gMinNorm) / device.weightRangeNorm;
  if (device.differential) return { bits: input.adc.bits, range: [lo, hi], step, unit, outputScale };
  const half = device.gMinNorm + device.weightRangeNorm / 2;
  const xMin = (limits.min * prefactor) / inputSpan;
  const xMax = (limits.max * prefactor) / inputSpan;
  const offsetLo = half * input.rowsPerPart * xMin;
  const offsetHi = half * input.rowsPerPart * xMax;
  const steps = Math.ceil((hi + offsetHi - (lo + offsetLo)) / step - 1e-9);
  const bits = Math.ceil(Math.log2(steps + 1));
  const start = lo + offsetLo;
  return { bits, range: [start, start + (2 ** bits - 1) * step], step, unit, outputScale };
}

/** The integer range of a layer's inputs: signed a-bit, or a threshold's 0/1. */
export function inputLimits(input: Pick<CrossSimLayerInput, 'activationBits' | 'inputsSigned'>): { min: number; max: number } {
  const a = input.activationBits;
  return input.inputsSigned ? { min: -(2 ** (a - 1)), max: 2 ** (a - 1) - 1 } : { min: 0, max: 2 ** a - 1 };
}

/** The CrossSim 3.2 parameter tree for one layer (key order as CrossSim writes it). */
export function crossSimParameters(crossbar: CrossbarTarget, input: CrossSimLayerInput): object {
  const d = crossbar.device;
  const device = crossSimDevice(crossbar);
  const wmax = 2 ** (input.weightBits - 1) - 1;
  const inputs = { clipping: true, ...inputLimits(input), percentile: null };
  const converted = crossSimAdc(device, input);
  const adc = {
    model: 'QuantizerADC',
    bits: converted.bits,
    signed: true,
    stochastic_rounding: false,
    adc_per_ibit: false,
    calibrated_range: converted.range,
    adc_range_option: ADC_RANGE_CALIBRATED,
  };
  // imcc drives every activation value exactly (no DAC model): a DAC of the layer's activation bits does that.
  // A threshold's 0/1 needs an unsigned 1-bit DAC (min 0, max 1), which drives both values exactly.
  const dac = { model: 'QuantizerDAC', bits: input.activationBits, input_bitslicing: false, signed: input.inputsSigned, slice_size: 1 };
  const parasitics = {
    enable: d !== undefined && (d.wireResistanceRow > 0 || d.wireResistanceCol > 0 || d.sourceResistance > 0 || d.neuronResistance > 0),
    Rp_row: d?.wireResistanceRow ?? 0,
    Rp_col: d?.wireResistanceCol ?? 0,
    Rp_row_terminal: d?.sourceResistance ?? 0,
    Rp_col_terminal: d?.neuronResistance ?? 0,
    current_from_input: true,
    selected_rows: 'top',
  };
  const differential = device.differential;
  return {
    core: {
      style: differential ? CORE_STYLE.BALANCED : CORE_STYLE.OFFSET,
      rows_max: crossbar.rows,
      cols_max: crossbar.cols,
      weight_bits: input.weightBits,
      complex_matrix: false,
      complex_input: false,
      output_dtype: 1,
      balanced: { style: BALANCED_ONE_SIDED, interleaved_posneg: false, subtract_current_in_xbar: true },
      bit_sliced: { style: 1, num_slices: 2 },
      offset: { style: OFFSET_DIGITAL },
      mapping: {
        weights: {
          clipping: true,
          min: -wmax,
          max: wmax,
          percentile: null,
          row_partition_priority: [],
          col_partition_priority: [],
          row_partition_strategy: PARTITION_EQUAL,
          col_partition_strategy: PARTITION_EQUAL,
        },
        inputs: { _match: true, mvm: inputs, vmm: { ...inputs } },
      },
    },
    simulation: {
      convolution: { is_conv_core: false, x_par: 1, y_par: 1, Nwindows: 1 },
      analytics: { profile_xbar_inputs: false, profile_adc_inputs: false, ntest: 0 },
      useGPU: false,
      gpu_id: 0,
      Niters_max_parasitics: 100,
      Verr_th_mvm: 0.001,
      Verr_matmul_criterion: 'max_max',
      relaxation_gamma: 1,
      disable_fast_balanced: false,
      disable_fast_matmul: false,
      disable_fast_nonlinear_IV: false,
      hide_convergence_msg: false,
    },
    xbar: {
      device: {
        cell_bits: device.cellBits,
        Rmin: device.rMin,
        Rmax: device.rMax,
        Vread: d?.readVoltage ?? 0.1,
        time: 0,
        infinite_on_off_ratio: device.infiniteOnOff,
        clip_conductance: false,
        read_noise: errorModel(d?.readNoise),
        programming_error: errorModel(d?.programmingError),
        drift_error: { enable: false, model: 'IdealDevice', magnitude: 0 },
        nonlinear_IV: { enable: false, model: 'IdealDevice', magnitude: 0 },
      },
      array: { Icol_max: 0, parasitics },
      adc: { _match: true, mvm: adc, vmm: { ...adc, calibrated_range: [...converted.range] } },
      dac: { _match: true, mvm: dac, vmm: { ...dac } },
    },
  };
}

/** The index of the CrossSim files: which parameter file each layer uses and the layer's tiles. */
export function crossSimIndex(
  design: IrDesign,
  layers: Array<CrossSimLayerInput & { file: string; tiles: Array<{ core: string; rowPart: number; colPart: number; rowStart: number; rowEnd: number; colStart: number; colEnd: number }> }>,
): object {
  const crossbar = design.target.crossbar;
  const device = crossSimDevice(crossbar);
  const notes: string[] = [];
  if (!crossbar.device) notes.push('the target has no device block: ideal devices (continuous conductances, no noise, no parasitic resistance)');
  notes.push(...device.notes);
  if (!device.differential) {
    notes.push("one device per weight: CrossSim's ADC converts the offset current (gMin + Wrange/2) * sum(x) too, so its range is widened by that current's span and its bits (crosssimAdcBits) raised to keep imcc's step; imcc's saturation at its own range is not reproduced");
  }
  notes.push("CrossSim's ADC rounds to the nearest step where imcc floors: its products are within half a step (adcStep) of the exact ones per array, imcc's within one");
  if (layers.some((l) => l.activationBits > crossbar.dacBits)) {
    notes.push(`imcc does not model the ${crossbar.dacBits}-bit DAC (activations drive the rows exactly); xbar.dac.bits is each layer's activation bits`);
  }
  if (crossbar.device && (crossbar.device.sourceResistance > 0 || crossbar.device.neuronResistance > 0 || crossbar.device.wireResistanceRow > 0 || crossbar.device.wireResistanceCol > 0)) {
    notes.push("CrossSim solves the resistive network iteratively (exact, slow for large arrays); imcc analyze uses its first-order fast model");
  }
  const spiking = design.target.neuronCore.spiking;
  if (spiking) {
    notes.push(
      `integrate-and-fire neurons (model if): CrossSim computes the crossbar products only. Run each layer's arrays once per timestep, ${spiking.steps} timesteps per image ` +
        'with the image presented in every one, and keep the membranes outside CrossSim (integrateAndFire: add the layer output, leak toward zero, spike at the threshold and reset), ' +
        "as imcc's reference model does; the layers reading spikes take inputs [0, 1] through an unsigned 1-bit DAC, and each timestep's products draw their own read noise",
    );
  }
  return {
    tool: 'imcc',
    crosssimVersion: CROSSSIM_VERSION,
    network: design.network.name,
    target: design.target.name,
    notes,
    ...(spiking
      ? {
          integrateAndFire: {
            threshold: spiking.threshold,
            leak: spiking.leak,
            reset: spiking.reset,
            steps: spiking.steps,
            neurons: design.network.nodes.filter((n) => n.op.kind === 'relu').map((n) => n.name),
          },
        }
      : {}),
    layers: layers.map((l) => ({
      layer: l.layer.layer,
      parameters: l.file,
      kernelRows: l.layer.matrix.rowSources.length,
      kernelCols: l.layer.matrix.columnSinks.length,
      weightBits: l.weightBits,
      activationBits: l.activationBits,
      inputsSigned: l.inputsSigned,
      adcBits: l.adc.bits,
      adcShift: l.adc.shift,
      ...crossSimAdcSummary(device, l),
      tiles: l.tiles,
    })),
  };
}

function crossSimAdcSummary(device: CrossSimDevice, l: CrossSimLayerInput): { crosssimAdcBits: number; adcStep: number; adcUnit: number; outputScale: number } {
  const a = crossSimAdc(device, l);
  return { crosssimAdcBits: a.bits, adcStep: a.step, adcUnit: a.unit, outputScale: a.outputScale };
}
