// mapDesign: every weight layer's collective kernel matrix, split over the target's tiles, its cores placed on the
// grid in pipeline order, the links between them, and the metrics. Bad input ends in DiagnosticError.
import { diagnostic, DiagnosticError, type Diagnostic, type SourceSpan } from '../diagnostics/index.js';
import type { IrDesign, IrNode, MappingDirective, Shape } from '../ir/types.js';
import { nodeIndex, receivedShape as receivedVolume } from '../ir/nodeIndex.js';
import { fuseNetwork, type FusedLayer } from './fusion.js';
import { directiveBlock } from './block.js';
import { collectiveKernelMatrix } from './kernel.js';
import { buildLinks } from './links.js';
import { aspectRatio, devices, utilization } from './metrics.js';
import { coreId, snakePosition } from './placement.js';
import { partRole, splitMatrix, type SplitPlan } from './split.js';
import { gathersColumnParts } from './replicatedPool.js';
import type { Core, LayerMapping, Mapping } from './types.js';

/** The directive a weight layer is mapped with (one replica, method 1, when the IR carries none). */
export function layerDirective(node: IrNode): Pick<MappingDirective, 'replicas' | 'dW' | 'span'> {
  return node.mapping ?? { replicas: 1, dW: 1, span: node.span };
}

/** The activations a weight layer's cores receive (see ir/nodeIndex.ts receivedShape). */
export function receivedShape(design: IrDesign, node: IrNode): Shape {
  return receivedVolume(design.network, node);
}

interface PlannedLayer {
  fused: FusedLayer;
  inputShape: Shape;
  mapping: Omit<LayerMapping, 'cores'>;
  plan: SplitPlan;
  span: SourceSpan;
}

function planLayer(design: IrDesign, fused: FusedLayer, diagnostics: Diagnostic[]): PlannedLayer | null {
  const node = fused.node;
  const { crossbar } = design.target;
  const inputShape = receivedShape(design, node);
  const directive = layerDirective(node);
  const out = node.shape;
  const blockHeight = directiveBlock(directive.replicas, directive.dW).rows;
  const block = `${directive.replicas} replicas with dW ${directive.dW}`;
  if (directive.dW > out.width || blockHeight > out.height) {
    diagnostics.push(
      diagnostic(
        'IMC052',
        directive.span,
        { node: node.name, block, blockHeight, dW: directive.dW, height: out.height, width: out.width },
      ),
    );
    return null;
  }
  // A ragged block (last column partly filled) tiles any plane on its lattice (./block.ts); a full one on a grid.
  // The rule "the last column holds a replica" is checked once, where the directive is read (IMC064); a directive
  // built in code that breaks it is a bug, not bad input.
  const ragged = directive.replicas % directive.dW !== 0;
  if (ragged && blockHeight * (directive.dW - 1) >= directive.replicas) {
    throw new Error(`layer '${node.name}': ${block} leave the block's last column empty (IMC064 rejects such a directive)`);
  }
  // Full blocks cut by the plane's bottom or right edge leave their last replicas idle (the memory schedule, the
  // dataflow model, the reference and the RTL skip them), also the bottom rows of a block taller and wider than one
  // pixel (the RTL's consumer walks each arriving column whole and writes its rows in the plane).
  const geometry =
    node.op.kind === 'conv'
      ? { kernelHeight: node.op.kernelHeight, kernelWidth: node.op.kernelWidth, stride: node.op.stride, outChannels: node.op.outChannels }
      : { kernelHeight: inputShape.height, kernelWidth: inputShape.width, stride: 1, outChannels: node.op.kind === 'fc' ? node.op.outFeatures : 0 };
  const matrix = collectiveKernelMatrix({
    inChannels: inputShape.channels,
    outChannels: geometry.outChannels,
    kernelHeight: geometry.kernelHeight,
    kernelWidth: geometry.kernelWidth,
    stride: geometry.stride,
    replicas: directive.replicas,
    dW: directive.dW,
  });
  const rows = matrix.rowSources.length;
  const cols = matrix.columnSinks.length;
  const plan = splitMatrix(rows, cols, crossbar.rows, crossbar.cols);
  const tiles = plan.parts.length;
  const gridCores = design.target.grid.rows * design.target.grid.cols;
  if (tiles > gridCores) {
    diagnostics.push(
      diagnostic(
        'IMC051',
        directive.span,
        { layer: node.name, matrixRows: rows, matrixCols: cols, tiles, rowParts: plan.rowParts, rowPartsPlural: plan.rowParts === 1 ? '' : 's', colParts: plan.colParts, colPartsPlural: plan.colParts === 1 ? '' : 's', tileRows: crossbar.rows, tileCols: crossbar.cols, gridRows: design.target.grid.rows, gridCols: design.target.grid.cols, gridCores },
      ),
    );
  }
  if (plan.rowParts > 1 && !design.target.neuronCore.ops.includes('psum')) {
    diagnostics.push(
      diagnostic(
        'IMC057',
        design.target.neuronCore.span,
        { layer: node.name, matrixRows: rows, matrixCols: cols, tileRows: crossbar.rows, rowParts: plan.rowParts, target: design.target.name },
      ),
    );
  }
  const mapping: Omit<LayerMapping, 'cores'> = {
    layer: node.name,
    kind: node.op.kind === 'conv' ? 'conv' : 'fc',
    inputShape,
    outputShape: out,
    source: fused.source,
    matrix,
    rowParts: plan.rowParts,
    colParts: plan.colParts,
    utilization: utilization(matrix, tiles, crossbar.rows, crossbar.cols),
    aspectRatio: aspectRatio(matrix),
    devices: devices(matrix, crossbar.devicesPerWeight),
    fused: fused.fused,
    output: fused.output,
  };
  if (fused.residualFrom !== undefined) {
    mapping.residualFrom = fused.residualFrom;
    mapping.residualLayer = fused.residualLayer;
  }
  return { fused, inputShape, mapping, plan, span: directive.span };
}

