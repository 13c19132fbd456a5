// Checks a `target NAME { ... }` declaration and builds the IrTarget. Every field, unit and limit is documented in
// docs/language.md ("Targets"); the defaults of optional fields live here and only here.
import type { Located, Property, TargetDecl } from '../dsl/ast.js';
import type {
  ControllerTarget,
  CrossbarTarget,
  DeviceModel,
  IfNeuronModel,
  IfReset,
  InputMemoryTarget,
  IrTarget,
  LayoutChoice,
  NeuronCoreTarget,
  NeuronOpName,
} from './types.js';
import { AtomReader, reader, section } from './values.js';
import { Diagnostics } from '../diagnostics/index.js';

/** Limits on target numbers: beyond them a description is a typo, not hardware. */
export const TARGET_LIMITS = {
  tileSize: { min: 1, max: 4096 },
  bits: { min: 1, max: 32 },
  adcShift: { min: 0, max: 64 },
  wordBits: { min: 1, max: 4096 },
  depth: { min: 1, max: 16_777_216 },
  clockHz: { min: 0, max: 1e12, minExclusive: true },
  timestepNs: { min: 0, max: 1e9, minExclusive: true },
  gridSize: { min: 1, max: 1024 },
  linkGbps: { min: 0, max: 1e6, minExclusive: true },
  conductanceS: { min: 0, max: 1, minExclusive: true },
  resistanceOhm: { min: 0, max: 1e12, minExclusive: true },
  parasiticOhm: { min: 0, max: 1e12 },
  levels: { min: 2, max: 65536 },
  levelBits: { min: 1, max: 16 },
  percent: { min: 0, max: 100 },
  volts: { min: 0, max: 100, minExclusive: true },
  membrane: { min: 1, max: 2 ** 30 },
  leak: { min: 0, max: 2 ** 30 },
  steps: { min: 1, max: 65536 },
} as const;

/** Defaults of the optional integrate-and-fire fields (`model if`): no leak, reset by subtraction (keeps the residue). */
export const IF_DEFAULTS = { leak: 0, reset: 'subtract' } as const;

const IF_KEYS = ['threshold', 'leak', 'reset', 'steps'] as const;

/** Defaults of the optional `device { ... }` fields: an ideal device (no noise, no parasitic resistance). */
export const DEVICE_DEFAULTS = {
  gMin: 0.1e-6,
  gMax: 25e-6,
  programmingError: { sigma: 0, model: 'proportional' },
  readNoise: { sigma: 0, model: 'independent' },
  sourceResistance: 0,
  neuronResistance: 0,
  wireResistanceRow: 0,
  wireResistanceCol: 0,
  readVoltage: 0.2,
} as const;

/** Default conductance levels: enough for the weights exactly (2^(wb-1) per device of a pair, 2^wb - 1 for one device). */
export function defaultLevels(weightBits: number, differential: boolean): number {
  return differential ? 2 ** (weightBits - 1) : 2 ** weightBits - 1;
}

export const NEURON_OPS: Record<string, NeuronOpName> = {
  psum: 'psum',
  batchnorm: 'batchnorm',
  relu: 'relu',
  pool: 'pool',
  residual: 'residual',
  threshold: 'threshold',
  integrate_and_fire: 'integrate-and-fire',
};

const LAYOUTS = ['auto', 'IWAP', 'KLIP', 'PLIP'] as const;

export function checkTarget(decl: TargetDecl, diags: Diagnostics): IrTarget | undefined {
  const what = `target ${decl.name.name}`;
  const top = section(diags, decl.body, decl.name, what, {
    keys: { crossbar: 'body', input_memory: 'body', controller: 'body', neuron_core: 'body', grid: 'values', link: 'values' },
    required: decl.recovered ? [] : ['crossbar', 'input_memory', 'controller', 'neuron_core', 'grid', 'link'],
  });
  const crossbar = top.has('crossbar') ? checkCrossbar(top.get('crossbar')!, diags) : undefined;
  const inputMemory = top.has('input_memory') ? checkInputMemory(top.get('input_memory')!, diags) : undefined;
  const controller = top.has('controller') ? checkController(top.get('controller')!, diags) : undefined;
  const neuronCore = top.has('neuron_core') ? checkNeuronCore(top.get('neuron_core')!, diags) : undefined;
  let grid: IrTarget['grid'] | undefined;
  const g = top.get('grid');
  if (g) {
    const r = reader(diags, g, 'grid');
    const d = r.dims('grid size (rows x columns)', 2, TARGET_LIMITS.gridSize);
    r.end();
    if (d) grid = { rows: d[0], cols: d[1], span: g.span };
  }
  let link: IrTarget['link'] | undefined;
  const l = top.get('link');
  if (l) {
    const r = reader(diags, l, 'link');
    const bw = r.quantity('bandwidth', 'bandwidth', TARGET_LIMITS.linkGbps);
    r.end();
    if (bw !== undefined) link = { bandwidthGbps: bw, span: l.span };
  }
  if (!crossbar || !inputMemory || !controller || !neuronCore || !grid || !link) return undefined;
  return { name: decl.name.name, crossbar, inputMemory, controller, neuronCore, grid, link, span: decl.name.span };
}

