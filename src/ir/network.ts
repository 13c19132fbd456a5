// Elaborates a network declaration into IR nodes: expands block instances and repetitions, names every node,
// infers and checks shapes, bit widths and requantization. Naming rule (docs/language.md "Layer names"):
//   - `name = op(...)` names the op's node `name`; inside a block instance `inst`, `inst.name`;
//   - a call nested inside another, or written inside `return`, is named `<owner>.<op>` where <owner> is the
//     assignment's name (or the instance for `return`); a second nested call of the same op under the same owner
//     gets `<owner>.<op>2`, then 3, ... outermost first, then left to right; a nested name never takes a name
//     the scope defines explicitly (it gets the next number instead);
//   - the outermost call of a block's `return` is named after the instance itself;
//   - `name = block(...)` creates the instance `name` (its layers `name.c1`, ...); `name = block(...) x N` creates
//     `name.0` .. `name.<N-1>`, each fed by the previous one, and `name` stands for the last.
import type { Assignment, Atom, BlockDecl, CallExpr, Expr, Located, NamedArg, NetworkDecl, NetworkStatement, Property } from '../dsl/ast.js';
import type { IrNetwork, IrNode, IrTarget, NeuronOpName, Op, Shape, WeightSource } from './types.js';
import { isWeightOp, shapeText } from './types.js';
import { defaultRequantShift } from './weights.js';
import { buildGraphIndex } from './nodeIndex.js';
import { AtomReader, kindWord, reader, section, type Range } from './values.js';
import { Diagnostics } from '../diagnostics/index.js';
import { resolveDirectives } from './directives.js';
import { NETWORK_LIMITS } from './limits.js';
import { hasPadding, paddingText, symmetricPad, windowCount, type Padding } from './padding.js';
import { MAX_NAME_LENGTH, nameTooLong } from '../dsl/parse.js';


export const BUILTIN_OPS = ['conv', 'shortcut', 'fc', 'maxpool', 'avgpool', 'gap', 'batchnorm', 'relu', 'threshold', 'add', 'flatten'] as const;
type BuiltinOp = (typeof BUILTIN_OPS)[number];

interface OpSpec {
  inputs: number;
  keys: string[];
  required: string[];
}
const WEIGHT_KEYS = ['weight_bits', 'activation_bits', 'requant'];
/** One side's padding, overriding `pad` on that side (an imported model's asymmetric pads). */
const PAD_SIDE_KEYS = ['pad_top', 'pad_left', 'pad_bottom', 'pad_right'];
const OP_SPECS: Record<BuiltinOp, OpSpec> = {
  conv: { inputs: 1, keys: ['out', 'kernel', 'stride', 'pad', ...PAD_SIDE_KEYS, ...WEIGHT_KEYS], required: ['out', 'kernel'] },
  shortcut: { inputs: 1, keys: ['out', 'stride', ...WEIGHT_KEYS], required: ['out'] },
  fc: { inputs: 1, keys: ['out', ...WEIGHT_KEYS], required: ['out'] },
  maxpool: { inputs: 1, keys: ['size', 'stride', 'pad', ...PAD_SIDE_KEYS], required: ['size'] },
  avgpool: { inputs: 1, keys: ['size', 'stride', 'pad', ...PAD_SIDE_KEYS], required: ['size'] },
  gap: { inputs: 1, keys: [], required: [] },
  batchnorm: { inputs: 1, keys: [], required: [] },
  relu: { inputs: 1, keys: [], required: [] },
  threshold: { inputs: 1, keys: ['level'], required: ['level'] },
  add: { inputs: 2, keys: [], required: [] },
  flatten: { inputs: 1, keys: [], required: [] },
};

type Value = { kind: 'tensor'; node: IrNode } | { kind: 'number'; value: number };

interface Binding {
  /** null: the definition had an error that was already reported; uses stay quiet. */
  value: Value | null;
  at: Located;
}

