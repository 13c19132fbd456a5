// Mapping directives: `mapping { default ...; layers "glob": ...; layer NAME: ... }` resolved per weight layer.
// Precedence (docs/language.md "Mapping directives"): built-in defaults < `default` < `layers "glob"` < `layer NAME`, and
// within one kind the later entry wins; each setting (replicas, method, dw, layout) is resolved on its own.
import type { Located, NetworkDecl, Property } from '../dsl/ast.js';
import type { IrNode, LayoutChoice, MappingDirective, OptimizeDirective } from './types.js';
import { isWeightOp } from './types.js';
import { AtomReader } from './values.js';
import { Diagnostics } from '../diagnostics/index.js';
import { DIRECTIVE_LIMITS } from './limits.js';


interface Settings {
  replicas?: number;
  method?: 1 | 2;
  dW?: number;
  layout?: LayoutChoice;
}

interface Entry {
  kind: 'default' | 'layers' | 'layer';
  /** `layer` name (matches the layer and every layer under it) or `layers` glob. */
  selector?: string;
  matches: (layer: string) => boolean;
  settings: Settings;
  /** Where each setting was written, for errors about combinations. */
  where: Partial<Record<keyof Settings, Located>>;
  at: Property;
}

/** `*` matches any run of characters (dots included), `?` one character; the whole name must match. */
export function globMatcher(glob: string): (name: string) => boolean {
  const re = new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return (name) => re.test(name);
}

/** `layer stage1` matches `stage1` and every layer inside it (`stage1.0.c1`, ...). */
export function layerMatcher(name: string): (layer: string) => boolean {
  return (layer) => layer === name || layer.startsWith(name + '.');
}

function readEntry(p: Property, diags: Diagnostics): Entry | undefined {
  const kind = p.key.name;
  if (kind !== 'default' && kind !== 'layers' && kind !== 'layer') {
    diags.report('IMC011', p.key, { what: 'mapping directive', key: kind, expected: 'default, layer NAME: ..., layers "GLOB": ...', hint: '' });
    return undefined;
  }
  if (p.body) diags.report('IMC235', p.body, { what: 'mapping', key: kind });
  let selector: string | undefined;
  let matches: (layer: string) => boolean = () => true;
  if (kind === 'default') {
    if (p.selector) diags.report('IMC233', p.selector, { what: 'mapping', key: 'default' });
  } else if (!p.selector) {
    diags.report('IMC010', p.key, kind === 'layer'
      ? { what: 'mapping layer', missing: 'the layer name', hint: ' (layer NAME: replicas 2)' }
      : { what: 'mapping layers', missing: 'the pattern', hint: ' (layers "stage1.*": replicas 2)' });
    return undefined;
  } else {
    selector = p.selector.kind === 'string' ? p.selector.value : p.selector.name;
    matches = kind === 'layer' ? layerMatcher(selector) : globMatcher(selector);
  }
  const settings: Settings = {};
  const where: Entry['where'] = {};
  let ok = true;
  for (const group of p.groups) {
    const r = new AtomReader(diags, group, p, `mapping ${kind}`);
    const key = r.word('setting', ['replicas', 'method', 'dw', 'layout'] as const);
    if (key === undefined) {
      ok = false;
      continue;
    }
    const field = key === 'dw' ? 'dW' : key;
    if (settings[field] !== undefined) {
      diags.report('IMC019', group[0], { what: `mapping ${kind}`, key, first: '' });
      ok = false;
      continue;
    }
    where[field] = group[0];
    if (key === 'replicas') settings.replicas = r.number('replicas (output pixels per timestep)', DIRECTIVE_LIMITS.replicas);
    else if (key === 'method') {
      const m = r.number('replication method (1 or 2)', DIRECTIVE_LIMITS.method);
      if (m !== undefined) settings.method = m as 1 | 2;
    } else if (key === 'dw') settings.dW = r.number('dw (method 2 block width)', DIRECTIVE_LIMITS.dw);
    else settings.layout = r.word('layout', ['auto', 'IWAP', 'KLIP', 'PLIP'] as const);
    if (settings[field] === undefined) ok = false;
    r.end();
  }
  if (p.groups.length === 0 && !p.recovered) {
    diags.report('IMC247', p.key, { kind });
  }
  return ok ? { kind, selector, matches, settings, where, at: p } : undefined;
}

const RANK = { default: 0, layers: 1, layer: 2 } as const;

const OBJECTIVE_WORDS = ['throughput', 'latency', 'balanced'] as const;
const STRATEGY_WORDS = ['pareto', 'paper', 'balance', 'w0h0', 'uniform'] as const;

