// Integrate-and-fire neuron cores (`model if`) have a reference model and a dataflow model but no RTL and no
// CrossSim/NeuroSim encoding yet: the emitters refuse them with IMC159 at the neuron core's `model if`.
import { diagnostic, DiagnosticError } from '../dsl/diagnostics.js';
import type { IrDesign } from '../ir/types.js';

/** Throws IMC159 when `design`'s neuron core is integrate-and-fire; `what` names the refusing output. */
export function refuseSpiking(design: IrDesign, what: string): void {
  const spiking = design.target.neuronCore.spiking;
  if (!spiking) return;
  throw new DiagnosticError([
    diagnostic('IMC159', spiking.span, `${what}: integrate-and-fire neurons (model if, ${spiking.steps} steps, target ${design.target.name}) are not implemented`),
  ]);
}
