// Yosys synthesis of a generated RTL set, bottom-up: one Yosys process per unit, so a whole network's memory and time
// stay bounded (one process holding ResNet-32's 43 cores after techmap needs more than 17 GB) and the units run in
// parallel. Units: the top with its children as black boxes; each child of the top with the modules only it uses;
// each module several parents share (the input memory SRAM, the shortcut FIFO storage), once per distinct parameter
// set. Every unit gets `synth -top; check -assert` and no latch cells; the crossbar is a black box (`(* blackbox *)`
// under SYNTHESIS).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { verilogFiles, type ToolRun } from './lint.js';

export interface SynthUnit {
  /** The unit's top module (for a shared module: `module(PARAM=value, ...)`). */
  name: string;
  ok: boolean;
  /** Cells of the unit's hierarchy after synthesis (black boxes count one). */
  cells: number;
  /** How many times the unit occurs in the design (shared modules: their instances with this parameter set). */
  instances: number;
  seconds: number;
  /** Yosys's own CPU time (user + system): unlike `seconds`, independent of the other load on the machine. */
  cpuSeconds: number;
}

export interface SynthResult extends ToolRun {
  /** Cells of the whole design: every unit's cells times its instances. */
  cells: number;
  /** Yosys CPU seconds over all units (each synthesized once). */
  cpuSeconds: number;
  units: SynthUnit[];
}

interface Instance {
  module: string;
  /** Parameter overrides in the instantiation, `NAME=value` in source order. */
  params: string[];
}

interface ModuleSource {
  file: string;
  blackbox: boolean;
  /** Declared `(* blackbox *)` in its source (Yosys needs no `blackbox` command for it). */
  declaredBlackbox: boolean;
  instances: Instance[];
}

const LATCH_CHECK = 'select -assert-none t:$_DLATCH*_ t:$dlatch t:$adlatch t:$dlatchsr';

/** Instantiations of known modules: `name #( .P (v), ... ) inst (` or `name inst (` at the start of a line. */
function instancesIn(text: string, known: ReadonlySet<string>): Instance[] {
  const out: Instance[] = [];
  const pattern = /^\s*([A-Za-z_][A-Za-z0-9_$]*)\s*(#\s*\(([\s\S]*?)\)\s*)?[A-Za-z_][A-Za-z0-9_$]*\s*\(/gm;
  for (const m of text.matchAll(pattern)) {
    if (!known.has(m[1])) continue;
    const params = [...(m[3] ?? '').matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([^()]*?)\s*\)/g)].map((p) => `${p[1]}=${p[2]}`);
    out.push({ module: m[1], params });
  }
  return out;
}

/** One module per file, named as the file (the generator's rule): the modules, their instances, which are black boxes. */
function readModules(rootDir: string, files: string[], blackboxes: readonly string[]): Map<string, ModuleSource> {
  const texts = new Map(files.map((f) => [basename(f, '.v'), { file: f, text: readFileSync(join(rootDir, f), 'utf8') }]));
  const known = new Set(texts.keys());
  const modules = new Map<string, ModuleSource>();
  for (const [name, { file, text }] of texts) {
    const declaredBlackbox = text.includes('(* blackbox *)');
    const instances = instancesIn(text, known).filter((i) => i.module !== name);
    modules.set(name, { file, blackbox: declaredBlackbox || blackboxes.includes(name), declaredBlackbox, instances });
  }
  return modules;
}

interface UnitPlan {
  name: string;
  files: string[];
  script: string[];
  instances: number;
}

