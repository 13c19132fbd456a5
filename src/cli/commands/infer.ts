// imcc infer FILE [--seed S] [--input FILE] [--json] [--dump DIR]: one image through the bit-exact reference model
// of the mapped design (src/reference); --dump writes every weight layer's activations for the RTL comparison.
import { basename } from 'node:path';
import type { Command } from 'commander';
import { pathArgument } from '../paths.js';
import { printJson, printText } from '../io.js';
import { seedOption, wholeNumber } from '../options.js';
import type { SetStatus } from './index.js';

export function registerInfer(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('infer')
    .description('run one image through the bit-exact integer reference model of the mapped design (docs/arithmetic.md)')
    .argument('<file>', 'the .imc design')
    .option(seedOption.flags, 'seed of the deterministic input image', seedOption.parse, seedOption.default)
    .option(
      '--input <image>',
      'input image instead of the seed: *.npy = N x C x H x W integers or floats (quantized with the input scale), *.json = flat JSON array of integers (CHW), otherwise raw int8 bytes (CHW)',
      pathArgument,
    )
    .option('--index <K>', 'which image of a .npy input (0-based)', wholeNumber(0), 0)
    .option('--json', 'print {output, argmax} as JSON (schemas/infer.schema.json)')
    .option('--dump <dir>', 'write every weight layer\'s activations (activations/<layer>.txt, one pixel per line) and infer.json to DIR', pathArgument)
    .action(async (file: string, opts: { seed: number; input?: string; index: number; json?: boolean; dump?: string }) => {
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { mapDesign } = await import('../../mapping/index.js');
      const { referenceInference } = await import('../../reference/index.js');
      const { readInputImage } = await import('../inputImage.js');
      const { generateInputImage } = await import('../../ir/weights.js');
      const { validateJson, jsonText } = await import('../../support/schema.js');
      const { activationDump } = await import('../../emit/activations.js');
      const { checkOutputDirectory, outputMarker, writeOutputDirectory } = await import('../../emit/output.js');
      if (opts.dump !== undefined) checkOutputDirectory(opts.dump);
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
          input: opts.input !== undefined ? { kind: 'file' as const, file: basename(opts.input), ...(opts.index > 0 ? { index: opts.index } : {}) } : { kind: 'seed' as const, seed: opts.seed },
          layers: dump.layers,
        };
        writeOutputDirectory(opts.dump, [
          // The sources are not copied into a dump: named by base name, so no machine path reaches it.
          outputMarker({ sources: design.sources.map((p) => basename(p)), entry: basename(file), version: program.version() ?? '0.1.0' }),
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
