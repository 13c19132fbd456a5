// imcc infer FILE [--seed S] [--input FILE] [--json] [--dump DIR]: one image through the bit-exact reference model
// of the mapped design (src/reference); --dump writes every weight layer's activations for the RTL comparison.
import { type Command, InvalidArgumentError } from 'commander';
import { loadDesignForCli, withSources } from '../design.js';
import { printJson, printText } from '../io.js';
import { mapDesign } from '../../mapping/index.js';
import { referenceInference } from '../../reference/index.js';
import { readInputImage } from '../inputImage.js';
import { generateInputImage } from '../../ir/weights.js';
import { validateJson, jsonText } from '../../support/schema.js';
import { activationDump } from '../../emit/activations.js';
import { outputMarker, writeOutputDirectory } from '../../emit/output.js';
import type { SetStatus } from './index.js';

function seedNumber(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) > 0xffffffff) {
    throw new InvalidArgumentError('expected a whole number from 0 to 4294967295');
  }
  return Number(value);
}

export function registerInfer(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('infer')
    .description('run one image through the bit-exact integer reference model of the mapped design (README "Arithmetic")')
    .argument('<file>', 'the .imc design')
    .option('--seed <S>', 'seed of the deterministic input image (src/ir/weights.ts generateInputImage)', seedNumber, 0)
    .option(
      '--input <image>',
      'input image instead of the seed: *.npy = N x C x H x W integers or floats (quantized with the input scale), *.json = flat JSON array of integers (CHW), otherwise raw int8 bytes (CHW)',
    )
    .option('--index <K>', 'which image of a .npy input (0-based)', seedNumber, 0)
    .option('--json', 'print {output, argmax} as JSON (schemas/infer.schema.json)')
    .option('--dump <dir>', 'write every weight layer\'s activations (activations/<layer>.txt, one pixel per line) and infer.json to DIR')
    .action((file: string, opts: { seed: number; input?: string; index: number; json?: boolean; dump?: string }) => {
      const { design, sources } = loadDesignForCli(file);
      const inputNode = design.network.nodes.find((n) => n.op.kind === 'input');
      if (!inputNode) throw new Error('checked design has no input node');
      const image =
        opts.input !== undefined
          ? withSources(sources, () => readInputImage(design, opts.input!, opts.index))
          : generateInputImage(opts.seed, inputNode.shape, inputNode.activationBits);
      const result = withSources(sources, () => referenceInference(design, mapDesign(design), image));
      const summary = { output: Array.from(result.output), argmax: result.argmax };
      if (opts.dump !== undefined) {
        const bits = new Map(design.network.nodes.map((n) => [n.name, n.activationBits]));
        const dump = activationDump(result, inputNode.shape, inputNode.activationBits, (n) => bits.get(n) ?? inputNode.activationBits);
        const record = {
          ...summary,
          input: opts.input !== undefined ? { kind: 'file' as const, file: opts.input, ...(opts.index > 0 ? { index: opts.index } : {}) } : { kind: 'seed' as const, seed: opts.seed },
          layers: dump.layers,
        };
        writeOutputDirectory(opts.dump, [
          outputMarker({ sources: design.sources, entry: file, version: program.version() ?? '0.1.0' }),
          { path: 'infer.json', content: jsonText('infer', record) },
          ...dump.files,
        ]);
      }
      if (opts.json) {
        validateJson('infer', summary);
        printJson(summary);
        return;
      }
      printText(`output: ${summary.output.join(' ')}\nargmax: ${summary.argmax}`);
    });
}
