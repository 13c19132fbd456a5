// How much per-pixel work a design asks of the later phases, counted from the IR alone (before any of that work),
// so a design too large for the stated memory bounds is refused with its size instead of exhausting the heap.
import type { SourceSpan } from '../diagnostics/index.js';
import { receivedShape } from './nodeIndex.js';
import type { IrNetwork } from './types.js';

export interface DesignWork {
  /**
   * Input pixels each crossbar operation needs, summed over the weight layers (one entry per output pixel per kernel
   * position): what the dataflow simulator keeps per core.
   */
  neededInputs: number;
  /** Memory operations of the Algorithm 2 schedules: a write per input pixel, a read per kernel position and a compute per output pixel. */
  scheduleOps: number;
  /** The weight layer with the most work, where a diagnostic points. */
  largest: { name: string; span: SourceSpan };
}

export function designWork(network: IrNetwork): DesignWork | undefined {
  let neededInputs = 0;
  let scheduleOps = 0;
  let largest: { name: string; span: SourceSpan; work: number } | undefined;
  for (const node of network.nodes) {
    if (node.op.kind !== 'conv' && node.op.kind !== 'fc') continue;
    const input = receivedShape(network, node);
    const inputPixels = input.height * input.width;
    const outputPixels = node.op.kind === 'conv' ? node.shape.height * node.shape.width : 1;
    const kernel = node.op.kind === 'conv' ? node.op.kernelHeight * node.op.kernelWidth : inputPixels;
    const work = outputPixels * kernel;
    neededInputs += work;
    scheduleOps += inputPixels + outputPixels * (kernel + 1);
    if (largest === undefined || work > largest.work) largest = { name: node.name, span: node.span, work };
  }
  return largest === undefined ? undefined : { neededInputs, scheduleOps, largest: { name: largest.name, span: largest.span } };
}
