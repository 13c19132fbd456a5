// The committed compiled examples under generated/: `npm run generate` writes them with the CLI, test/e2e/generated.test.ts
// compiles them in-process and compares byte for byte.
import { DiagnosticError, formatDiagnostic } from '../../src/diagnostics/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import type { OutputFile } from '../../src/emit/output.js';
import { IMCC_VERSION } from '../../src/cli/version.js';

export interface GeneratedExample {
  name: string;
  source: string;
}

export const GENERATED_EXAMPLES: GeneratedExample[] = [
  { name: 'lenet', source: 'examples/lenet.imc' },
  { name: 'resnet32', source: 'examples/resnet32.imc' },
  { name: 'digits', source: 'examples/digits.imc' },
];

export function compileExample(example: GeneratedExample): OutputFile[] {
  const loaded = loadDesign(example.source);
  if (!loaded.design) {
    throw new Error(loaded.diagnostics.map((d) => formatDiagnostic(d, loaded.sources)).join('\n'));
  }
  try {
    const warnings = loaded.diagnostics.filter((d) => d.severity === 'warning');
    return compileDesign({ design: loaded.design, sources: loaded.sources, version: IMCC_VERSION, warnings }).files;
  } catch (err) {
    if (err instanceof DiagnosticError) {
      throw new Error(err.diagnostics.map((d) => formatDiagnostic(d, loaded.sources)).join('\n'));
    }
    throw err;
  }
}
