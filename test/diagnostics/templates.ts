// Reading the catalogue back: whether a message is its code's template filled in, and the reference page
// docs/diagnostics.md rendered from the catalogue (reference.test.ts keeps the page equal to it).
import { CATALOGUE, type AnyDiagnosticCode, type CatalogueEntry } from '../../src/diagnostics/index.js';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression matching exactly the messages the template can produce (a repeated name repeats its value). */
export function templatePattern(template: string): RegExp {
  const seen: string[] = [];
  let source = '';
  let last = 0;
  for (const m of template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    source += escapeRegExp(template.slice(last, m.index));
    const k = seen.indexOf(m[1]);
    if (k >= 0) source += `\\k<${m[1]}>`;
    else {
      seen.push(m[1]);
      source += `(?<${m[1]}>[\\s\\S]*)`;
    }
    last = m.index + m[0].length;
  }
  source += escapeRegExp(template.slice(last));
  return new RegExp(`^${source}$`);
}

/** Ranges of the catalogue by phase, in the order the reference lists them. */
export const PHASES: Array<{ title: string; from: number; to: number }> = [
  { title: 'Language: lexing, parsing, names, shapes, units, imports', from: 1, to: 49 },
  { title: 'Mapping: tiles and the grid', from: 50, to: 69 },
  { title: 'Input memories and schedules', from: 70, to: 89 },
  { title: 'Dataflow: links', from: 90, to: 99 },
  { title: 'Output and files: compile, weights files, verify inputs', from: 100, to: 119 },
  { title: 'Trained models: weights files, .npy data, imcc import and evaluate', from: 120, to: 139 },
  { title: 'Command-line tooling', from: 140, to: 149 },
  { title: 'Accuracy under the analog model', from: 150, to: 159 },
  { title: 'Simulator exports', from: 160, to: 169 },
  { title: 'Report, language server and verify traces', from: 170, to: 179 },
  { title: 'Compile warnings', from: 180, to: 189 },
  { title: 'Size limits of simulate and compile', from: 190, to: 199 },
  { title: 'Quantized (QDQ) ONNX models', from: 200, to: 205 },
  { title: 'Codes split off a code that covered several messages', from: 206, to: 299 },
];

/**
 * Codes numbered outside their phase's range (split off a code of another phase when its range was full), by number,
 * with the first code of the phase whose section lists them (numbers, so this table triggers no code for
 * catalogue.test.ts's search for a test of each code).
 */
export const PLACED: Readonly<Record<number, number>> = {
  93: 1,
  94: 140,
  95: 140,
  96: 140,
  97: 140,
  87: 120,
  88: 120,
  98: 120,
  105: 120,
  106: 120,
  107: 120,
  108: 160,
  109: 160,
};

/** The first code of the phase a code belongs to. */
function phaseOf(c: string): number {
  const n = Number(c.slice(3));
  return PLACED[n] ?? PHASES.find((p) => n >= p.from && n <= p.to)!.from;
}

const cell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '\\n');
const code = (s: string): string => (s.includes('`') ? `\`\` ${cell(s)} \`\`` : `\`${cell(s)}\``);

/** docs/diagnostics.md, rendered from the catalogue. */
export function diagnosticsReference(): string {
  const codes = Object.keys(CATALOGUE).sort() as AnyDiagnosticCode[];
  const lines = [
    '# Diagnostics reference',
    '',
    '<!-- Rendered from src/diagnostics/catalogue.ts; test/diagnostics/reference.test.ts checks it is current',
    '     (IMCC_UPDATE_DOCS=1 npx vitest run test/diagnostics/reference.test.ts rewrites it). -->',
    '',
    'Every problem imcc reports has a code from one catalogue (`src/diagnostics/catalogue.ts`). Each code has one',
    'message template, with `{name}` where an argument goes, one severity and a one-line description; the message',
    'printed is always the template with its arguments filled in. Problems in the source print as',
    '`file:line:col: error IMCnnn: message` (or `warning`) with the source line and a caret under the place; problems',
    'with files or options print as `imcc: error IMCnnn: message`. An error exits with status 1 (a bad command line,',
    'IMC094-IMC097 and IMC142, and any error of `imcc diff`, with 2); warnings do not change the exit status, and',
    '`imcc compile` also lists them in `report.txt`.',
    'Each code is one rule; a few codes numbered outside their phase\'s range are listed with their phase.',
    '',
  ];
  for (const phase of PHASES) {
    const inPhase = codes.filter((c) => phaseOf(c) === phase.from);
    if (inPhase.length === 0) continue;
    const placed = inPhase.filter((c) => PLACED[Number(c.slice(3))] !== undefined);
    const range = `IMC${String(phase.from).padStart(3, '0')}-IMC${String(phase.to).padStart(3, '0')}${placed.length > 0 ? `, ${placed.join(', ')}` : ''}`;
    lines.push(`## ${phase.title} (${range})`, '');
    lines.push('| Code | Severity | Message | Description |', '|---|---|---|---|');
    for (const c of inPhase) {
      const e = CATALOGUE[c] as CatalogueEntry | { retired: string };
      if ('retired' in e) lines.push(`| ${c} | retired | | ${cell(e.retired)} |`);
      else lines.push(`| ${c} | ${e.severity} | ${code(e.template)} | ${cell(e.description)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
