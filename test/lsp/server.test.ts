// `imcc lsp` driven by a real LSP client over stdio: the server runs in a child process (the CLI entry under tsx),
// the client is vscode-languageserver-protocol's connection on the child's stdin/stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type CompletionItem,
  type Hover,
  type Location,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatText } from '../../src/dsl/fmt-file.js';

const work = mkdtempSync(join(tmpdir(), 'imcc-lsp-'));
const lenetPath = join(work, 'lenet.imc');
const lenetUri = pathToFileURL(lenetPath).href;
const lenetText = readFileSync('examples/lenet.imc', 'utf8');
mkdirSync(join(work, 'targets'));
cpSync('examples/targets/dazzi2021.imc', join(work, 'targets', 'dazzi2021.imc'));
const resnetPath = join(work, 'resnet32.imc');
writeFileSync(resnetPath, readFileSync('examples/resnet32.imc', 'utf8'));
writeFileSync(lenetPath, lenetText);

let child: ChildProcess;
let client: ProtocolConnection;
const published = new Map<string, Array<(p: PublishDiagnosticsParams) => void>>();

/** The next diagnostics the server publishes for URI. */
function nextDiagnostics(uri: string): Promise<PublishDiagnosticsParams> {
  return new Promise((done) => published.set(uri, [...(published.get(uri) ?? []), done]));
}

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', resolve('test/lsp/serve.ts'), 'lsp', '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  client = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    const waiting = published.get(p.uri) ?? [];
    published.set(p.uri, waiting.slice(1));
    waiting[0]?.(p);
  });
  client.listen();
  const init = (await client.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(work).href, capabilities: {} })) as {
    capabilities: Record<string, unknown>;
  };
  expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentFormattingProvider: true });
  await client.sendNotification('initialized', {});
});

afterAll(async () => {
  await client.sendRequest('shutdown');
  await client.sendNotification('exit');
  await new Promise<void>((done) => (child.exitCode !== null ? done() : child.once('exit', () => done())));
  client.dispose();
});

function open(uri: string, text: string, version = 1): Promise<PublishDiagnosticsParams> {
  const diagnostics = nextDiagnostics(uri);
  void client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'imc', version, text } });
  return diagnostics;
}

function change(uri: string, text: string, version: number): Promise<PublishDiagnosticsParams> {
  const diagnostics = nextDiagnostics(uri);
  void client.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  return diagnostics;
}

/** Position of the `nth` occurrence of `word` in text (0-based line and character). */
function positionOf(text: string, word: string, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(word, at + 1);
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('imcc lsp', () => {
  it('publishes no diagnostics for a good design, and live diagnostics with imcc codes after an edit', async () => {
    expect((await open(lenetUri, lenetText)).diagnostics).toEqual([]);
    const broken = lenetText.replace('r2 = relu(c2)', 'r2 = relu(c9)');
    const after = await change(lenetUri, broken, 2);
    expect(after.diagnostics).toHaveLength(1);
    expect(after.diagnostics[0]).toMatchObject({ code: 'IMC005', source: 'imcc', severity: 1 });
    expect(after.diagnostics[0].range.start).toEqual({ line: 26, character: 12 });
    // A mapping-phase error: the grid is too small for the network.
    const tooSmall = await change(lenetUri, lenetText.replace('grid 4x4', 'grid 2x2'), 3);
    expect(tooSmall.diagnostics.map((d) => d.code)).toEqual(['IMC050']);
    expect((await change(lenetUri, lenetText, 4)).diagnostics).toEqual([]);
  });

  it('hovers a layer with its output shape, kernel matrix, cores and utilization', async () => {
    const hover = (await client.sendRequest('textDocument/hover', {
      textDocument: { uri: lenetUri },
      position: positionOf(lenetText, 'relu(c2)', 0),
    })) as Hover | null;
    expect(hover).toBeNull(); // on `relu`, an operation: nothing to say
    const at = positionOf(lenetText, 'c2)');
    const onC2 = (await client.sendRequest('textDocument/hover', { textDocument: { uri: lenetUri }, position: at })) as Hover;
    const text = (onC2.contents as { value: string }).value;
    expect(text).toContain('**c2**: conv, output 8x8x8');
    expect(text).toContain('kernel matrix 100x8');
    expect(text).toContain('cores c01, c02 (2x1 tiles), utilization 9.77%');
  });

  it('goes to the definition of a layer, a target and an imported file', async () => {
    const layer = (await client.sendRequest('textDocument/definition', {
      textDocument: { uri: lenetUri },
      position: positionOf(lenetText, 'relu(c1)', 0),
    })) as Location | null;
    expect(layer).toBeNull();
    const c1 = positionOf(lenetText, 'c1)');
    const toC1 = (await client.sendRequest('textDocument/definition', { textDocument: { uri: lenetUri }, position: { ...c1, character: c1.character + 1 } })) as Location;
    expect(toC1.uri).toBe(lenetUri);
    expect(toC1.range.start.line).toBe(22);
    const target = (await client.sendRequest('textDocument/definition', {
      textDocument: { uri: lenetUri },
      position: positionOf(lenetText, 'lenet_tiny', 1),
    })) as Location;
    expect(target.range.start).toEqual({ line: 2, character: 7 });

    const resnetText = readFileSync(resnetPath, 'utf8');
    const resnetUri = pathToFileURL(resnetPath).href;
    expect((await open(resnetUri, resnetText)).diagnostics.map((d) => d.code)).toEqual([]);
    const imported = (await client.sendRequest('textDocument/definition', {
      textDocument: { uri: resnetUri },
      position: positionOf(resnetText, 'dazzi2021.imc'),
    })) as Location;
    expect(imported.uri).toBe(pathToFileURL(join(work, 'targets', 'dazzi2021.imc')).href);
  });

  it('completes keywords, operations and layer names', async () => {
    const items = (await client.sendRequest('textDocument/completion', {
      textDocument: { uri: lenetUri },
      position: { line: 30, character: 9 },
    })) as CompletionItem[];
    const labels = items.map((i) => i.label);
    for (const label of ['network', 'import', 'conv', 'maxpool', 'c1', 'p2', 'logits']) expect(labels).toContain(label);
    expect(items.find((i) => i.label === 'c2')?.detail).toBe('conv 8x8x8');
  });

  it('formats through imcc fmt', async () => {
    const messy = lenetText.replace('  c1 = conv(image, out 4, kernel 5x5)', 'c1=conv( image,out 4,kernel 5x5 )');
    await change(lenetUri, messy, 5);
    const edits = (await client.sendRequest('textDocument/formatting', {
      textDocument: { uri: lenetUri },
      options: { tabSize: 2, insertSpaces: true },
    })) as TextEdit[];
    expect(edits).toHaveLength(1);
    expect(edits[0].newText).toBe(formatText(messy, lenetPath).formatted);
    expect(edits[0].newText).toContain('  c1 = conv(image, out 4, kernel 5x5)');
  });
});
