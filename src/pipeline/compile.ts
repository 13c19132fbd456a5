// `imcc compile`: every output file of a design, built in memory (the CLI writes them atomically).
// The phases run once, in a Program (src/pipeline/program.ts) whose results every emitter shares; see docs/pipeline.md.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { sourceLayout } from '../emit/sourceLayout.js';
import { DiagnosticError, formatDiagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/index.js';
import type { IrDesign } from '../ir/types.js';
import { weightsFilePath } from '../ir/weightsFile.js';
import type { Mapping } from '../mapping/types.js';
import { gridPicture, mappingJson, mappingTable, mappingTotals } from '../mapping/index.js';
import { jsonText } from '../support/schema.js';
import type { MemoryPlan } from '../memory/index.js';
import { formatDataflowReport, type DataflowResult } from '../dataflow/index.js';
import { createProgram, type Program, type ProgramOptions } from './program.js';
import { alignTable } from '../dataflow/report.js';
import { simulatorConfigs, simulatorWarnings } from '../emit/configs/index.js';
import { emitRtl } from '../emit/rtl/index.js';
import { scheduleFiles } from '../memory/scheduleFile.js';
import { renderDesignModule, type DesignModuleInput } from '../emit/designModule.js';
import { renderTemplate } from '../support/templates.js';
import { outputMarker, type OutputFile } from '../emit/output.js';
import { formatRange } from '../emit/memoryTable.js';
import { groupDecimal, groupDigits } from '../support/format.js';
import { compileSizeDiagnostic, scheduleTextWarning } from '../emit/limits.js';
import { renderHtmlReport } from '../emit/report/html.js';

export { REPORT_BATCH } from './program.js';

export interface CompileInput {
  design: IrDesign;
  /** Source texts by the path recorded in design.sources (copied into source/ so the output can be re-verified). */
  sources: ReadonlyMap<string, string>;
  version: string;
  /** Write NeuroSim's input traces (all input vectors of every layer: tens of MB for ResNet-32). Default off. */
  neurosimTraces?: boolean;
  /** Most schedule operations written as schedules/ (default MAX_WRITTEN_SCHEDULE_OPS); above it they are skipped with IMC192. */
  maxScheduleOps?: number;
  /** Told when each phase of the compile's Program runs (tests check each runs once). */
  onPhase?: ProgramOptions['onPhase'];
  /** Warnings found before compiling (the language's), carried into report.txt and the result's warnings. */
  warnings?: readonly Diagnostic[];
}

export interface CompileResult {
  files: OutputFile[];
  /** Warnings of every phase (link bandwidth, RTL features not generated), for the CLI to print. */
  warnings: Diagnostic[];
  mapping: Mapping;
  memory: MemoryPlan;
  /** The report's dataflow (a batch of REPORT_BATCH images). */
  dataflow: DataflowResult;
  program: Program;
}

export function sourceFiles(
  design: IrDesign,
  sources: ReadonlyMap<string, string>,
): { files: OutputFile[]; entry: string; outputPath: (file: string) => string } {
  // A weights file is part of the source: copied beside the .imc files so the output re-verifies on its own.
  const weights = design.network.weights.kind === 'file' ? weightsFilePath(design.network.weights) : undefined;
  const all = weights !== undefined ? [...design.sources, weights] : design.sources;
  const layout = sourceLayout(all);
  const outputPaths = new Map(all.map((p, i) => [p, layout[i]]));
  const files: OutputFile[] = design.sources.map((p, i) => {
    const text = sources.get(p);
    if (text === undefined) throw new Error(`source text of ${p} is missing`);
    return { path: layout[i], content: text };
  });
  if (weights !== undefined) files.push({ path: layout[layout.length - 1], content: new Uint8Array(readFileSync(weights)) });
  return { files, entry: layout[0], outputPath: (file) => outputPaths.get(file) ?? posix.basename(file) };
}

function memoryReport(plan: MemoryPlan): string {
  const rows = plan.cores.map((c) => [
    c.core,
    c.layer,
    c.layout + (c.layoutChoice === 'auto' ? ' (auto)' : ''),
    `${c.height}x${c.columns}x${c.channels}`,
    groupDigits(c.pixelBits),
    groupDigits(c.figures.words),
    groupDecimal(c.figures.memoryKB, 3),
    c.figures.emptyPercent.toFixed(1),
    formatRange(c.figures.readCycles),
    formatRange(c.figures.writeCycles),
    groupDigits(c.readCyclesPerTimestep),
    groupDigits(c.minOccupancy),
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
  const tooLarge = compileSizeDiagnostic(design);
  if (tooLarge) throw new DiagnosticError([tooLarge]);
  // Schedules too large for the disk are skipped (with a warning) rather than refusing the rest of the output.
  const schedulesSkipped = scheduleTextWarning(design, input.maxScheduleOps);
  const program = createProgram(design, { onPhase: input.onPhase });
  const { mapping, memory, reportDataflow: dataflow } = program;
  const { files: sources, entry, outputPath } = sourceFiles(design, input.sources);

  const totals = mappingTotals(mapping, design.target.crossbar);
  // What NeuroSim cannot express is a warning only when NeuroSim is asked for; run.txt always lists it.
  const neurosimWarnings = input.neurosimTraces ? simulatorWarnings(design, mapping) : [];
  const rtl = emitRtl(program, { version }).map((f) => ({ path: f.path, content: f.content }));
  const configs = simulatorConfigs(program, { neurosimTraces: input.neurosimTraces ?? false }).map((f) => ({ path: f.path, content: f.content }));

  const warnings = [...(input.warnings ?? []), ...dataflow.diagnostics, ...(schedulesSkipped ? [schedulesSkipped] : [])];
  const reportHtml = renderHtmlReport({ version, entry, program, warnings, displayPath: outputPath });

  const files: OutputFile[] = [
    outputMarker({ version, entry, sources: sources.map((s) => s.path) }),
    ...sources,
    { path: 'mapping.json', content: jsonText('mapping', mappingJson(mapping, design)) },
    ...(schedulesSkipped ? [] : scheduleFiles(memory)),
    ...configs,
    ...rtl,
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
        dataflowReport: formatDataflowReport(dataflow, design.network.name).trimEnd(),
        warnings: sortDiagnostics([...warnings, ...neurosimWarnings]).map((w) => formatDiagnostic(w, new Map())),
      }),
    },
    { path: 'report.html', content: reportHtml },
  ];
  return { files, warnings: [...warnings, ...neurosimWarnings], mapping, memory, dataflow, program };
}
