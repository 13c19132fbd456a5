// What the language server knows about one open .imc file: the diagnostics of loading it (language checks, then the
// mapping and memory plan when the design loads), its checked design and mapping, and the parsed files, read with
// the editor's unsaved text for open documents. Independent of the LSP wire types (server.ts converts).
import { nodeIndex } from '../ir/nodeIndex.js';
import { layerIndex } from '../mapping/layerIndex.js';
import { readFileSync } from 'node:fs';
import { DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import type { SourceFile } from '../dsl/ast.js';
import { loadDesign, loadProgram, importPath } from '../ir/load.js';
import type { IrDesign, IrNode } from '../ir/types.js';
import type { Mapping } from '../mapping/types.js';
import { createProgram } from '../pipeline/program.js';
import { BUILTIN_OPS } from '../ir/network.js';
import { KEYWORDS } from '../dsl/lexer.js';

export interface Analysis {
  file: string;
  diagnostics: Diagnostic[];
  design: IrDesign | null;
  mapping: Mapping | null;
  files: SourceFile[];
}

/** Reads open documents from the editor, every other file from disk. */
export type OpenText = (file: string) => string | undefined;

export function analyze(file: string, openText: OpenText): Analysis {
  const read = (f: string): string => openText(f) ?? readFileSync(f, 'utf8');
  const loaded = loadDesign(file, read);
  const { files } = loadProgram(file, read);
  let mapping: Mapping | null = null;
  const diagnostics = [...loaded.diagnostics];
  if (loaded.design !== null) {
    try {
      // The Program's plan, as compile's: a core waiting for its residual shortcut keeps the ring its wait needs (IMC076).
      const program = createProgram(loaded.design);
      mapping = program.mapping;
      void program.memory;
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      diagnostics.push(...err.diagnostics);
    }
  }
  return { file, diagnostics, design: loaded.design, mapping, files };
}

/** The name (dotted, as layer names of block instances are) under a 0-based position of a line. */
export function nameAt(line: string, character: number): string | null {
  for (const m of line.matchAll(/[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/g)) {
    const start = m.index ?? 0;
    if (character >= start && character <= start + m[0].length) return m[0];
  }
  return null;
}

function findNode(a: Analysis, name: string): IrNode | undefined {
  return a.design ? nodeIndex(a.design.network).get(name) : undefined;
}

/** Markdown for a layer: output shape, and for weight layers the kernel matrix, cores and utilization. */
export function hoverText(a: Analysis, name: string): string | null {
  const node = findNode(a, name);
  if (node === undefined) return null;
  const shape = `${node.shape.channels}x${node.shape.height}x${node.shape.width}`;
  const lines = [`**${node.name}**: ${node.op.kind}, output ${shape} (CxHxW), ${node.activationBits}-bit activations`];
  const layer = a.mapping ? layerIndex(a.mapping).get(node.name) : undefined;
  if (layer !== undefined) {
    const m = layer.matrix;
    lines.push(
      `kernel matrix ${m.kernelRows}x${m.kernelCols}` +
        (m.replicas.length > 1 ? `, ${m.replicas.length} replicas (method ${m.method}, dW ${m.dW}): ${m.rowSources.length}x${m.columnSinks.length}` : ''),
      `cores ${layer.cores.join(', ')} (${layer.rowParts}x${layer.colParts} tiles), utilization ${(layer.utilization * 100).toFixed(2)}%`,
    );
  } else {
    const host = a.mapping?.layers.find((l) => l.fused.includes(node.name));
    if (host !== undefined) lines.push(`runs in the neuron core of ${host.layer} (cores ${host.cores.join(', ')})`);
  }
  return lines.join('\n\n');
}

export interface Place {
  file: string;
  /** 1-based, as spans are. */
  line: number;
  column: number;
  length: number;
}

/** Where NAME is defined (a layer, a target, a network), or the file an import on this line names. */
export function definitionOf(a: Analysis, name: string | null, file: string, line: number): Place | null {
  for (const source of a.files.filter((f) => f.file === file)) {
    for (const decl of source.declarations) {
      if (decl.kind === 'import' && decl.path !== undefined && decl.path.span.line === line) {
        return { file: importPath(file, decl.path.value), line: 1, column: 1, length: 1 };
      }
    }
  }
  if (name === null) return null;
  const node = findNode(a, name);
  if (node !== undefined) return { ...node.span };
  for (const source of a.files) {
    for (const decl of source.declarations) {
      if ((decl.kind === 'target' || decl.kind === 'network') && decl.name.name === name) return { ...decl.name.span };
    }
  }
  return null;
}

export interface Completion {
  label: string;
  kind: 'keyword' | 'operation' | 'layer';
  detail?: string;
}

/** Keywords, built-in operations and the design's layer names (those of the last good analysis). */
export function completions(a: Analysis): Completion[] {
  const layers = (a.design?.network.nodes ?? []).map((n) => ({
    label: n.name,
    kind: 'layer' as const,
    detail: `${n.op.kind} ${n.shape.channels}x${n.shape.height}x${n.shape.width}`,
  }));
  return [
    ...KEYWORDS.map((k) => ({ label: k, kind: 'keyword' as const })),
    ...BUILTIN_OPS.map((o) => ({ label: o, kind: 'operation' as const })),
    ...layers,
  ];
}
