// Which values are binary: a threshold's unsigned 0/1 outputs, and pools and flattens of them. Every phase that
// reads activations as numbers (the RTL's crossbar rows, the simulator exports) must read these unsigned.
import type { IrNode } from './types.js';

/**
 * True when NODE's activations are unsigned 0/1. Weight layers and residual adds refuse 1 bit (IMC132, IMC131),
 * so every 1-bit value but a 1-bit network input (signed: -1 or 0) descends from a threshold.
 */
export function isBinaryValue(node: IrNode): boolean {
  return node.activationBits === 1 && node.op.kind !== 'input';
}