interface Scope {
  /** Node-name prefix: '' at network level, `inst.` inside an instance. */
  prefix: string;
  names: Map<string, Binding>;
  /** Names assigned anywhere in this scope, for "defined later" hints. */
  declared: Map<string, Located>;
  blockStack: string[];
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}
export function didYouMean(name: string, options: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const dd = distance(name, o);
    if (dd < bestD) {
      bestD = dd;
      best = o;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

export interface NetworkInput {
  decl: NetworkDecl;
  /** The statements after applying `extends` (base statements, overridden ones replaced). */
  statements: NetworkStatement[];
  target: IrTarget | undefined;
}

interface WeightArgs {
  weightBits: number;
  activationBits: number | undefined;
  requant: number | 'auto';
}

/** Per weight node: the explicit `requant N` (or auto) from the source. */
interface WeightExtras {
  requant: number | 'auto';
}

class Elaborator {
  readonly nodes: IrNode[] = [];
  /** Name -> node as the nodes are made: the node list still grows here, so the IR's cached index cannot serve. */
  private readonly nodeByName = new Map<string, IrNode>();
  private readonly used = new Set<string>();
  private readonly blocks = new Map<string, BlockDecl>();
  private readonly extras = new Map<string, WeightExtras>();
  private defaultActivationBits: number | undefined;
  private defaultWeightBits: number | undefined;
  private instances = 0;
  private tooLarge = false;

  constructor(
    private readonly diags: Diagnostics,
    private readonly target: IrTarget | undefined,
  ) {}

  run(input: NetworkInput): IrNetwork | undefined {
    const { decl, statements } = input;
    const errorsAtStart = this.diags.list.length;
    const props = statements.filter((s): s is Property => s.kind === 'property');
    const assignments = statements.filter((s): s is Assignment => s.kind === 'assignment');
    for (const b of statements.filter((s): s is BlockDecl => s.kind === 'block')) this.declareBlock(b);

    const byKey = new Map<string, Property[]>();
    for (const p of props) {
      if (!['input', 'output', 'weights', 'defaults', 'mapping'].includes(p.key.name)) {
        this.diags.report(
          'IMC011',
          p.key,
          {
            what: 'network statement',
            key: p.key.name,
            expected: 'input, output, weights, defaults, mapping, block, or NAME = ...',
            hint: /^x\d+$/.test(p.key.name) ? ` (for a repetition write 'x ${p.key.name.slice(1)}' with a space)` : didYouMean(p.key.name, ['input', 'output', 'weights', 'defaults', 'mapping', 'block']),
          },
        );
        continue;
      }
      const wantsBody = p.key.name === 'defaults' || p.key.name === 'mapping';
      if (wantsBody && !p.body) {
        if (!p.recovered) this.diags.report('IMC234', p.key, { what: 'network', key: p.key.name });
        continue;
      }
      if (!wantsBody && p.body) this.diags.report('IMC235', p.body, { what: 'network', key: p.key.name });
      if (p.key.name !== 'input' && p.selector) this.diags.report('IMC233', p.selector, { what: 'network', key: p.key.name });
      const list = byKey.get(p.key.name) ?? [];
      list.push(p);
      byKey.set(p.key.name, list);
    }
    for (const [key, list] of byKey) {
      for (const extra of list.slice(1)) {
        this.diags.report('IMC019', extra.key, { what: 'network', key, first: ` (first at line ${list[0].span.line})` });
      }
    }
    const defaults = byKey.get('defaults')?.[0];
    if (defaults) this.readDefaults(defaults);

    const scope: Scope = { prefix: '', names: new Map(), declared: new Map(), blockStack: [] };
    for (const a of assignments) {
      if (!scope.declared.has(a.name.name)) scope.declared.set(a.name.name, a.name);
      this.used.add(a.name.name);
    }
    const inputProp = byKey.get('input')?.[0];
    const outputProp = byKey.get('output')?.[0];
    if ((!inputProp || !outputProp) && !decl.recovered) {
      const lacks = [!inputProp ? 'an input (input image: 3x32x32, 8 bits)' : '', !outputProp ? 'an output (output NAME)' : ''].filter((x) => x);
      this.diags.report('IMC025', decl.name, { network: decl.name.name, lacks: lacks.join(' and ') });
    }
    const inputOk = inputProp ? this.readInput(inputProp, scope) : false;

    for (const a of assignments) this.assign(a, scope);

    const output = outputProp ? this.readOutput(outputProp, scope) : undefined;

    const weights = this.readWeights(byKey.get('weights')?.[0], decl);
    this.checkFusion();
    this.resolveRequant();
    this.checkNeuronCore();
    const optimize = resolveDirectives(this.nodes, byKey.get('mapping')?.[0], decl, this.diags);
    if (output !== undefined && outputProp) this.checkOutputComputed(output, outputProp);
    const failed = this.diags.list.slice(errorsAtStart).some((d) => d.severity === 'error');
    if (!inputOk || output === undefined || weights === undefined || failed) return undefined;
    this.warnUnused(output);
    return { name: decl.name.name, nodes: this.nodes, output, weights, span: decl.name.span, ...(optimize ? { optimize } : {}) };
  }

  // ---- settings -------------------------------------------------------------------------------------------

  private readDefaults(p: Property): void {
    const s = section(this.diags, p.body, p.key, 'defaults', { keys: { activations: 'values', weights: 'values' } });
    const act = s.get('activations');
    if (act) {
      const r = reader(this.diags, act, 'defaults activations');
      this.defaultActivationBits = r.bits('activation bits', NETWORK_LIMITS.bits);
      r.end();
    }
    const w = s.get('weights');
    if (w) {
      const r = reader(this.diags, w, 'defaults weights');
      this.defaultWeightBits = r.bits('weight bits', NETWORK_LIMITS.bits);
      r.end();
    }
  }

  private readInput(p: Property, scope: Scope): boolean {
    if (!p.selector || p.selector.kind !== 'name') {
      this.diags.report('IMC248', p.key, {});
      return false;
    }
    const name = p.selector;
    if (name.name.includes('.')) {
      this.diags.report('IMC034', name, { kind: 'input', name: name.name });
      return false;
    }
    const r = reader(this.diags, p, 'input');
    // Height and width have their own, smaller limit, stated in the message when it is exceeded.
    const dims = r.dims('input size (channels x height x width)', 3, [NETWORK_LIMITS.channels, NETWORK_LIMITS.spatial, NETWORK_LIMITS.spatial]);
    let bits = this.defaultActivationBits;
    if (!r.atEnd()) bits = r.bits('input activation bits', NETWORK_LIMITS.bits);
    else if (bits === undefined) this.diags.report('IMC010', p, { what: 'input', missing: 'the activation bits', hint: ' (write: input image: 3x32x32, 8 bits)' });
    r.end();
    if (!dims || bits === undefined) {
      scope.names.set(name.name, { value: null, at: name });
      return false;
    }
    const [channels, height, width] = dims;
    const node = this.createNode(name.name, { kind: 'input' }, [], { channels, height, width }, bits, p);
    if (!node) return false;
    scope.names.set(name.name, { value: { kind: 'tensor', node }, at: name });
    return true;
  }

  private readOutput(p: Property, scope: Scope): string | undefined {
    const atoms = p.groups.flat();
    const a = atoms[0];
    if (!a || a.kind !== 'name') {
      if (a) this.diags.report('IMC012', a, { what: 'output', label: 'the name of a layer', form: '', found: kindWord(a) });
      else this.diags.report('IMC010', p, { what: 'output', missing: 'the name of a layer', hint: '' });
      return undefined;
    }
    if (atoms.length > 1) this.diags.report('IMC232', atoms[1], { what: 'output', found: kindWord(atoms[1]) });
    const v = this.lookup(a.name, a, scope);
    if (!v) return undefined;
    if (v.kind !== 'tensor') {
      this.diags.report('IMC218', a, { what: 'output', found: `'${a.name}', a number` });
      return undefined;
    }
    return v.node.name;
  }

  private readWeights(p: Property | undefined, decl: NetworkDecl): WeightSource | undefined {
    // Without a weights statement: seed 0 (docs/language.md "Weights").
    if (!p) return { kind: 'seed', seed: 0, span: decl.name.span };
    const r = reader(this.diags, p, 'weights');
    const kind = r.word('weight source', ['seed', 'file'] as const);
    let out: WeightSource | undefined;
    if (kind === 'seed') {
      const seed = r.number('seed', NETWORK_LIMITS.seed);
      if (seed !== undefined) out = { kind: 'seed', seed, span: p.span };
    } else if (kind === 'file') {
      const file = r.string('weights file path');
      if (file !== undefined) {
        if (file.length === 0) this.diags.report('IMC249', p, {});
        else out = { kind: 'file', seed: 0, file, span: p.span };
      }
    }
    r.end();
    return out;
  }

  // ---- blocks ---------------------------------------------------------------------------------------------

  private declareBlock(b: BlockDecl): void {
    const name = b.name.name;
    if (name.includes('.')) {
      this.diags.report('IMC034', b.name, { kind: 'block', name });
      return;
    }
    if ((BUILTIN_OPS as readonly string[]).includes(name)) {
      this.diags.report('IMC219', b.name, { block: name });
      return;
    }
    const prev = this.blocks.get(name);
    if (prev) {
      this.diags.report('IMC006', b.name, { what: `block '${name}'`, place: `line ${prev.name.span.line}` });
      return;
    }
    const seen = new Set<string>();
    for (const p of b.params) {
      if (seen.has(p.name)) this.diags.report('IMC220', p, { block: name, parameter: p.name });
      if (p.name.includes('.')) this.diags.report('IMC034', p, { kind: `block ${name}: parameter`, name: p.name });
      seen.add(p.name);
    }
    const returns = b.statements.filter((s) => s.kind === 'return');
    if (returns.length === 0 && !b.recovered) this.diags.report('IMC032', b.name, { block: name });
    for (const r of returns.slice(1)) this.diags.report('IMC208', r, { block: name });
    const last = b.statements[b.statements.length - 1];
    if (returns.length === 1 && last !== returns[0]) this.diags.report('IMC209', returns[0], { block: name });
    this.blocks.set(name, b);
  }

  /** Instantiates a block; returns the value of its `return`. */
  private instantiate(block: BlockDecl, args: Map<string, Value>, instance: string, callSite: Located, stack: string[]): Value | null {
    if (stack.includes(block.name.name)) {
      this.diags.report('IMC028', callSite, { block: block.name.name, chain: [...stack, block.name.name].join(' -> ') });
      return null;
    }
    if (++this.instances > NETWORK_LIMITS.instances || stack.length >= NETWORK_LIMITS.blockDepth) {
      this.reportTooLarge(callSite);
      return null;
    }
    const scope: Scope = { prefix: instance + '.', names: new Map(), declared: new Map(), blockStack: [...stack, block.name.name] };
    this.reserveLocals(block, instance);
    for (const p of block.params) scope.names.set(p.name, { value: args.get(p.name) ?? null, at: p });
    for (const s of block.statements) if (s.kind === 'assignment' && !scope.declared.has(s.name.name)) scope.declared.set(s.name.name, s.name);
    let result: Value | null = null;
    for (const s of block.statements) {
      if (this.tooLarge) return null;
      if (s.kind === 'assignment') this.assign(s, scope);
      else if (s.value && !s.recovered) result = this.evalExpr(s.value, scope, instance, instance);
    }
    return result;
  }

  // ---- statements and expressions ---------------------------------------------------------------------------

  private assign(a: Assignment, scope: Scope): void {
    const name = a.name.name;
    const prev = scope.names.get(name);
    if (prev) {
      this.diags.report('IMC006', a.name, { what: `'${name}'`, place: `line ${prev.at.span.line}` });
      return;
    }
    if (name.includes('.')) {
      this.diags.report('IMC034', a.name, { kind: 'layer', name });
      scope.names.set(name, { value: null, at: a.name });
      return;
    }
    // A statement cut short by a syntax error is not evaluated: its uses stay quiet, the syntax error explains.
    if (!a.value || a.recovered) {
      scope.names.set(name, { value: null, at: a.name });
      return;
    }
    const full = scope.prefix + name;
    let value: Value | null;
    if (a.repeat) value = this.repeat(a, a.value, a.repeat, scope, full);
    else value = this.evalExpr(a.value, scope, full, full);
    scope.names.set(name, { value, at: a.name });
  }

  private repeat(a: Assignment, expr: Expr, countAtom: Atom, scope: Scope, full: string): Value | null {
    const r = new AtomReader(this.diags, [countAtom], a, 'repetition');
    const count = r.number('repetition count', NETWORK_LIMITS.repeat);
    const block = expr.kind === 'call' ? this.blocks.get(expr.callee.name) : undefined;
    if (expr.kind !== 'call' || !block) {
      this.diags.report('IMC035', countAtom, { count: countAtom.kind === 'number' ? countAtom.text : '', callee: expr.kind === 'call' ? `'${expr.callee.name}'` : 'this' });
      return null;
    }
    if (count === undefined) return null;
    const args = this.blockArgs(expr, block, scope, full);
    if (!args) return null;
    const first = block.params[0];
    if (!first || args.get(first.name)?.kind !== 'tensor') {
      this.diags.report('IMC216', countAtom, { block: block.name.name });
      return null;
    }
    let value: Value | null = null;
    for (let k = 0; k < count; k++) {
      value = this.instantiate(block, args, `${full}.${k}`, expr, scope.blockStack);
      if (!value) return null;
      if (value.kind !== 'tensor') {
        this.diags.report('IMC217', countAtom, { block: block.name.name });
        return null;
      }
      args.set(first.name, value);
    }
    return value;
  }

  private lookup(name: string, at: Located, scope: Scope): Value | null {
    const b = scope.names.get(name);
    if (b) return b.value;
    const later = scope.declared.get(name);
    if (later) {
      this.diags.report('IMC210', at, { name, line: later.span.line });
    } else {
      const where = scope.prefix === '' ? '' : ' in this block (a block sees only its parameters and its own layers)';
      this.diags.report('IMC005', at, { name, where, suggestion: didYouMean(name, scope.names.keys()) });
    }
    return null;
  }

  /**
   * Evaluates an expression. `ownName` is the node name for a call at the top of the expression (undefined for
   * nested calls, which get `<owner>.<op>` names).
   */
  private evalExpr(e: Expr, scope: Scope, ownName: string | undefined, owner: string): Value | null {
    if (this.tooLarge) return null;
    switch (e.kind) {
      case 'name':
        return this.lookup(e.name, e, scope);
      case 'number':
        return { kind: 'number', value: e.negative ? -e.value : e.value };
      case 'call':
        return this.call(e, scope, ownName, owner);
    }
  }

  /** Reserves the explicit names of a block instance's layers. */
  private reserveLocals(block: BlockDecl, instance: string): void {
    for (const s of block.statements) if (s.kind === 'assignment') this.used.add(`${instance}.${s.name.name}`);
  }

  private anonymousName(owner: string, op: string): string {
    let name = `${owner}.${op}`;
    for (let k = 2; this.used.has(name); k++) name = `${owner}.${op}${k}`;
    return name;
  }

  private call(e: CallExpr, scope: Scope, ownName: string | undefined, owner: string): Value | null {
    const callee = e.callee.name;
    const block = this.blocks.get(callee);
    if (block) {
      const instance = ownName ?? this.anonymousName(owner, callee);
      // Reserve the instance's names first, so names given to calls nested in its arguments cannot take them.
      this.used.add(instance);
      this.reserveLocals(block, instance);
      const args = this.blockArgs(e, block, scope, owner);
      if (!args) return null;
      return this.instantiate(block, args, instance, e, scope.blockStack);
    }
    if (!(BUILTIN_OPS as readonly string[]).includes(callee)) {
      this.diags.report(
        'IMC007',
        e.callee,
        { callee, suggestion: didYouMean(callee, [...BUILTIN_OPS, ...this.blocks.keys()]) },
      );
      for (const a of e.args) if (a.kind !== 'named') this.evalExpr(a, scope, undefined, owner);
      return null;
    }
    return this.builtin(callee as BuiltinOp, e, scope, ownName, owner);
  }

  /** Binds a block call's arguments to parameters (positional, then `param value` named ones). */
  private blockArgs(e: CallExpr, block: BlockDecl, scope: Scope, owner: string): Map<string, Value> | null {
    const args = new Map<string, Value>();
    let ok = true;
    const positional = e.args.filter((a): a is Expr => a.kind !== 'named');
    const named = e.args.filter((a): a is NamedArg => a.kind === 'named');
    const params = block.params.map((p) => p.name);
    positional.forEach((a, i) => {
      const v = this.evalExpr(a, scope, undefined, owner);
      if (i >= params.length) return;
      if (v === null) ok = false;
      else args.set(params[i], v);
    });
    if (positional.length > params.length) {
      this.diags.report('IMC008', e, { callee: `block ${block.name.name}`, expected: `${params.length} argument${params.length === 1 ? '' : 's'} (${params.join(', ')})`, found: positional.length });
      return null;
    }
    for (const n of named) {
      const key = n.key.name;
      if (!params.includes(key)) {
        this.diags.report('IMC009', n.key, { callee: `block ${block.name.name}`, key, hint: ` (parameters: ${params.join(', ')})` });
        ok = false;
        continue;
      }
      if (args.has(key) || positional.length > params.indexOf(key)) {
        this.diags.report('IMC222', n.key, { callee: `block ${block.name.name}`, key });
        ok = false;
        continue;
      }
      const v = this.atomValue(n.value, scope);
      if (v === null) ok = false;
      else args.set(key, v);
    }
    if (!ok) return null;
    const missing = params.filter((p) => !args.has(p));
    if (missing.length > 0) {
      this.diags.report('IMC221', e, { block: block.name.name, expected: `${params.length} argument${params.length === 1 ? '' : 's'} (${params.join(', ')})`, missing: missing.join(', ') });
      return null;
    }
    return args;
  }

  private atomValue(a: Atom, scope: Scope): Value | null {
    if (a.kind === 'name') return this.lookup(a.name, a, scope);
    if (a.kind === 'number') return { kind: 'number', value: a.negative ? -a.value : a.value };
    this.diags.report('IMC012', a, { what: 'argument', label: 'a layer name or a number', form: '', found: kindWord(a) });
    return null;
  }

  /** A named numeric argument: a number, or a name bound to a number (a block parameter). */
  private numArg(n: NamedArg, label: string, range: Range, scope: Scope, what: string): number | undefined {
    const r = new AtomReader(this.diags, [n.value], n, what);
    if (n.value.kind === 'name') {
      const v = this.lookup(n.value.name, n.value, scope);
      if (v === null) return undefined;
      if (v.kind !== 'number') {
        this.diags.report('IMC027', n.value, { what, label, layer: n.value.name });
        return undefined;
      }
      return r.checkNumber(n.value, v.value, label, range, true);
    }
    return r.number(label, range);
  }

  private builtin(op: BuiltinOp, e: CallExpr, scope: Scope, ownName: string | undefined, owner: string): Value | null {
    const spec = OP_SPECS[op];
    const name = ownName ?? this.anonymousName(owner, op);
    if (ownName === undefined) this.used.add(name);
    const positional = e.args.filter((a): a is Expr => a.kind !== 'named');
    const named = new Map<string, NamedArg>();
    let ok = true;
    const inputs: (IrNode | null)[] = [];
    for (const a of positional) {
      const v = this.evalExpr(a, scope, undefined, owner);
      if (v === null) inputs.push(null);
      else if (v.kind !== 'tensor') {
        this.diags.report('IMC218', a, { what: op, found: 'a number' });
        inputs.push(null);
      } else inputs.push(v.node);
    }
    for (const a of e.args) {
      if (a.kind !== 'named') continue;
      const key = a.key.name;
      if (!spec.keys.includes(key)) {
        const hint = spec.keys.length ? ` (${op} takes ${spec.keys.join(', ')})` : ` (${op} takes no named arguments)`;
        this.diags.report('IMC009', a.key, { callee: op, key, hint });
        ok = false;
      } else if (named.has(key)) {
        this.diags.report('IMC222', a.key, { callee: op, key });
        ok = false;
      } else named.set(key, a);
    }
    if (positional.length !== spec.inputs) {
      this.diags.report('IMC008', e, { callee: op, expected: spec.inputs === 1 ? 'one input layer' : `${spec.inputs} input layers`, found: positional.length });
      return null;
    }
    const missing = spec.required.filter((key) => !named.has(key));
    if (missing.length > 0) {
      const example = (key: string) => (key === 'kernel' ? 'kernel 3x3' : key === 'out' ? 'out 16' : `${key} 2`);
      this.diags.report('IMC010', e, { what: op, missing: missing.map((k) => `'${k}'`).join(' and '), hint: ` (e.g. ${missing.map(example).join(', ')})` });
      ok = false;
    }
    if (!ok || inputs.some((i) => i === null)) return null;
    const ins = inputs as IrNode[];
    const node = this.buildOp(op, name, ins, named, e, scope);
    return node ? { kind: 'tensor', node } : null;
  }

  private buildOp(op: BuiltinOp, name: string, ins: IrNode[], named: Map<string, NamedArg>, e: CallExpr, scope: Scope): IrNode | null {
    const inShape = ins[0].shape;
    const inBits = ins[0].activationBits;
    const num = (key: string, label: string, range: Range, dflt?: number): number | undefined => {
      const a = named.get(key);
      return a ? this.numArg(a, label, range, scope, op) : dflt;
    };
    const has = (key: string) => named.has(key);
    switch (op) {
      case 'conv':
      case 'shortcut': {
        const out = num('out', 'output channels', NETWORK_LIMITS.channels);
        let kernel: number[] | undefined = [1, 1];
        if (op === 'conv') kernel = this.kernelArg(named.get('kernel')!, scope);
        const stride = num('stride', 'stride', NETWORK_LIMITS.stride, 1);
        const pad = this.paddingArgs(num);
        const wx = this.weightArgs(named, scope, op);
        if (out === undefined || !kernel || stride === undefined || pad === undefined || !wx) return null;
        const [kh, kw] = kernel;
        if (!this.windowFits(op, 'kernel', kh, kw, pad, inShape, has('kernel') ? named.get('kernel')! : e)) return null;
        if (!this.layerWeightsOk(op, inShape.channels * kh * kw * out, e)) return null;
        const shape: Shape = {
          channels: out,
          height: windowCount(inShape.height, pad.top, pad.bottom, kh, stride),
          width: windowCount(inShape.width, pad.left, pad.right, kw, stride),
        };
        const opv: Op = { kind: 'conv', outChannels: out, kernelHeight: kh, kernelWidth: kw, stride, padding: pad, shortcut: op === 'shortcut' };
        return this.createWeightNode(name, opv, ins, shape, wx, e);
      }
      case 'fc': {
        const out = num('out', 'output features', NETWORK_LIMITS.features);
        const wx = this.weightArgs(named, scope, op);
        if (out === undefined || !wx) return null;
        if (inShape.height !== 1 || inShape.width !== 1) {
          this.diags.report('IMC018', e, { ins: ins[0].name, inShape: shapeText(inShape) });
          return null;
        }
        if (!this.layerWeightsOk(op, inShape.channels * out, e)) return null;
        return this.createWeightNode(name, { kind: 'fc', outFeatures: out }, ins, { channels: out, height: 1, width: 1 }, wx, e);
      }
      case 'maxpool':
      case 'avgpool': {
        const size = num('size', 'window size', NETWORK_LIMITS.kernel);
        const stride = num('stride', 'stride', NETWORK_LIMITS.stride, size);
        const pad = this.paddingArgs(num);
        if (size === undefined || stride === undefined || pad === undefined) return null;
        if (!this.windowFits(op, 'window', size, size, pad, inShape, named.get('size')!)) return null;
        const shape: Shape = {
          channels: inShape.channels,
          height: windowCount(inShape.height, pad.top, pad.bottom, size, stride),
          width: windowCount(inShape.width, pad.left, pad.right, size, stride),
        };
        return this.createNode(name, { kind: op, size, stride, padding: pad }, ins, shape, inBits, e);
      }
      case 'gap':
        return this.createNode(name, { kind: 'gap' }, ins, { channels: inShape.channels, height: 1, width: 1 }, inBits, e);
      case 'batchnorm':
        return this.createNode(name, { kind: 'batchnorm' }, ins, { ...inShape }, inBits, e);
      case 'relu': {
        // With integrate-and-fire neurons a relu is a spiking neuron: its output is a 0/1 spike each timestep.
        if (!this.target?.neuronCore.spiking) return this.createNode(name, { kind: 'relu' }, ins, { ...inShape }, inBits, e);
        if (inBits < 2) {
          this.diags.report('IMC158', e, { ins: ins[0].name });
          return null;
        }
        return this.createNode(name, { kind: 'relu' }, ins, { ...inShape }, 1, e);
      }
      case 'threshold': {
        // The level compares with the input's signed integers; a binary (0/1) input has no level worth stating.
        if (inBits < 2) {
          this.diags.report('IMC130', e, { ins: ins[0].name });
          return null;
        }
        const level = num('level', 'threshold level', { min: -(2 ** (inBits - 1)), max: 2 ** (inBits - 1) - 1 });
        if (level === undefined) return null;
        return this.createNode(name, { kind: 'threshold', level }, ins, { ...inShape }, 1, e);
      }
      case 'flatten': {
        const features = inShape.channels * inShape.height * inShape.width;
        if (features > NETWORK_LIMITS.features.max) {
          this.diags.report('IMC242', e, { features, max: NETWORK_LIMITS.features.max });
          return null;
        }
        return this.createNode(name, { kind: 'flatten' }, ins, { channels: features, height: 1, width: 1 }, inBits, e);
      }
      case 'add': {
        const [a, b] = ins;
        if (a.shape.channels !== b.shape.channels || a.shape.height !== b.shape.height || a.shape.width !== b.shape.width) {
          this.diags.report('IMC016', e, { left: a.name, leftShape: shapeText(a.shape), right: b.name, rightShape: shapeText(b.shape) });
          return null;
        }
        if (a.activationBits === 1 || b.activationBits === 1) {
          this.diags.report('IMC131', e, { name: a.activationBits === 1 ? a.name : b.name });
          return null;
        }
        if (a.activationBits !== b.activationBits) {
          this.diags.report('IMC031', e, { left: a.name, leftBits: a.activationBits, right: b.name, rightBits: b.activationBits });
          return null;
        }
        return this.createNode(name, { kind: 'add' }, ins, { ...a.shape }, a.activationBits, e);
      }
    }
  }

  private kernelArg(a: NamedArg, scope: Scope): number[] | undefined {
    if (a.value.kind === 'name') {
      const r = new AtomReader(this.diags, [a.value], a, 'conv');
      const v = this.lookup(a.value.name, a.value, scope);
      if (v === null) return undefined;
      if (v.kind !== 'number') {
        this.diags.report('IMC027', a.value, { what: 'conv', label: 'kernel', layer: a.value.name });
        return undefined;
      }
      const k = r.checkNumber(a.value, v.value, 'kernel size', NETWORK_LIMITS.kernel, true);
      return k === undefined ? undefined : [k, k];
    }
    return new AtomReader(this.diags, [a.value], a, 'conv').dims('kernel size', 2, NETWORK_LIMITS.kernel, true);
  }

  /** Bit widths and requantization of a weight layer; activationBits undefined means "as its input". */
  private weightArgs(named: Map<string, NamedArg>, scope: Scope, op: string): WeightArgs | undefined {
    const wbArg = named.get('weight_bits');
    const abArg = named.get('activation_bits');
    const rqArg = named.get('requant');
    const weightBits = wbArg ? this.numArg(wbArg, 'weight bits', NETWORK_LIMITS.bits, scope, op) : (this.defaultWeightBits ?? this.target?.crossbar.weightBits ?? 8);
    const activationBits = abArg ? this.numArg(abArg, 'activation bits', NETWORK_LIMITS.bits, scope, op) : this.defaultActivationBits;
    let requant: number | 'auto' | undefined = 'auto';
    if (rqArg) {
      if (rqArg.value.kind === 'name' && rqArg.value.name === 'auto') requant = 'auto';
      else requant = this.numArg(rqArg, 'requantization shift', NETWORK_LIMITS.requant, scope, op);
    }
    if (weightBits === undefined || requant === undefined || (abArg && activationBits === undefined)) return undefined;
    return { weightBits, activationBits, requant };
  }

  /** `pad N` sets every side; `pad_top` ... `pad_right` override one side each. */
  private paddingArgs(num: (key: string, label: string, range: Range, dflt?: number) => number | undefined): Padding | undefined {
    const pad = num('pad', 'padding', NETWORK_LIMITS.pad, 0);
    if (pad === undefined) return undefined;
    const side = (name: 'top' | 'left' | 'bottom' | 'right') => num(`pad_${name}`, `${name} padding`, NETWORK_LIMITS.pad, pad);
    const sides = { top: side('top'), left: side('left'), bottom: side('bottom'), right: side('right') };
    if (sides.top === undefined || sides.left === undefined || sides.bottom === undefined || sides.right === undefined) return undefined;
    return sides as Padding;
  }

  private windowFits(op: string, what: string, kh: number, kw: number, pad: Padding, s: Shape, at: Located): boolean {
    const symmetric = symmetricPad(pad);
    // A window wholly in the padding would see no input: every side stays smaller than the window along its axis.
    if (symmetric !== undefined && symmetric >= Math.min(kh, kw)) {
      this.diags.report('IMC244', at, { op, padding: symmetric, what, kh, kw });
      return false;
    }
    const over = (['top', 'bottom'] as const).find((k) => pad[k] >= kh) ?? (['left', 'right'] as const).find((k) => pad[k] >= kw);
    if (over) {
      const axis = over === 'top' || over === 'bottom' ? `height ${kh}` : `width ${kw}`;
      this.diags.report('IMC046', at, { op, over, pad: pad[over], what, axis, kh, kw });
      return false;
    }
    if (kh > s.height + pad.top + pad.bottom || kw > s.width + pad.left + pad.right) {
      const padded = hasPadding(pad) ? ` padded by ${paddingText(pad)}` : '';
      this.diags.report('IMC017', at, { op, kh, kw, what, height: s.height, width: s.width, padded });
      return false;
    }
    return true;
  }

  private layerWeightsOk(op: string, count: number, at: Located): boolean {
    if (count > NETWORK_LIMITS.layerWeights) {
      this.diags.report('IMC243', at, { op, count: count.toLocaleString('en-US'), limit: NETWORK_LIMITS.layerWeights.toLocaleString('en-US') });
      return false;
    }
    return true;
  }

  private reportTooLarge(at: Located): void {
    if (!this.tooLarge) {
      this.diags.report(
        'IMC029',
        at,
        { nodes: NETWORK_LIMITS.nodes.toLocaleString('en-US'), blockDepth: NETWORK_LIMITS.blockDepth },
      );
    }
    this.tooLarge = true;
  }

  private createNode(name: string, op: Op, ins: IrNode[], shape: Shape, activationBits: number, at: Located): IrNode | null {
    if (this.nodes.length >= NETWORK_LIMITS.nodes) {
      this.reportTooLarge(at);
      return null;
    }
    // Written names are checked when parsed; a composed one (`inst.layer`, `owner.op`, always dotted) is checked here.
    if (name.length > MAX_NAME_LENGTH && name.includes('.')) {
      this.diags.add(nameTooLong(name, at.span));
      return null;
    }
    const node: IrNode = { name, op, inputs: ins.map((i) => i.name), shape, activationBits, span: at.span };
    this.used.add(name);
    this.nodes.push(node);
    this.nodeByName.set(name, node);
    return node;
  }

  /**
   * The node whose 0/1 output `input` carries, through pools and flattens: a threshold, or an integrate-and-fire relu
   * (it compares the value it integrates). Undefined when `input` is not binary.
   */
  private binarySource(input: IrNode): IrNode | undefined {
    const compares = (n: IrNode) => n.op.kind === 'threshold' || n.op.kind === 'relu';
    let node: IrNode | undefined = input;
    while (node && node.activationBits === 1 && !compares(node)) {
      const from: string = node.inputs[0];
      node = this.nodeByName.get(from);
    }
    return node !== undefined && node.activationBits === 1 ? node : undefined;
  }

  /**
   * The width a weight layer inherits from its input: a 1-bit input is a threshold's 0/1 output (possibly pooled or
   * flattened), and the layer's sums are not binary, so they take the width of the value the threshold compared.
   */
  private nonBinaryBits(input: IrNode): number {
    const source = this.binarySource(input);
    if (source === undefined) return input.activationBits;
    const compared = this.nodeByName.get(source.inputs[0]);
    return compared?.activationBits ?? input.activationBits;
  }

  /** Whether `input` carries integrate-and-fire spikes: a spiking relu's output, possibly pooled or flattened. */
  private readsSpikes(input: IrNode): boolean {
    return this.binarySource(input)?.op.kind === 'relu';
  }

  private createWeightNode(
    name: string,
    op: Op,
    ins: IrNode[],
    shape: Shape,
    wx: WeightArgs,
    at: Located,
  ): IrNode | null {
    const bits = wx.activationBits ?? this.nonBinaryBits(ins[0]);
    if (bits === 1) {
      this.diags.report('IMC132', at, { kind: op.kind, name });
      return null;
    }
    const node = this.createNode(name, op, ins, shape, bits, at);
    if (!node) return null;
    node.weightBits = wx.weightBits;
    this.extras.set(name, { requant: wx.requant });
    return node;
  }

  // ---- whole-network checks ---------------------------------------------------------------------------------

  /** A batch norm is folded into the weight layer before it (docs/arithmetic.md), so it must follow one directly. */
  private checkFusion(): void {
    const { consumers } = buildGraphIndex(this.nodes);
    for (const n of this.nodes) {
      if (n.op.kind !== 'batchnorm') continue;
      const producer = this.nodeByName.get(n.inputs[0]);
      if (!producer) continue;
      const at = { span: n.span, start: 0, end: 0, endLine: n.span.line };
      if (!isWeightOp(producer.op)) {
        this.diags.report('IMC026', at, { input: producer.name, kind: producer.op.kind });
        continue;
      }
      const others = (consumers.get(producer.name) ?? []).filter((c) => c !== n);
      if (others.length > 0) {
        this.diags.report('IMC213', at, { layer: producer.name, other: others[0].name });
      }
    }
  }

  private resolveRequant(): void {
    const { consumers } = buildGraphIndex(this.nodes);
    for (const n of this.nodes) {
      if (!isWeightOp(n.op)) continue;
      const extra = this.extras.get(n.name);
      const input = this.nodeByName.get(n.inputs[0]);
      if (!extra || !input || n.weightBits === undefined) continue;
      const fanIn = n.op.kind === 'conv' ? input.shape.channels * n.op.kernelHeight * n.op.kernelWidth : input.shape.channels * input.shape.height * input.shape.width;
      const next = consumers.get(n.name) ?? [];
      const hasBatchNorm = next.length === 1 && next[0].op.kind === 'batchnorm';
      // Spikes are 0/1 where the default assumes inputs as wide as the output: shift a bits - 1 less, so that one
      // timestep's sum keeps the default's share of the range (docs/language.md "Bit widths and requantization").
      const spikeCredit = this.readsSpikes(input) ? n.activationBits - 1 : 0;
      const auto = Math.max(0, defaultRequantShift(fanIn, n.weightBits, hasBatchNorm) - spikeCredit);
      n.requant = extra.requant === 'auto' ? { shift: auto, auto: true } : { shift: extra.requant, auto: false };
    }
  }

  /** The hardware computes in weight layers' cores: an output no conv or fc layer leads to has nothing to run on. */
  private checkOutputComputed(output: string, at: Property): void {
    const seen = new Set<string>();
    const stack = [output];
    while (stack.length > 0) {
      const n = this.nodeByName.get(stack.pop()!);
      if (!n || seen.has(n.name)) continue;
      if (isWeightOp(n.op)) return;
      seen.add(n.name);
      stack.push(...n.inputs);
    }
    this.diags.report('IMC040', at, { output });
  }

  /** Layers that do not reach the output stay in the IR (and on the hardware), so say so. */
  private warnUnused(output: string): void {
    const live = new Set<string>([output]);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (live.has(n.name)) for (const x of n.inputs) live.add(x);
    }
    const consumed = new Set(this.nodes.flatMap((m) => m.inputs));
    for (const n of this.nodes) {
      // One warning per dead branch: only at its end, the dead node nothing consumes.
      if (live.has(n.name) || consumed.has(n.name)) continue;
      const at = { span: n.span, start: 0, end: 0, endLine: n.span.line };
      this.diags.report('IMC037', at, { name: n.name });
    }
  }

  /** Every operation after a weight layer runs in a neuron core; the target must list it. */
  private checkNeuronCore(): void {
    if (!this.target) return;
    const needs: Partial<Record<Op['kind'], NeuronOpName>> = {
      batchnorm: 'batchnorm',
      relu: this.target.neuronCore.spiking ? 'integrate-and-fire' : 'relu',
      threshold: 'threshold',
      add: 'residual',
      maxpool: 'pool',
      avgpool: 'pool',
      gap: 'pool',
    };
    const reported = new Set<string>();
    for (const n of this.nodes) {
      const need = needs[n.op.kind];
      if (!need || this.target.neuronCore.ops.includes(need) || reported.has(need)) continue;
      reported.add(need);
      const at = { span: n.span, start: 0, end: 0, endLine: n.span.line };
      // Say it as the source spells it (integrate_and_fire), not as the IR names it.
      const spelled = need.replace(/-/g, '_');
      this.diags.report('IMC033', at, { kind: n.op.kind, spelled, target: this.target.name });
    }
  }
}

export function checkNetwork(input: NetworkInput, diags: Diagnostics): IrNetwork | undefined {
  return new Elaborator(diags, input.target).run(input);
}
