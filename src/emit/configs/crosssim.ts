// CrossSim parameter files: one per mapped weight layer, in the parameter tree of CrossSim 3.2
// (simulator/parameters in sandialabs/cross-sim: CrossSimParameters with `core`, `simulation` and `xbar` holding
// `device`, `array.parasitics`, `adc` and `dac`). CrossSim builds the tree with CrossSimParameters.from_json, which
// passes every key to a dataclass constructor, so an unknown key is an error: the emitted tree has exactly the keys
// of 3.2 and schemas/crosssim.schema.json pins them (additionalProperties false everywhere).
// Units follow CrossSim: resistances in ohms (Rp_row / Rp_col per cell segment, the *_terminal ones for the
// source and sensing resistance), weights and inputs in our integer units (mapping min/max), the ADC range in
// accumulator units (the integer column sum), so CrossSim's ADC reproduces ours up to rounding (round vs floor).
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

/** log2(levels) when the levels are a power of two; 0 (CrossSim: continuous conductance) otherwise. */
export function cellBits(levels: number): number {
  const b = Math.log2(levels);
  return Number.isInteger(b) ? b : 0;
}

export interface CrossSimLayerInput {
  layer: LayerMapping;
  weightBits: number;
  activationBits: number;
  adc: AdcModel;
}

/** The CrossSim 3.2 parameter tree for one layer (key order as CrossSim writes it). */
export function crossSimParameters(crossbar: CrossbarTarget, input: CrossSimLayerInput): object {
  const d = crossbar.device;
  const wmax = 2 ** (input.weightBits - 1) - 1;
  const inputs = { clipping: true, min: -(2 ** (input.activationBits - 1)), max: 2 ** (input.activationBits - 1) - 1, percentile: null };
  const adcLo = -(2 ** (input.adc.bits - 1)) * 2 ** input.adc.shift;
  const adcHi = (2 ** (input.adc.bits - 1) - 1) * 2 ** input.adc.shift;
  const adc = {
    model: 'QuantizerADC',
    bits: input.adc.bits,
    signed: true,
    stochastic_rounding: false,
    adc_per_ibit: false,
    calibrated_range: [adcLo, adcHi],
    adc_range_option: ADC_RANGE_CALIBRATED,
  };
  const dac = { model: 'QuantizerDAC', bits: crossbar.dacBits, input_bitslicing: false, signed: true, slice_size: 1 };
  const parasitics = {
    enable: d !== undefined && (d.wireResistanceRow > 0 || d.wireResistanceCol > 0 || d.sourceResistance > 0 || d.neuronResistance > 0),
    Rp_row: d?.wireResistanceRow ?? 0,
    Rp_col: d?.wireResistanceCol ?? 0,
    Rp_row_terminal: d?.sourceResistance ?? 0,
    Rp_col_terminal: d?.neuronResistance ?? 0,
    current_from_input: true,
    selected_rows: 'top',
  };
  const differential = d ? d.encoding === 'differential' : crossbar.devicesPerWeight === 2;
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
        cell_bits: d ? cellBits(d.levels) : 0,
        Rmin: d ? 1 / d.gMax : 1000,
        Rmax: d && d.gMin > 0 ? 1 / d.gMin : 1e12,
        Vread: d?.readVoltage ?? 0.1,
        time: 0,
        infinite_on_off_ratio: d ? d.gMin === 0 : false,
        clip_conductance: false,
        read_noise: errorModel(d?.readNoise),
        programming_error: errorModel(d?.programmingError),
        drift_error: { enable: false, model: 'IdealDevice', magnitude: 0 },
        nonlinear_IV: { enable: false, model: 'IdealDevice', magnitude: 0 },
      },
      array: { Icol_max: 0, parasitics },
      adc: { _match: true, mvm: adc, vmm: { ...adc, calibrated_range: [adcLo, adcHi] } },
      dac: { _match: true, mvm: dac, vmm: { ...dac } },
    },
  };
}

/** The index of the CrossSim files: which parameter file each layer uses and the layer's tiles. */
export function crossSimIndex(
  design: IrDesign,
  layers: Array<CrossSimLayerInput & { file: string; tiles: Array<{ core: string; rowPart: number; colPart: number; rowStart: number; rowEnd: number; colStart: number; colEnd: number }> }>,
): object {
  const d = design.target.crossbar.device;
  const notes: string[] = [];
  if (!d) notes.push('the target has no device block: ideal devices (no noise, no parasitic resistance)');
  else if (cellBits(d.levels) === 0) notes.push(`${d.levels} device levels is not a power of two: cell_bits 0 (continuous conductance) in CrossSim`);
  return {
    tool: 'imcc',
    crosssimVersion: CROSSSIM_VERSION,
    network: design.network.name,
    target: design.target.name,
    notes,
    layers: layers.map((l) => ({
      layer: l.layer.layer,
      parameters: l.file,
      kernelRows: l.layer.matrix.rowSources.length,
      kernelCols: l.layer.matrix.columnSinks.length,
      weightBits: l.weightBits,
      activationBits: l.activationBits,
      adcBits: l.adc.bits,
      adcShift: l.adc.shift,
      tiles: l.tiles,
    })),
  };
}
