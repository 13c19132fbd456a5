// The one registry of diagnostic codes. Every code has a one-line description here and a test that
// triggers it (test/diagnostics/codes.test.ts checks both). Ranges by phase, so phases never collide:
//   IMC001-IMC049 language (lexing, parsing, names, shapes, units, imports)   src/dsl, src/ir
//   IMC050-IMC069 mapping (tiles, grid)                                        src/mapping
//   IMC070-IMC089 input memories and schedules                                 src/memory
//   IMC090-IMC099 dataflow (links)                                             src/dataflow
//   IMC100-IMC119 output and files (compile, weights files, verify inputs)     src/emit, src/verify, src/cli
export const DIAGNOSTIC_CODES = {
  IMC001: 'unexpected character in the source',
  IMC002: 'syntax error: unexpected or missing token',
} as const satisfies Record<string, string>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
