// docs/diagnostics.md is the catalogue rendered (templates.ts): a code added, split, reworded or retired in
// src/diagnostics/catalogue.ts must show in the reference. IMCC_UPDATE_DOCS=1 rewrites the page instead of failing.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/diagnostics/index.js';
import { diagnosticsReference } from './templates.js';

const page = new URL('../../docs/diagnostics.md', import.meta.url);

describe('docs/diagnostics.md', () => {
  it('is the catalogue rendered, every code with its severity, template and description', () => {
    const expected = diagnosticsReference();
    if (process.env.IMCC_UPDATE_DOCS === '1') writeFileSync(page, expected);
    expect(readFileSync(page, 'utf8')).toBe(expected);
  });

  it('lists every code of the catalogue once', () => {
    const text = readFileSync(page, 'utf8');
    for (const code of Object.keys(CATALOGUE)) expect(text.match(new RegExp(`^\\| ${code} \\|`, 'gm'))).toHaveLength(1);
  });
});