function one<T>(props: Map<string, Property>, key: string, read: (r: AtomReader, p: Property) => T | undefined, diags: Diagnostics, what: string): T | undefined {
  const p = props.get(key);
  if (!p) return undefined;
  const r = reader(diags, p, `${what} ${key}`);
  const v = read(r, p);
  r.end();
  return v;
}

function checkCrossbar(p: Property, diags: Diagnostics): CrossbarTarget | undefined {
  const what = 'crossbar';
  const s = section(diags, p.body, p.key, what, {
    keys: { size: 'values', weight_bits: 'values', devices: 'values', adc: 'values', dac: 'values', device: 'body' },
    required: p.recovered ? [] : ['size', 'weight_bits', 'adc', 'dac'],
  });
  const size = one(s, 'size', (r) => r.dims('tile size (rows x columns)', 2, TARGET_LIMITS.tileSize), diags, what);
  const weightBits = one(s, 'weight_bits', (r) => r.number('weight bits', TARGET_LIMITS.bits), diags, what);
  const devices = s.has('devices') ? one(s, 'devices', (r) => r.word('devices per weight', ['single', 'differential'] as const), diags, what) : 'single';
  const adc = one(
    s,
    'adc',
    (r) => {
      const bits = r.bits('ADC resolution');
      let shift: number | 'auto' | undefined = 'auto';
      if (r.optionalWord('shift')) {
        shift = r.optionalWord('auto') ? 'auto' : r.number('ADC shift', TARGET_LIMITS.adcShift);
      }
      return bits === undefined || shift === undefined ? undefined : { bits, shift };
    },
    diags,
    what,
  );
  const dac = one(s, 'dac', (r) => r.bits('DAC (input) resolution'), diags, what);
  if (size === undefined || weightBits === undefined || devices === undefined || adc === undefined || dac === undefined) return undefined;
  const differential = devices === 'differential';
  let device: DeviceModel | undefined;
  const d = s.get('device');
  if (d) {
    device = checkDevice(d, diags, weightBits, differential);
    if (!device) return undefined;
  }
  return {
    rows: size[0],
    cols: size[1],
    weightBits,
    devicesPerWeight: differential ? 2 : 1,
    adcBits: adc.bits,
    adcShift: adc.shift,
    dacBits: dac,
    ...(device ? { device } : {}),
    span: p.key.span,
  };
}

