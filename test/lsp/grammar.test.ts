// The TextMate grammar of editors/vscode tokenized by VS Code's own engine (vscode-textmate with the oniguruma
// regex library): the examples get the scopes a reader expects, its word lists match the language's, and the
// extension manifest points at files that exist.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import { describe, expect, it } from 'vitest';
import { KEYWORDS } from '../../src/dsl/lexer.js';
import { BUILTIN_OPS } from '../../src/ir/network.js';

const dir = 'editors/vscode';
const grammarText = readFileSync(join(dir, 'syntaxes/imc.tmLanguage.json'), 'utf8');
const require = createRequire(import.meta.url);

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => (scope === 'source.imc' ? vsctm.parseRawGrammar(grammarText, 'imc.tmLanguage.json') : null),
  });
  const grammar = await registry.loadGrammar('source.imc');
  if (grammar === null) throw new Error('grammar did not load');
  return grammar;
}

/** Every token of a file as `text -> innermost scope`. */
function tokens(grammar: vsctm.IGrammar, text: string): Array<{ text: string; scope: string }> {
  let state = vsctm.INITIAL;
  const out: Array<{ text: string; scope: string }> = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scope: t.scopes[t.scopes.length - 1] });
    state = r.ruleStack;
  }
  return out;
}

describe('TextMate grammar for .imc', () => {
  it('scopes keywords, names, operations, literals, strings and comments of the examples', async () => {
    const grammar = await loadGrammar();
    const lenet = tokens(grammar, readFileSync('examples/lenet.imc', 'utf8'));
    const scopeOf = (text: string) => lenet.find((t) => t.text === text)?.scope;
    expect(scopeOf('target')).toBe('keyword.other.target.imc');
    expect(scopeOf('lenet_tiny')).toBe('entity.name.type.target.imc');
    expect(scopeOf('network')).toBe('keyword.other.network.imc');
    expect(scopeOf('conv')).toBe('support.function.builtin.imc');
    expect(scopeOf('c1')).toBe('variable.other.layer.imc');
    expect(scopeOf('5x5')).toBe('constant.numeric.dimensions.imc');
    expect(scopeOf('100ns')).toBe('constant.numeric.quantity.imc');
    expect(scopeOf('256')).toBe('constant.numeric.imc');
    expect(lenet.find((t) => t.text.startsWith('// 4x24x24'))?.scope).toBe('comment.line.double-slash.imc');

    const resnet = tokens(grammar, readFileSync('examples/resnet32.imc', 'utf8'));
    expect(resnet.find((t) => t.text === 'import')?.scope).toBe('keyword.control.import.imc');
    expect(resnet.find((t) => t.text.includes('targets/dazzi2021.imc'))?.scope).toBe('string.quoted.double.imc');
    expect(resnet.find((t) => t.text === 'block')?.scope).toBe('keyword.other.block.imc');
  });

  it('knows the language reserved words and built-in operations', () => {
    const words = (pattern: RegExp) => (grammarText.match(pattern)?.[1] ?? '').split('|');
    expect(words(/\\\\b\((import\|[a-z|]+)\)\\\\b/)).toEqual([...KEYWORDS]);
    expect(words(/\\\\b\((conv\|[a-z|]+)\)/)).toEqual([...BUILTIN_OPS]);
  });

  it('the extension manifest contributes the language, the grammar and a client for imcc lsp', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(manifest.contributes.languages[0]).toMatchObject({ id: 'imc', extensions: ['.imc'] });
    const grammar = manifest.contributes.grammars[0];
    expect(grammar).toMatchObject({ language: 'imc', scopeName: JSON.parse(grammarText).scopeName });
    for (const file of [grammar.path, manifest.contributes.languages[0].configuration, manifest.main]) expect(existsSync(join(dir, file)), file).toBe(true);
    JSON.parse(readFileSync(join(dir, 'language-configuration.json'), 'utf8'));
    expect(readFileSync(join(dir, manifest.main), 'utf8')).toContain("'lsp', '--stdio'");
  });
});
