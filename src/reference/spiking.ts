// Rate-coded integrate-and-fire inference (`model if` neuron cores): the image is presented for T timesteps, every
// relu is an integrate-and-fire neuron keeping its membrane potential across them, and the output node's values are
// summed over the T timesteps (docs/arithmetic.md "Integrate-and-fire neurons").
import type { IfNeuronModel, IrDesign } from '../ir/types.js';
import { integrateAndFire } from './arithmetic.js';
import type { Tensor } from './ops.js';
import type { NodeValues } from './evaluate.js';

/** The membrane potentials of every integrate-and-fire node of one image, by node name. */
export class IfNeurons {
  private readonly potentials = new Map<string, Float64Array>();

  constructor(readonly model: IfNeuronModel) {}

  /** One timestep of node `name` on its input: integrates, leaks, fires; returns the spikes (0/1). */
  fire(name: string, input: Tensor): Tensor {
    let v = this.potentials.get(name);
    if (!v) {
      v = new Float64Array(input.data.length);
      this.potentials.set(name, v);
    }
    const spikes = new Float64Array(input.data.length);
    for (let i = 0; i < spikes.length; i++) {
      const { potential, spike } = integrateAndFire(v[i], input.data[i], this.model);
      v[i] = potential;
      spikes[i] = spike;
    }
    return { shape: input.shape, data: spikes };
  }

  /** The membrane potential of node `name` after the timesteps run so far. */
  potential(name: string): Float64Array | undefined {
    return this.potentials.get(name);
  }
}

/**
 * Runs `step` (one pass of the whole network with the given neurons) for each of the model's T timesteps. Returns
 * the last timestep's node values, except the output node, which holds its sum over the T timesteps: the spike
 * count of an integrate-and-fire output, otherwise the potential a non-firing integrator would reach.
 */
export function runTimesteps(design: IrDesign, model: IfNeuronModel, step: (neurons: IfNeurons) => NodeValues): NodeValues {
  const neurons = new IfNeurons(model);
  const output = design.network.output;
  let values: NodeValues = new Map();
  let sum: Float64Array | undefined;
  let shape: Tensor['shape'] | undefined;
  for (let t = 0; t < model.steps; t++) {
    values = step(neurons);
    const out = values.get(output);
    if (!out) throw new Error(`reference: the output ${output} was not computed`);
    sum ??= new Float64Array(out.data.length);
    shape = out.shape;
    for (let i = 0; i < sum.length; i++) sum[i] += out.data[i];
  }
  values.set(output, { shape: shape!, data: sum! });
  return values;
}