function checkDevice(p: Property, diags: Diagnostics, weightBits: number, differential: boolean): DeviceModel | undefined {
  const what = 'device';
  const s = section(diags, p.body, p.key, what, {
    keys: {
      conductance: 'values',
      resistance: 'values',
      levels: 'values',
      bits: 'values',
      programming_error: 'values',
      read_noise: 'values',
      source_resistance: 'values',
      neuron_resistance: 'values',
      wire_resistance: 'values',
      read_voltage: 'values',
    },
  });
  let ok = true;
  const fail = <T>(v: T | undefined): v is undefined => {
    if (v === undefined) ok = false;
    return v === undefined;
  };
  let gMin: number = DEVICE_DEFAULTS.gMin;
  let gMax: number = DEVICE_DEFAULTS.gMax;
  if (s.has('conductance') && s.has('resistance')) {
    diags.report('IMC229', s.get('resistance')!.key, { one: 'conductance', other: 'resistance' });
    ok = false;
  } else if (s.has('conductance')) {
    const range = one(s, 'conductance', (r) => rangePair(r, diags, 'conductance', TARGET_LIMITS.conductanceS), diags, what);
    if (!fail(range)) [gMin, gMax] = range;
  } else if (s.has('resistance')) {
    // `resistance Ron to Roff`: the low resistance is the high conductance.
    const range = one(s, 'resistance', (r) => rangePair(r, diags, 'resistance', TARGET_LIMITS.resistanceOhm), diags, what);
    if (!fail(range)) [gMin, gMax] = [1 / range[1], 1 / range[0]];
  }
  let levels = defaultLevels(weightBits, differential);
  if (s.has('levels') && s.has('bits')) {
    diags.report('IMC229', s.get('bits')!.key, { one: 'levels', other: 'bits' });
    ok = false;
  } else if (s.has('levels')) {
    const v = one(s, 'levels', (r) => r.number('conductance levels', TARGET_LIMITS.levels), diags, what);
    if (!fail(v)) levels = v;
  } else if (s.has('bits')) {
    const v = one(s, 'bits', (r) => r.number('bits per device', TARGET_LIMITS.levelBits), diags, what);
    if (!fail(v)) levels = 2 ** v;
  }
  const noise = (key: string, dflt: { sigma: number; model: 'proportional' | 'independent' }) => {
    if (!s.has(key)) return { ...dflt };
    const v = one(
      s,
      key,
      (r) => {
        const pct = r.quantity(`${key.replace('_', ' ')} (sigma)`, 'percent', TARGET_LIMITS.percent);
        const model = r.atEnd() ? dflt.model : r.word('noise model', ['proportional', 'independent'] as const);
        return pct === undefined || model === undefined ? undefined : { sigma: pct / 100, model };
      },
      diags,
      what,
    );
    return fail(v) ? { ...dflt } : v;
  };
  const programmingError = noise('programming_error', DEVICE_DEFAULTS.programmingError);
  const readNoise = noise('read_noise', DEVICE_DEFAULTS.readNoise);
  const ohms = (key: string, dflt: number): number => {
    if (!s.has(key)) return dflt;
    const v = one(s, key, (r) => r.quantity(key.replace('_', ' '), 'resistance', TARGET_LIMITS.parasiticOhm), diags, what);
    return fail(v) ? dflt : v;
  };
  const sourceResistance = ohms('source_resistance', DEVICE_DEFAULTS.sourceResistance);
  const neuronResistance = ohms('neuron_resistance', DEVICE_DEFAULTS.neuronResistance);
  let wireResistanceRow: number = DEVICE_DEFAULTS.wireResistanceRow;
  let wireResistanceCol: number = DEVICE_DEFAULTS.wireResistanceCol;
  const w = s.get('wire_resistance');
  if (w) {
    // `wire_resistance 1Ohm` (both) or `wire_resistance 1Ohm rows, 2Ohm cols`.
    const r = reader(diags, w, 'device wire_resistance');
    const first = r.quantity('wire resistance per cell', 'resistance', TARGET_LIMITS.parasiticOhm);
    if (fail(first)) r.end();
    else if (r.atEnd()) [wireResistanceRow, wireResistanceCol] = [first, first];
    else {
      const which1 = r.word('wire direction', ['rows', 'cols'] as const);
      const second = r.quantity('wire resistance per cell', 'resistance', TARGET_LIMITS.parasiticOhm);
      const which2 = r.word('wire direction', ['rows', 'cols'] as const);
      r.end();
      if (!fail(which1) && !fail(second) && !fail(which2)) {
        if (which1 === which2) {
          diags.report('IMC230', w, {});
          ok = false;
        } else if (which1 === 'rows') [wireResistanceRow, wireResistanceCol] = [first, second];
        else [wireResistanceRow, wireResistanceCol] = [second, first];
      }
    }
  }
  let readVoltage: number = DEVICE_DEFAULTS.readVoltage;
  if (s.has('read_voltage')) {
    const v = one(s, 'read_voltage', (r) => r.quantity('read voltage', 'voltage', TARGET_LIMITS.volts), diags, what);
    if (!fail(v)) readVoltage = v;
  }
  if (!ok) return undefined;
  return {
    gMin,
    gMax,
    levels,
    encoding: differential ? 'differential' : 'offset',
    programmingError,
    readNoise,
    sourceResistance,
    neuronResistance,
    wireResistanceRow,
    wireResistanceCol,
    readVoltage,
    span: p.key.span,
  };
}

/** `A to B` with A < B, in the dimension's base unit. */
function rangePair(
  r: AtomReader,
  diags: Diagnostics,
  label: 'conductance' | 'resistance',
  range: { min: number; max: number; minExclusive?: boolean },
): [number, number] | undefined {
  const start = r.peek();
  const lo = r.quantity(`lowest ${label}`, label, range);
  if (lo === undefined) return undefined;
  if (r.word("'to'", ['to'] as const) === undefined) return undefined;
  const hi = r.quantity(`highest ${label}`, label, range);
  if (hi === undefined) return undefined;
  if (lo >= hi) {
    diags.report('IMC245', start as Located, { label });
    return undefined;
  }
  return [lo, hi];
}

