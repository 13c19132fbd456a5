// `imcc lsp`: a language server over stdio for .imc files. Live diagnostics with imcc's codes (language checks,
// mapping and memory plan), hover on layer names, go to definition (layers, targets, networks, imports),
// completion of keywords, operations and layer names, and formatting through `imcc fmt`'s formatter.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CompletionItemKind,
  DiagnosticSeverity,
  TextDocuments,
  TextDocumentSyncKind,
  createConnection,
  type Connection,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../diagnostics/index.js';
import { formatText } from '../dsl/fmt-file.js';
import { analyze, completions, definitionOf, hoverText, nameAt, type Analysis, type Place } from './analysis.js';

function toLsp(d: Diagnostic): LspDiagnostic {
  const line = Math.max(0, d.span.line - 1);
  const character = Math.max(0, d.span.column - 1);
  return {
    range: { start: { line, character }, end: { line, character: character + Math.max(1, d.span.length) } },
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'imcc',
    message: d.message,
  };
}

function location(place: Place) {
  const line = place.line - 1;
  const character = place.column - 1;
  return {
    uri: pathToFileURL(place.file).href,
    range: { start: { line, character }, end: { line, character: character + place.length } },
  };
}

/** Serves one client on the given connection (stdio for `imcc lsp`). */
export function serve(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  /** The latest analysis per document, and the latest one whose design loaded (for hover and completion while typing). */
  const latest = new Map<string, Analysis>();
  const lastGood = new Map<string, Analysis>();

  const openText = (file: string): string | undefined => documents.get(pathToFileURL(file).href)?.getText();

  const refresh = (uri: string): void => {
    if (!uri.startsWith('file:')) return;
    const file = fileURLToPath(uri);
    const analysis = analyze(file, openText);
    latest.set(uri, analysis);
    if (analysis.design !== null) lastGood.set(uri, analysis);
    const own = analysis.diagnostics.filter((d) => d.span.file === file);
    void connection.sendDiagnostics({ uri, diagnostics: own.map(toLsp) });
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Full,
      hoverProvider: true,
      definitionProvider: true,
      completionProvider: { triggerCharacters: ['.', '('] },
      documentFormattingProvider: true,
    },
    serverInfo: { name: 'imcc' },
  }));

  // Every open document is re-checked on each change: one depends on the others through imports.
  documents.onDidChangeContent(() => {
    for (const doc of documents.all()) refresh(doc.uri);
  });
  documents.onDidClose((e) => {
    latest.delete(e.document.uri);
    lastGood.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const wordAt = (uri: string, line: number, character: number): string | null => {
    const doc = documents.get(uri);
    if (doc === undefined) return null;
    const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    return nameAt(text.replace(/\r?\n$/, ''), character);
  };

  connection.onHover(({ textDocument, position }) => {
    const analysis = lastGood.get(textDocument.uri);
    const name = wordAt(textDocument.uri, position.line, position.character);
    if (analysis === undefined || name === null) return null;
    const text = hoverText(analysis, name);
    return text === null ? null : { contents: { kind: 'markdown', value: text } };
  });

  connection.onDefinition(({ textDocument, position }) => {
    const analysis = latest.get(textDocument.uri);
    if (analysis === undefined) return null;
    const name = wordAt(textDocument.uri, position.line, position.character);
    const place =
      definitionOf(analysis, name, analysis.file, position.line + 1) ??
      (lastGood.get(textDocument.uri) === undefined ? null : definitionOf(lastGood.get(textDocument.uri)!, name, analysis.file, position.line + 1));
    return place === null ? null : location(place);
  });

  connection.onCompletion(({ textDocument }) => {
    const analysis = lastGood.get(textDocument.uri) ?? latest.get(textDocument.uri);
    if (analysis === undefined) return [];
    const kinds = { keyword: CompletionItemKind.Keyword, operation: CompletionItemKind.Function, layer: CompletionItemKind.Variable };
    return completions(analysis).map((c) => ({ label: c.label, kind: kinds[c.kind], detail: c.detail }));
  });

  connection.onDocumentFormatting(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    if (doc === undefined) return [];
    const result = formatText(doc.getText(), fileURLToPath(textDocument.uri));
    if (result.formatted === null || result.formatted === doc.getText()) return [];
    const end = doc.positionAt(doc.getText().length);
    return [{ range: { start: { line: 0, character: 0 }, end }, newText: result.formatted }];
  });

  documents.listen(connection);
  connection.listen();
}

/** `imcc lsp`: serves on stdin/stdout until the client exits. */
export function serveStdio(): void {
  serve(createConnection(process.stdin, process.stdout));
}
