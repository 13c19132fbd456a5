// Input images for `imcc infer --input FILE`. Two documented formats, chosen by the file name:
//  - `*.json`: one flat JSON array of integers in CHW order (c * H * W + y * W + x), exactly C*H*W of them, each
//    within the input's signed activation range;
//  - anything else: raw signed bytes (int8, two's complement), CHW order, exactly C*H*W bytes.
// Bad files give positioned diagnostics (IMC101-IMC103 with file:line:col for JSON) or IMC100 when unreadable.
import { diagnostic, DiagnosticError, ToolError, type Diagnostic, type SourceSpan } from '../diagnostics/index.js';
import type { Shape } from '../ir/types.js';
import { signedMax, signedMin } from './arithmetic.js';

export type ImageFormat = 'json' | 'int8';

export function imageFormatFor(path: string): ImageFormat {
  return path.toLowerCase().endsWith('.json') ? 'json' : 'int8';
}

interface Token {
  value: number;
  span: SourceSpan;
}

/** Line/column scanner over the text, so every diagnostic can point at the offending character. */
class Cursor {
  pos = 0;
  line = 1;
  column = 1;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  advance(): string {
    const ch = this.text[this.pos++] ?? '';
    if (ch === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return ch;
  }
  skipSpace(): void {
    while (/[ \t\r\n]/.test(this.peek()) && this.pos < this.text.length) this.advance();
  }
  span(length = 1): SourceSpan {
    return { file: this.file, line: this.line, column: this.column, length: Math.max(1, length) };
  }
}

function syntaxError(cur: Cursor, expected: string): DiagnosticError {
  const found = cur.pos >= cur.text.length ? 'end of file' : `'${cur.peek()}'`;
  return new DiagnosticError([diagnostic('IMC101', cur.span(), { expected, found })], new Map([[cur.file, cur.text]]));
}

/** A JSON number at the cursor (sticky), split so fractions and exponents can be reported as non-integers. */
const integerToken = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** The integers of a flat JSON array, with their positions; IMC101 on anything else. */
function scanJsonIntegers(text: string, file: string): { values: Token[]; close: SourceSpan } {
  const cur = new Cursor(text.replace(/^\uFEFF/, ''), file);
  cur.skipSpace();
  if (cur.peek() !== '[') throw syntaxError(cur, 'a JSON array of integers "[" (CHW order)');
  cur.advance();
  const values: Token[] = [];
  cur.skipSpace();
  if (cur.peek() !== ']') {
    for (;;) {
      cur.skipSpace();
      const start = cur.span();
      integerToken.lastIndex = cur.pos;
      const m = integerToken.exec(cur.text);
      if (!m) throw syntaxError(cur, 'an integer');
      if (m[2] !== undefined || m[3] !== undefined) {
        throw new DiagnosticError(
          [diagnostic('IMC250', { ...start, length: m[0].length }, { text: m[0] })],
          new Map([[file, text]]),
        );
      }
      for (let i = 0; i < m[0].length; i++) cur.advance();
      values.push({ value: Number(m[0]), span: { ...start, length: m[0].length } });
      cur.skipSpace();
      if (cur.peek() === ',') {
        cur.advance();
        continue;
      }
      if (cur.peek() === ']') break;
      throw syntaxError(cur, "',' or ']'");
    }
  }
  const close = cur.span();
  cur.advance();
  cur.skipSpace();
  if (cur.pos < cur.text.length) throw syntaxError(cur, 'nothing after the array');
  return { values, close };
}

/** Parses and validates an image file's contents against the network input (shape, activation bits). */
export function parseImageFile(file: string, bytes: Uint8Array, shape: Shape, bits: number): Int32Array {
  const count = shape.channels * shape.height * shape.width;
  const lo = signedMin(bits);
  const hi = signedMax(bits);
  const dims = `${shape.channels}x${shape.height}x${shape.width}`;
  if (imageFormatFor(file) === 'int8') {
    if (bytes.length !== count) {
      throw new ToolError('IMC102', { found: `${file}: ${bytes.length} bytes`, dims, count, layout: 'raw int8, CHW order' });
    }
    const image = Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    const bad = image.findIndex((v) => v < lo || v > hi);
    if (bad >= 0) {
      throw new ToolError('IMC103', { place: `${file}: byte ${bad}: `, value: image[bad], bits, lo, hi });
    }
    return image;
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  const { values, close } = scanJsonIntegers(text, file);
  const sources = new Map([[file, text]]);
  if (values.length !== count) {
    throw new DiagnosticError(
      [diagnostic('IMC102', close, { found: `the array has ${values.length} values`, dims, count, layout: 'CHW order' })],
      sources,
    );
  }
  const out: Diagnostic[] = [];
  for (const t of values) {
    if (t.value < lo || t.value > hi) {
      out.push(diagnostic('IMC103', t.span, { place: '', value: t.value, bits, lo, hi }));
    }
  }
  if (out.length > 0) throw new DiagnosticError(out, sources);
  return Int32Array.from(values, (t) => t.value);
}