export function mapDesign(design: IrDesign): Mapping {
  const fusion = fuseNetwork(design.network);
  if (fusion.diagnostics.length > 0) throw new DiagnosticError(fusion.diagnostics);
  if (fusion.layers.length === 0) {
    // Every later phase works per core; a network with nothing to put on a crossbar has no cores at all.
    throw new DiagnosticError([
      diagnostic('IMC058', design.network.span, { network: design.network.name }),
    ]);
  }
  const diagnostics: Diagnostic[] = [];
  const planned: PlannedLayer[] = [];
  for (const fused of fusion.layers) {
    const p = planLayer(design, fused, diagnostics);
    if (p) planned.push(p);
  }
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics);
  const grid = { rows: design.target.grid.rows, cols: design.target.grid.cols };
  const total = planned.reduce((n, p) => n + p.plan.parts.length, 0);
  if (total > grid.rows * grid.cols) {
    const split = planned.filter((p) => p.plan.parts.length > 1).length;
    throw new DiagnosticError([
      diagnostic(
        'IMC050',
        design.target.grid.span,
        { total, weightLayers: planned.length, split, tileRows: design.target.crossbar.rows, tileCols: design.target.crossbar.cols, gridRows: grid.rows, gridCols: grid.cols, gridCores: grid.rows * grid.cols },
      ),
    ]);
  }
  const cores: Core[] = [];
  const layers: LayerMapping[] = [];
  for (const p of planned) {
    const ids: string[] = [];
    const gathered = gathersColumnParts(design, p.mapping);
    for (const part of p.plan.parts) {
      const index = cores.length;
      const id = coreId(index, total);
      const pos = snakePosition(index, grid);
      cores.push({ id, index, layer: p.mapping.layer, part, role: partRole(part, p.plan.rowParts, p.plan.colParts, gathered), row: pos.row, col: pos.col });
      ids.push(id);
    }
    layers.push({ ...p.mapping, cores: ids });
  }
  const nodes = nodeIndex(design.network);
  const outputBits = new Map(layers.map((l) => [l.layer, nodes.get(l.output)!.activationBits]));
  const residualBits = new Map<string, number>();
  for (const l of layers) if (l.residualFrom !== undefined) residualBits.set(l.layer, nodes.get(l.residualFrom)!.activationBits);
  const shortcutLayers = new Set(
    design.network.nodes.filter((n) => n.op.kind === 'conv' && n.op.shortcut).map((n) => n.name),
  );
  const links = buildLinks({
    layers,
    cores,
    outputBits,
    residualBits,
    partialSumBits: design.target.crossbar.adcBits,
    shortcutLayers,
  });
  return { grid, layers, cores, links };
}
