// generated/ holds the committed compiled examples so reviewers see diffs. This test fails when they are stale:
// run `npm run generate` to refresh them.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GENERATED_EXAMPLES, compileExample } from '../support/examples.js';
import { contentBytes } from '../../src/emit/output.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

describe('generated/ is current', () => {
  for (const example of GENERATED_EXAMPLES) {
    it(`generated/${example.name} matches a fresh compile of ${example.source}`, () => {
      const files = compileExample(example);
      const dir = join('generated', example.name);
      const expected = files.map((f) => f.path).sort();
      expect(listFiles(dir), `files in ${dir} (run npm run generate)`).toEqual(expected);
      for (const f of files) {
        const onDisk = readFileSync(join(dir, f.path));
        const fresh = contentBytes(f.content);
        expect(onDisk.equals(fresh), `${dir}/${f.path} is stale (run npm run generate)`).toBe(true);
      }
    });
  }
});
