// How fast the network input enters the first core(s): one rate shared by the memory schedules, the dataflow model
// and the RTL's input port, so that the three give the same timestep to the same operation.
import { nodeIndex } from '../ir/nodeIndex.js';
import type { IrDesign } from '../ir/types.js';
import type { Mapping } from './types.js';

/**
 * Input pixels per timestep: what the first layer's crossbar consumes at full speed (replicas x stride^2, the paper's
 * speed-up, section 3.1.4), lowered to the largest divisor of the input's height, because the pixels of one timestep
 * come from one column (the RTL's input port takes them as a block of that many rows, y fastest).
 */
export function inputPixelsPerTimestep(design: IrDesign, mapping: Mapping, inputName: string): number {
  let consumed = 1;
  let height = 1;
  for (const node of design.network.nodes) if (node.name === inputName) height = node.shape.height;
  for (const lm of mapping.layers) {
    if (lm.source !== inputName) continue;
    const node = nodeIndex(design.network).get(lm.layer);
    const stride = node?.op.kind === 'conv' ? node.op.stride : 1;
    consumed = Math.max(consumed, lm.matrix.replicas.length * stride * stride);
  }
  let rate = Math.min(consumed, height);
  while (height % rate !== 0) rate--;
  return rate;
}