function checkInputMemory(p: Property, diags: Diagnostics): InputMemoryTarget | undefined {
  const what = 'input_memory';
  const s = section(diags, p.body, p.key, what, {
    keys: { word: 'values', depth: 'values', layout: 'values' },
    required: p.recovered ? [] : ['word', 'depth'],
  });
  const wordBits = one(s, 'word', (r) => r.bits('word length', TARGET_LIMITS.wordBits), diags, what);
  const depth = one(s, 'depth', (r) => r.number('depth (words)', TARGET_LIMITS.depth), diags, what);
  const layout: LayoutChoice | undefined = s.has('layout') ? one(s, 'layout', (r) => r.word('layout', LAYOUTS), diags, what) : 'auto';
  if (wordBits === undefined || depth === undefined || layout === undefined) return undefined;
  return { wordBits, depth, layout, span: p.key.span };
}

function checkController(p: Property, diags: Diagnostics): ControllerTarget | undefined {
  const what = 'controller';
  const s = section(diags, p.body, p.key, what, {
    keys: { clock: 'values', timestep: 'values' },
    required: p.recovered ? [] : ['clock', 'timestep'],
  });
  const clockHz = one(s, 'clock', (r) => r.quantity('clock', 'frequency', TARGET_LIMITS.clockHz), diags, what);
  const timestepNs = one(s, 'timestep', (r) => r.quantity('timestep', 'time', TARGET_LIMITS.timestepNs), diags, what);
  if (clockHz === undefined || timestepNs === undefined) return undefined;
  return { clockHz, timestepNs, span: p.key.span };
}

function checkNeuronCore(p: Property, diags: Diagnostics): NeuronCoreTarget | undefined {
  const what = 'neuron_core';
  const s = section(diags, p.body, p.key, what, {
    keys: { ops: 'values', model: 'values', threshold: 'values', leak: 'values', reset: 'values', steps: 'values' },
    required: p.recovered ? [] : ['ops'],
  });
  const opsProp = s.get('ops');
  if (!opsProp) return undefined;
  const ops: NeuronOpName[] = [];
  let ok = true;
  for (const group of opsProp.groups) {
    const r = new AtomReader(diags, group, opsProp, 'neuron_core ops');
    const w = r.word('operation', Object.keys(NEURON_OPS));
    r.end();
    if (w === undefined) {
      ok = false;
      continue;
    }
    const op = NEURON_OPS[w];
    if (ops.includes(op)) {
      diags.report('IMC019', group[0], { what: 'neuron_core ops', key: w, first: '' });
      ok = false;
      continue;
    }
    ops.push(op);
  }
  if (opsProp.groups.length === 0) {
    diags.report('IMC010', opsProp, { what: 'neuron_core ops', missing: 'the list of operations', hint: '' });
    ok = false;
  }
  const model = s.has('model') ? one(s, 'model', (r) => r.word('neuron model', ['if', 'none'] as const), diags, what) : 'none';
  if (model === undefined) return undefined;
  if (model !== 'if') {
    // IF parameters on a static core are a mistake worth stopping at: they would silently do nothing.
    for (const key of IF_KEYS) {
      const q = s.get(key);
      if (q) {
        diags.report('IMC156', q.key, { key });
        ok = false;
      }
    }
    return ok ? { ops, span: p.key.span } : undefined;
  }
  const spiking = checkIfModel(s, p, diags);
  return ok && spiking ? { ops, spiking, span: p.key.span } : undefined;
}

/** The fields of `model if`: threshold and steps required, leak and reset optional (IF_DEFAULTS). */
function checkIfModel(s: Map<string, Property>, p: Property, diags: Diagnostics): IfNeuronModel | undefined {
  const what = 'neuron_core';
  let ok = true;
  for (const key of ['threshold', 'steps'] as const) {
    if (!s.has(key) && !p.recovered) {
      diags.report('IMC246', s.get('model')!.key, { what, model: 'if', key });
      ok = false;
    }
  }
  const threshold = one(s, 'threshold', (r) => r.number('membrane threshold', TARGET_LIMITS.membrane), diags, what);
  const steps = one(s, 'steps', (r) => r.number('timesteps per image', TARGET_LIMITS.steps), diags, what);
  const leak = s.has('leak') ? one(s, 'leak', (r) => r.number('leak per timestep', TARGET_LIMITS.leak), diags, what) : IF_DEFAULTS.leak;
  const reset: IfReset | undefined = s.has('reset')
    ? one(s, 'reset', (r) => r.word('reset', ['zero', 'subtract'] as const), diags, what)
    : IF_DEFAULTS.reset;
  if (!ok || threshold === undefined || steps === undefined || leak === undefined || reset === undefined) return undefined;
  if (leak >= threshold) {
    diags.report('IMC157', s.get('leak')!.key, { leak, threshold });
    return undefined;
  }
  return { threshold, leak, reset, steps, span: s.get('model')!.key.span };
}
