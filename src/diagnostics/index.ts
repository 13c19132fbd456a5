// Diagnostics shared by every phase: the catalogue of codes, positioned diagnostics and their formatting, the
// per-run collector, and ToolError for problems with files rather than source positions.
export * from './catalogue.js';
export * from './diagnostics.js';
export * from './collector.js';
