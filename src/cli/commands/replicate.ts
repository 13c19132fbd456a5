// imcc replicate: the replication calculator (section 2.2): size and aspect ratio of n kernel replicas.
import { InvalidArgumentError, type Command } from 'commander';
import { printJson, printText } from '../io.js';
import { replicationJson, validateReplicationJson } from '../../mapping/json.js';
import { replicationDrawing } from '../../mapping/render.js';
import type { ReplicationParams } from '../../mapping/index.js';
import type { SetStatus } from './index.js';

function positiveInt(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return Number(value);
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
    .requiredOption('--cin <n>', 'input channels', positiveInt)
    .requiredOption('--cout <n>', 'output channels', positiveInt)
    .requiredOption('--kernel <f>', 'kernel size F (F x F)', positiveInt)
    .requiredOption('--replicas <n>', 'kernel replicas (output pixels per timestep)', positiveInt)
    .option('--dw <w>', 'width of the block of output pixels (1: method 1)', positiveInt, 1)
    .option('--stride <s>', 'stride of the convolution', positiveInt, 1)
    .option('--json', 'print {rows, cols, aspectRatio, method, ...} as JSON (schemas/replicate.schema.json)')
    .action(function (this: Command, opts: ReplicateOptions) {
      if (opts.replicas % opts.dw !== 0) {
        this.error(`error: --replicas (${opts.replicas}) must be a multiple of --dw (${opts.dw}) so the replicas form a rectangular block`, {
          exitCode: 2,
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
        '',
        replicationDrawing(params),
      ];
      printText(lines.join('\n'));
    });
}