function planUnits(modules: Map<string, ModuleSource>, top: string): UnitPlan[] {
  if (!modules.has(top)) throw new Error(`synthesis: no file defines the top module ${top}`);
  const source = (m: string): ModuleSource => modules.get(m)!;
  // Parents of every module of the hierarchy under the top, and every instance of it.
  const parents = new Map<string, Set<string>>();
  const instances = new Map<string, Array<Instance & { parent: string }>>();
  const reachable = new Set<string>();
  const visit = (name: string): void => {
    if (reachable.has(name)) return;
    reachable.add(name);
    for (const i of source(name).instances) {
      parents.set(i.module, (parents.get(i.module) ?? new Set()).add(name));
      instances.set(i.module, [...(instances.get(i.module) ?? []), { ...i, parent: name }]);
      visit(i.module);
    }
  };
  visit(top);
  // How many times a module occurs in the elaborated design: an instance counts once per occurrence of its parent
  // (a FIFO inside a neuron core that several cores share occurs once per such core).
  const occurrences = new Map<string, number>([[top, 1]]);
  const occurrencesOf = (m: string): number => {
    let n = occurrences.get(m);
    if (n === undefined) {
      n = (instances.get(m) ?? []).reduce((sum, i) => sum + occurrencesOf(i.parent), 0);
      occurrences.set(m, n);
    }
    return n;
  };
  // A module some parent sets from its own parameters (imcc_neuron's FIFO storage) has no parameter set of its own:
  // it is synthesized inside each parent's unit.
  const literal = (m: string): boolean => (instances.get(m) ?? []).every((i) => i.params.every((p) => /=\d+$/.test(p)));
  const shared = new Set([...reachable].filter((m) => m !== top && parents.get(m)!.size > 1 && !source(m).blackbox && literal(m)));
  // A unit: its root, the descendants that are neither shared nor black boxes (the top's children are units of
  // their own), and at its boundary the modules they instantiate, read and made black boxes before elaboration (so
  // their parameterized copies are black boxes too).
  const unit = (root: string, name: string, setup: string[], count: number): UnitPlan => {
    const members = [root];
    for (let k = 0; k < members.length; k++) {
      for (const i of source(members[k]).instances) {
        const own = !shared.has(i.module) && !source(i.module).blackbox && members[k] !== top;
        if (own && !members.includes(i.module)) members.push(i.module);
      }
    }
    const boundary = [...new Set(members.flatMap((m) => source(m).instances.map((i) => i.module)))].filter((m) => !members.includes(m));
    const toBlackbox = boundary.filter((m) => !source(m).declaredBlackbox);
    return {
      name,
      files: [...members, ...boundary].map((m) => source(m).file),
      script: [...(toBlackbox.length > 0 ? [`blackbox ${toBlackbox.join(' ')}`] : []), ...setup, `hierarchy -top ${root}`, `synth -top ${root} -run begin:check`],
      instances: count,
    };
  };
  const units: UnitPlan[] = [unit(top, top, [], 1)];
  for (const child of new Set(source(top).instances.map((i) => i.module))) {
    if (!shared.has(child) && !source(child).blackbox) units.push(unit(child, child, [], occurrencesOf(child)));
  }
  // Shared modules: once per distinct parameter set of their instances.
  for (const m of shared) {
    const sets = new Map<string, { params: string[]; count: number }>();
    for (const i of instances.get(m)!) {
      const key = i.params.join(', ');
      sets.set(key, { params: i.params, count: (sets.get(key)?.count ?? 0) + occurrencesOf(i.parent) });
    }
    for (const [key, { params, count }] of sets) {
      const chparam = params.length > 0 ? [`chparam ${params.map((p) => `-set ${p.replace('=', ' ')}`).join(' ')} ${m}`] : [];
      units.push(unit(m, params.length > 0 ? `${m}(${key})` : m, chparam, count));
    }
  }
  return units;
}

async function runUnit(rootDir: string, unit: UnitPlan): Promise<SynthUnit & { messages: string[] }> {
  const started = performance.now();
  // `synth` ends with a check stage (`hierarchy -check; stat; check`) that the unit's own `check -assert` and `stat`
  // repeat: it stops before that stage (7 % of synth.test.ts's Yosys CPU, most of it in the units with many
  // flip-flops, where `check` is slow; the library modules' cells are the same). The `hierarchy -top` that synth's
  // first stage repeats stays: without it a core wrapper's glue logic came out a few cells apart (ABC maps what it is
  // handed in another order).
  const script = [`read_verilog ${unit.files.join(' ')}`, ...unit.script, 'check -assert', LATCH_CHECK, 'stat'].join('; ');
  const result = await execa('yosys', ['-p', script], { cwd: rootDir, reject: false, all: true });
  const output = String(result.all ?? '');
  const cells = [...output.matchAll(/Number of cells:\s+(\d+)/g)].map((m) => Number(m[1]));
  const cpu = /CPU: user ([\d.]+)s system ([\d.]+)s/.exec(output);
  const messages = output
    .split('\n')
    .filter((l) => /ERROR|Warning: .*latch|Assertion failed/i.test(l))
    .map((l) => `${unit.name}: ${l.trim()}`);
  return {
    name: unit.name,
    ok: result.exitCode === 0,
    cells: cells.length > 0 ? cells[cells.length - 1] : 0,
    instances: unit.instances,
    seconds: Math.round(performance.now() - started) / 1000,
    cpuSeconds: cpu ? Math.round((Number(cpu[1]) + Number(cpu[2])) * 100) / 100 : 0,
    messages,
  };
}

/**
 * Yosys `synth -top; check -assert` and no latch cells over the whole RTL set, bottom-up in units (see the top of this
 * file), `jobs` Yosys processes at a time (default: one per CPU). ok when every unit passes. `blackboxes`: further
 * modules kept out of the synthesis like the crossbar (to measure the logic of one core without its storage).
 * `onUnit`: called as each unit finishes (progress of a long run).
 */
export async function synthesizeRtl(
  rootDir: string,
  fileList: string,
  top: string,
  options: { jobs?: number; blackboxes?: readonly string[]; onUnit?: (unit: SynthUnit, done: number, total: number) => void } = {},
): Promise<SynthResult> {
  const units = planUnits(readModules(rootDir, verilogFiles(rootDir, fileList), options.blackboxes ?? []), top);
  const jobs = Math.max(1, options.jobs ?? cpus().length);
  const results: Array<Awaited<ReturnType<typeof runUnit>>> = new Array(units.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < units.length) {
      const k = next++;
      results[k] = await runUnit(rootDir, units[k]);
      const { messages: _messages, ...unit } = results[k];
      options.onUnit?.(unit, results.filter((r) => r !== undefined).length, units.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, units.length) }, worker));
  return {
    ok: results.every((r) => r.ok),
    messages: results.flatMap((r) => r.messages),
    cells: results.reduce((sum, r) => sum + r.cells * r.instances, 0),
    cpuSeconds: Math.round(results.reduce((sum, r) => sum + r.cpuSeconds, 0) * 100) / 100,
    units: results.map(({ messages: _messages, ...unit }) => unit),
  };
}
