// imcc replicate: the replication calculator (section 2.2): size and aspect ratio of n kernel replicas.
import type { Command } from 'commander';
import { UsageError } from '../usage.js';
import { printJson, printText } from '../io.js';
import { wholeNumber } from '../options.js';
import type { ReplicationParams } from '../../mapping/index.js';
import type { SetStatus } from './index.js';
import { DIRECTIVE_LIMITS, NETWORK_LIMITS } from '../../ir/limits.js';

/** A whole number up to one of the language's own limits (src/ir/limits.ts), so the calculator accepts what a design can say. */
const boundedInt = (max: number): ((value: string) => number) => wholeNumber(1, max);

/** Largest collective kernel matrix the calculator builds (its placement data is materialized). */
const MAX_CALCULATED_ROWS = 1_048_576;

/** Upper bound of the rows: every input pixel of the region the replicas' block reads, all channels. */
async function rowsUpperBound(o: ReplicateOptions): Promise<number> {
  const { blockRegion, directiveBlock } = await import('../../mapping/block.js');
  const region = blockRegion(directiveBlock(o.replicas, o.dw), { kernelHeight: o.kernel, kernelWidth: o.kernel, stride: o.stride });
  return o.cin * region.height * region.width;
}

interface ReplicateOptions {
  cin: number;
  cout: number;
  kernel: number;
  replicas: number;
  dw: number;
  stride: number;
  json?: boolean;
}

export function registerReplicate(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('replicate')
    .description('size of a collective kernel matrix of n replicas (method 1 for dW 1, method 2 otherwise)')
    .requiredOption('--cin <n>', 'input channels (at most 65,536)', boundedInt(NETWORK_LIMITS.channels.max))
    .requiredOption('--cout <n>', 'output channels (at most 65,536)', boundedInt(NETWORK_LIMITS.channels.max))
    .requiredOption('--kernel <f>', 'kernel size F (F x F, at most 64)', boundedInt(NETWORK_LIMITS.kernel.max))
    .requiredOption('--replicas <n>', 'kernel replicas (output pixels per timestep, at most 4,096)', boundedInt(DIRECTIVE_LIMITS.replicas.max))
    .option('--dw <w>', 'width of the block of output pixels (1: method 1)', boundedInt(DIRECTIVE_LIMITS.replicas.max), 1)
    .option('--stride <s>', 'stride of the convolution (at most 64)', boundedInt(NETWORK_LIMITS.stride.max), 1)
    .option('--json', 'print {rows, cols, aspectRatio, method, ...} as JSON (schemas/replicate.schema.json)')
    .action(async (opts: ReplicateOptions) => {
      if (opts.dw > opts.replicas) {
        throw new UsageError('IMC095', { what: "option '--dw <w>'", value: opts.dw, expected: `at most --replicas (${opts.replicas}): the block is dW pixels wide` });
      }
      const rowsBound = await rowsUpperBound(opts);
      if (rowsBound > MAX_CALCULATED_ROWS) {
        throw new UsageError('IMC095', {
          what: "option '--replicas <n>'",
          value: opts.replicas,
          expected: `fewer: these replicas read up to ${rowsBound.toLocaleString('en-US')} crossbar rows; the calculator builds at most ${MAX_CALCULATED_ROWS.toLocaleString('en-US')}`,
        });
      }
      const params: ReplicationParams = {
        inChannels: opts.cin,
        outChannels: opts.cout,
        kernelHeight: opts.kernel,
        kernelWidth: opts.kernel,
        stride: opts.stride,
        replicas: opts.replicas,
        dW: opts.dw,
      };
      const { replicationJson, validateReplicationJson } = await import('../../mapping/json.js');
      const { replicationDrawing } = await import('../../mapping/render.js');
      const json = replicationJson(params);
      validateReplicationJson(json);
      if (opts.json) {
        printJson(json);
        return;
      }
      const lines = [
        `collective kernel matrix: ${json.rows} rows x ${json.cols} cols (method ${json.method}, dW ${json.dW}, stride ${json.stride})`,
        `kernel matrix: ${json.kernelRows} x ${json.kernelCols}; ${json.replicas} replica${json.replicas === 1 ? '' : 's'}`,
        `aspect ratio: ${json.aspectRatio}` + (json.equation2AspectRatio !== undefined ? ` (equation 2: ${json.equation2AspectRatio})` : ''),
        ...(json.ragged
          ? [
              `ragged block: ${json.replicas} replicas do not fill ${Math.ceil(json.replicas / json.dW)}x${json.dW}; ` +
                (Math.ceil(json.replicas / json.dW) * (json.dW - 1) >= json.replicas
                  ? `they leave its last column empty, which a mapping refuses (IMC064)`
                  : 'its blocks tile an output plane on a skewed lattice (docs/optimize.md "Ragged blocks")'),
            ]
          : []),
        '',
        replicationDrawing(params),
      ];
      printText(lines.join('\n'));
    });
}
