// The parts of Chevrotain the language uses, loaded from the package's single-file bundle (lib/chevrotain.mjs, same
// version and API). The package's entry imports several hundred lodash-es modules one file at a time, which cost
// ~0.4 s of CPU at every start of the CLI; the bundle costs a tenth of that. The package exports only its entry, so
// the bundle is found next to it (lib/src/api.js -> lib/chevrotain.mjs), wherever npm installed it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

type Chevrotain = typeof import('chevrotain');

const entry = createRequire(import.meta.url).resolve('chevrotain');
const bundle = (await import(pathToFileURL(join(dirname(entry), '..', 'chevrotain.mjs')).href)) as Chevrotain;

export const { createToken, Lexer, CstParser, EOF } = bundle;
export type { CstElement, CstNode, IRecognitionException, IToken, TokenType } from 'chevrotain';
