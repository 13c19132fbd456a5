// `imcc compile`: every output file of a design, built in memory (the CLI writes them atomically).
// Order of work follows the phases: mapping -> memory -> dataflow -> (reference inside configs and rtl) -> emit.
import { posix } from 'node:path';
import type { IrDesign } from '../ir/types.js';
import type { Mapping } from '../mapping/types.js';
import { gridPicture, mapDesign, mappingJson, mappingTable, mappingTotals, validateMappingJson } from '../mapping/index.js';
import { planMemories, type MemoryPlan } from '../memory/index.js';
import { simulateDataflow, formatDataflowReport, type DataflowResult } from '../dataflow/index.js';
import { alignTable } from '../dataflow/report.js';
import { simulatorConfigs } from './configs/index.js';
import { emitRtl } from './rtl/index.js';
import { scheduleFiles } from './schedules.js';
import { renderDesignModule, type DesignModuleInput } from './designModule.js';
import { renderTemplate } from './render.js';
import { outputMarker, type OutputFile } from './output.js';
import { formatRange } from './memoryTable.js';

export interface CompileInput {
  design: IrDesign;
  /** Source texts by the path recorded in design.sources (copied into source/ so the output can be re-verified). */
  sources: ReadonlyMap<string, string>;
  version: string;
}

export interface CompileResult {
  files: OutputFile[];
  mapping: Mapping;
  memory: MemoryPlan;
  dataflow: DataflowResult;
}

/** Common directory of the source files, so source/ keeps their relative layout (imports resolve the same way). */
function sourceRoot(paths: readonly string[]): string {
  const dirs = paths.map((p) => posix.dirname(p.split('\\').join('/')).split('/'));
  let common = dirs[0] ?? ['.'];
  for (const d of dirs.slice(1)) {
    let i = 0;
    while (i < common.length && i < d.length && common[i] === d[i]) i++;
    common = common.slice(0, i);
  }
  return common.length === 0 ? '.' : common.join('/');
}

export function sourceFiles(design: IrDesign, sources: ReadonlyMap<string, string>): { files: OutputFile[]; entry: string } {
  const root = sourceRoot(design.sources);
  const rel = (p: string) => posix.join('source', posix.relative(root, p.split('\\').join('/')));
  const files = design.sources.map((p) => {
    const text = sources.get(p);
    if (text === undefined) throw new Error(`source text of ${p} is missing`);
    return { path: rel(p), content: text };
  });
  return { files, entry: rel(design.sources[0]) };
}

function memoryReport(plan: MemoryPlan): string {
  const rows = plan.cores.map((c) => [
    c.core,
    c.layer,
    c.layout + (c.layoutChoice === 'auto' ? ' (auto)' : ''),
    `${c.height}x${c.columns}x${c.channels}`,
    String(c.pixelBits),
    String(c.figures.words),
    c.figures.memoryKB.toFixed(3),
    c.figures.emptyPercent.toFixed(1),
    formatRange(c.figures.readCycles),
    formatRange(c.figures.writeCycles),
    String(c.readCyclesPerTimestep),
    String(c.minOccupancy),
  ]);
  return alignTable(
    ['core', 'layer', 'layout', 'stored HxFxN', 'pixel bits', 'words', 'KB', '% empty', 'read', 'write', 'reads/timestep', 'min pixels'],
    rows,
  ).join('\n');
}

function designModuleInput(design: IrDesign, mapping: Mapping, plan: MemoryPlan, entry: string): DesignModuleInput {
  return {
    network: design.network.name,
    target: design.target.name,
    source: entry,
    grid: mapping.grid,
    timestepNs: design.target.controller.timestepNs,
    cores: mapping.cores.map((c) => ({
      id: c.id,
      layer: c.layer,
      role: c.role,
      row: c.row,
      col: c.col,
      rowPart: c.part.rowPart,
      colPart: c.part.colPart,
      crossbarRows: [c.part.rowStart, c.part.rowEnd],
      crossbarCols: [c.part.colStart, c.part.colEnd],
    })),
    layers: mapping.layers.map((l) => ({
      name: l.layer,
      kind: l.kind,
      kernelRows: l.matrix.kernelRows,
      kernelCols: l.matrix.kernelCols,
      replicas: l.matrix.replicas.length,
      method: l.matrix.method,
      dW: l.matrix.dW,
      rows: l.matrix.rowSources.length,
      cols: l.matrix.columnSinks.length,
      tiles: l.cores.length,
      utilization: l.utilization,
      cores: [...l.cores],
    })),
    memories: plan.cores.map((c) => ({
      core: c.core,
      layout: c.layout,
      wordBits: c.wordBits,
      depth: c.depth,
      pixelBits: c.pixelBits,
      storedPixels: c.height * c.columns,
      words: c.figures.words,
      deltaKernelBits: c.deltaKernelBits,
      deltaPixBits: [...c.deltaPixBits],
      minimumOccupancyPixels: c.minOccupancy,
    })),
  };
}

/** Builds every output file. Throws DiagnosticError for designs a phase rejects; nothing is written here. */
export function compileDesign(input: CompileInput): CompileResult {
  const { design, version } = input;
  const mapping = mapDesign(design);
  const memory = planMemories(design, mapping);
  const dataflow = simulateDataflow(design, mapping, { batch: 1 });
  const { files: sources, entry } = sourceFiles(design, input.sources);

  const mappingValue = mappingJson(mapping, design);
  validateMappingJson(mappingValue);
  const totals = mappingTotals(mapping, design.target.crossbar);

  const files: OutputFile[] = [
    outputMarker({ version, entry, sources: sources.map((s) => s.path) }),
    ...sources,
    { path: 'mapping.json', content: JSON.stringify(mappingValue, null, 2) + '\n' },
    ...scheduleFiles(design, mapping, memory).map((s) => ({ path: s.path, content: s.text })),
    ...simulatorConfigs(design, mapping).map((f) => ({ path: f.path, content: f.content })),
    ...emitRtl(design, mapping, memory, { version }).map((f) => ({ path: f.path, content: f.content })),
    { path: 'design.ts', content: renderDesignModule(designModuleInput(design, mapping, memory, entry)) },
    {
      path: 'report.txt',
      content: renderTemplate('report/report.txt.hbs', {
        version,
        entry,
        network: design.network.name,
        target: design.target.name,
        cores: String(mapping.cores.length),
        grid: `${mapping.grid.rows}x${mapping.grid.cols}`,
        tiles: String(totals.tiles),
        mappingTable: mappingTable(mapping, design).trimEnd(),
        gridPicture: gridPicture(mapping).trimEnd(),
        memoryTable: memoryReport(memory),
        dataflowReport: formatDataflowReport(dataflow, `Dataflow of ${design.network.name} (one image)`).trimEnd(),
      }),
    },
  ];
  return { files, mapping, memory, dataflow };
}