/** `optimize OBJECTIVE [cores N] [strategy S] [ignore_bandwidth]` (commas optional between the parts). */
function readOptimize(p: Property, diags: Diagnostics): OptimizeDirective | undefined {
  const atoms = p.groups.flat();
  const bad = (at: Property | (typeof atoms)[number], message: string): undefined => {
    diags.report('IMC062', at, { problem: message });
    return undefined;
  };
  if (p.selector || p.body) return bad(p, 'takes no layer name and no { ... } block');
  const first = atoms[0];
  if (first?.kind !== 'name' || !(OBJECTIVE_WORDS as readonly string[]).includes(first.name)) return bad(first ?? p, 'the first word must be the objective');
  const directive: OptimizeDirective = { objective: first.name as OptimizeDirective['objective'], strategy: 'pareto', ignoreBandwidth: false, span: p.key.span };
  const seen = new Set<string>();
  for (let i = 1; i < atoms.length; i++) {
    const a = atoms[i];
    if (a.kind !== 'name' || !['cores', 'strategy', 'ignore_bandwidth'].includes(a.name)) return bad(a, 'expected cores, strategy or ignore_bandwidth');
    if (seen.has(a.name)) return bad(a, `'${a.name}' is set twice`);
    seen.add(a.name);
    if (a.name === 'ignore_bandwidth') {
      directive.ignoreBandwidth = true;
      continue;
    }
    const v = atoms[++i];
    if (a.name === 'cores') {
      if (v?.kind !== 'number' || v.negative || !Number.isInteger(v.value) || v.value < 1 || v.value > 1_000_000) return bad(v ?? a, 'cores takes a whole number from 1 to 1000000');
      directive.cores = v.value;
    } else {
      if (v?.kind !== 'name' || !(STRATEGY_WORDS as readonly string[]).includes(v.name)) return bad(v ?? a, `strategy takes one of ${STRATEGY_WORDS.join(', ')}`);
      directive.strategy = v.name as OptimizeDirective['strategy'];
    }
  }
  return directive;
}

/**
 * Sets `mapping` on every weight layer of `nodes`; reports directives that match nothing and bad combinations.
 * Returns the `optimize` directive, if the block has one.
 */
export function resolveDirectives(nodes: IrNode[], mapping: Property | undefined, decl: NetworkDecl, diags: Diagnostics): OptimizeDirective | undefined {
  const entries: Entry[] = [];
  let optimize: OptimizeDirective | undefined;
  if (mapping) {
    if (mapping.groups.length > 0) diags.report('IMC234', mapping.groups[0][0], { what: 'network', key: 'mapping' });
    for (const p of mapping.body?.statements ?? []) {
      if (p.key.name === 'optimize') {
        if (optimize !== undefined) diags.report('IMC062', p.key, { problem: 'only one optimize directive per mapping block' });
        optimize = readOptimize(p, diags) ?? optimize;
        continue;
      }
      const e = readEntry(p, diags);
      if (e) entries.push(e);
    }
  }
  const ordered = entries.map((e, i) => ({ e, i })).sort((a, b) => RANK[a.e.kind] - RANK[b.e.kind] || a.i - b.i).map((x) => x.e);
  const weightLayers = nodes.filter((n) => isWeightOp(n.op));
  for (const e of entries) {
    if (e.kind !== 'default' && !weightLayers.some((n) => e.matches(n.name))) {
      const hint = nodes.some((n) => e.matches(n.name)) ? ' (it names only non-weight layers; directives apply to conv, shortcut and fc)' : '';
      diags.report('IMC023', e.at.selector ?? e.at.key, { kind: e.kind, selector: e.selector ?? '', hint });
    }
  }
  const fallbackSpan = mapping?.key.span ?? decl.name.span;
  for (const n of weightLayers) {
    const s: Settings = {};
    const from: Partial<Record<keyof Settings, Entry>> = {};
    let last: Entry | undefined;
    for (const e of ordered) {
      if (!e.matches(n.name)) continue;
      last = e;
      for (const k of Object.keys(e.settings) as (keyof Settings)[]) {
        (s as Record<string, unknown>)[k] = e.settings[k];
        from[k] = e;
      }
    }
    const method = s.method ?? 1;
    const replicas = s.replicas ?? 1;
    const blame = (k: keyof Settings): Located => from[k]?.where[k] ?? from.method?.where.method ?? last?.at ?? decl.name;
    let dW = s.dW ?? 1;
    let ok = true;
    if (method === 1 && s.dW !== undefined && s.dW !== 1) {
      diags.report('IMC206', blame('dW'), { layer: n.name, dW: s.dW });
      ok = false;
    }
    if (method === 2) {
      if (dW < 2) {
        diags.report('IMC207', blame('method'), { layer: n.name, dW });
        ok = false;
      } else if (dW > replicas) {
        diags.report('IMC024', blame('dW'), { layer: n.name, replicas, dW });
        ok = false;
      } else if (Math.ceil(replicas / dW) * (dW - 1) >= replicas) {
        // A ragged block (replicas not a multiple of dw) is fine as long as its last column holds a replica.
        const rows = Math.ceil(replicas / dW);
        diags.report('IMC064', blame('dW'), { layer: n.name, replicas, rows, filled: Math.ceil(replicas / rows), dW });
        ok = false;
      }
    } else dW = 1;
    if (!ok) continue;
    const directive: MappingDirective = {
      replicas,
      method,
      dW,
      layout: s.layout ?? 'auto',
      span: last ? last.at.span : fallbackSpan,
    };
    n.mapping = directive;
  }
  return optimize;
}
