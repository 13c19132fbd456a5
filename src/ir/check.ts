// Semantic checks of a whole program (the entry file and its imports): declarations, targets, `extends`, and the
// entry network, producing the IrDesign. Every problem is a diagnostic; nothing here throws on bad input.
import type { NetworkDecl, NetworkStatement, Property, SourceFile, TargetDecl } from '../dsl/ast.js';
import type { IrDesign, IrNetwork, IrTarget } from './types.js';
import { checkTarget } from './target.js';
import { checkNetwork, didYouMean } from './network.js';
import type { Diagnostics } from '../diagnostics/index.js';
import { DiagnosticError } from '../diagnostics/index.js';
import { readFileWeights } from './weightsFile.js';

export interface ProgramCheck {
  design: IrDesign | null;
  /** Every target declared in the program that checked clean, by name. */
  targets: Map<string, IrTarget>;
  /** The entry file's network, when it has exactly one and it checked clean. */
  network: IrNetwork | null;
  /** Networks declared in the entry file (0 means a target-only file). */
  entryNetworks: number;
}

/** Statements an extending network may give; they replace the base network's statement of the same key. */
export const OVERRIDABLE = ['mapping', 'weights'] as const;

export function checkProgram(files: readonly SourceFile[], diags: Diagnostics): ProgramCheck {
  const targets = new Map<string, TargetDecl>();
  const networks = new Map<string, NetworkDecl>();
  for (const f of files) {
    for (const d of f.declarations) {
      if (d.kind === 'import') continue;
      const table: Map<string, TargetDecl | NetworkDecl> = d.kind === 'target' ? targets : networks;
      const prev = table.get(d.name.name) ?? (d.kind === 'target' ? networks : targets).get(d.name.name);
      if (prev) {
        diags.report('IMC006', d.name, { what: `'${d.name.name}'`, place: `${prev.span.file}:${prev.span.line}` });
        continue;
      }
      if (d.name.name.includes('.')) {
        diags.report('IMC034', d.name, { kind: d.kind, name: d.name.name });
        continue;
      }
      if (d.kind === 'target') targets.set(d.name.name, d);
      else networks.set(d.name.name, d);
    }
  }
  const checkedTargets = new Map<string, IrTarget>();
  for (const [name, decl] of targets) {
    const t = checkTarget(decl, diags);
    if (t) checkedTargets.set(name, t);
  }

  const entry = files[0];
  const entryNetworks = entry ? entry.declarations.filter((d): d is NetworkDecl => d.kind === 'network') : [];
  for (const extra of entryNetworks.slice(1)) {
    diags.report('IMC022', extra.name, { file: entry.file, first: entryNetworks[0].name.name });
  }
  const decl = entryNetworks.length === 1 ? entryNetworks[0] : undefined;
  let network: IrNetwork | null = null;
  let target: IrTarget | undefined;
  if (decl) {
    const resolved = resolveExtends(decl, networks, diags);
    if (resolved) {
      const targetName = resolved.target;
      if (!targetName) {
        if (!decl.recovered) diags.report('IMC211', decl.name, { network: decl.name.name });
      } else if (!targets.has(targetName.name)) {
        diags.report('IMC021', targetName, {
          target: targetName.name,
          suggestion: didYouMean(targetName.name, targets.keys()),
          hint: targets.size === 0 ? ' (no target is declared; import one, e.g. import "targets/dazzi2021.imc")' : '',
        });
      } else target = checkedTargets.get(targetName.name);
      network = checkNetwork({ decl, statements: resolved.statements, target }, diags) ?? null;
    }
  }
  const design = network && target ? { network, target, sources: files.map((f) => f.file) } : null;
  if (design && design.network.weights.kind === 'file' && !diags.list.some((d) => d.severity === 'error')) {
    // A weights file that is missing or does not fit the network is an error of the `weights` statement.
    try {
      readFileWeights(design);
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      for (const d of err.diagnostics) diags.add(d);
      return { design: null, targets: checkedTargets, network, entryNetworks: entryNetworks.length };
    }
  }
  return { design, targets: checkedTargets, network, entryNetworks: entryNetworks.length };
}

interface Resolved {
  statements: NetworkStatement[];
  target: NetworkDecl['target'];
}

/** Applies `extends`: the base's statements, with the overridable ones the derived network gives replaced. */
function resolveExtends(decl: NetworkDecl, networks: Map<string, NetworkDecl>, diags: Diagnostics, chain: string[] = []): Resolved | undefined {
  if (!decl.base) return { statements: decl.statements, target: decl.target };
  if (chain.includes(decl.name.name)) {
    diags.report('IMC214', decl.base, { chain: [...chain, decl.name.name].join(' -> ') });
    return undefined;
  }
  const base = networks.get(decl.base.name);
  if (!base) {
    diags.report('IMC030', decl.base, { base: decl.base.name, suggestion: didYouMean(decl.base.name, networks.keys()) });
    return undefined;
  }
  const own: Property[] = [];
  for (const s of decl.statements) {
    if (s.kind === 'property' && (OVERRIDABLE as readonly string[]).includes(s.key.name)) own.push(s);
    else {
      const at = s.kind === 'property' ? s.key : s.name;
      diags.report('IMC215', at, { network: decl.name.name, base: base.name.name, overridable: OVERRIDABLE.join(' and ') });
    }
  }
  const inherited = resolveExtends(base, networks, diags, [...chain, decl.name.name]);
  if (!inherited) return undefined;
  const replaced = new Set(own.map((p) => p.key.name));
  const statements = [...inherited.statements.filter((s) => !(s.kind === 'property' && replaced.has(s.key.name))), ...own];
  return { statements, target: decl.target ?? inherited.target };
}
