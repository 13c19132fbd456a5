// imcc optimize --write: the chosen replication becomes the design's mapping block, written through the formatter so
// `git diff` shows the decision. The block is rebuilt from the chosen settings: a `default` line, then one `layer`
// line per weight layer that differs from it (its replicas, and its own input-memory layout when one was asked for).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { ToolError } from '../diagnostics/index.js';
import { formatText } from '../dsl/fmt-file.js';
import { parseSource } from '../dsl/parse.js';
import type { IrDesign } from '../ir/types.js';
import type { LayerChoice } from './optimize.js';

/** The mapping block's text for the chosen settings (layouts as the design resolved them). */
export function mappingBlock(design: IrDesign, layers: ReadonlyMap<string, LayerChoice>): string {
  const lines = ['mapping {', '  default replicas 1, method 1, layout auto'];
  for (const node of design.network.nodes) {
    const c = layers.get(node.name);
    if (c === undefined) continue;
    const layout = node.mapping?.layout ?? 'auto';
    if (c.replicas === 1 && layout === 'auto') continue;
    const settings = [`replicas ${c.replicas}`, `method ${c.dW > 1 ? 2 : 1}`];
    if (c.dW > 1) settings.push(`dw ${c.dW}`);
    if (layout !== 'auto') settings.push(`layout ${layout}`);
    lines.push(`  layer ${node.name}: ${settings.join(', ')}`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** The entry file's text with its network's mapping block replaced (or added), formatted. */
export function rewriteMapping(text: string, file: string, block: string): string {
  const parsed = parseSource(text, file);
  const network = parsed.ast.declarations.find((d) => d.kind === 'network');
  if (network === undefined || network.kind !== 'network') throw new Error(`optimize --write: ${file} declares no network`);
  const mapping = network.statements.find((s) => s.kind === 'property' && s.key.name === 'mapping');
  const edited =
    mapping !== undefined
      ? text.slice(0, mapping.start) + block + text.slice(mapping.end)
      : text.slice(0, network.end - 1) + `\n  ${block.replace(/\n/g, '\n  ')}\n` + text.slice(network.end - 1);
  const formatted = formatText(edited, file);
  if (formatted.formatted === null) throw new Error(`optimize --write: the rewritten ${file} does not parse`);
  return formatted.formatted;
}

/** Rewrites FILE atomically (a sibling temporary file renamed over it). Returns false when nothing changed. */
export function writeMapping(file: string, design: IrDesign, layers: ReadonlyMap<string, LayerChoice>): boolean {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const next = rewriteMapping(text, file, mappingBlock(design, layers));
  if (next === text) return false;
  const tmp = `${file}.imcc-optimize.tmp`;
  let written = false;
  try {
    writeFileSync(tmp, next);
    written = true;
    renameSync(tmp, file);
  } catch (err) {
    if (written) rmSync(tmp, { force: true });
    const why = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
    throw new ToolError('IMC063', { file, why });
  }
  return true;
}
