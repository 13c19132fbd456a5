// LeNet compiled in memory, and a copy of it whose target links are too slow (so the grid chart has links over the
// bandwidth to draw in the warning colour).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesignForCli } from '../../../src/cli/design.js';
import { compileDesign, type CompileResult } from '../../../src/pipeline/compile.js';
import type { IrDesign } from '../../../src/ir/types.js';

export function compileLenet(linkBandwidth?: string): CompileResult & { html: string; design: IrDesign } {
  let file = 'examples/lenet.imc';
  if (linkBandwidth !== undefined) {
    const text = readFileSync(file, 'utf8').replace(/link 2Gbps/, `link ${linkBandwidth}`);
    file = join(mkdtempSync(join(tmpdir(), 'imcc-report-')), 'lenet.imc');
    writeFileSync(file, text);
  }
  const { design, sources } = loadDesignForCli(file);
  const result = compileDesign({ design, sources, version: '0.1.0' });
  const html = result.files.find((f) => f.path === 'report.html')?.content;
  if (typeof html !== 'string') throw new Error('compile wrote no report.html');
  return { ...result, html, design };
}
