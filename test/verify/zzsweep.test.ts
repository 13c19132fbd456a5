import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileDesign } from '../../src/pipeline/compile.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';
import { caseFeatures, caseForSeed, LARGER, loadCase, SMALL, writeCase } from './randomNetworks.js';
const [from, to, which] = (process.env.WTI_RANGE ?? '1,1200,small').split(',');
it('sweep', async () => {
  const limits = which === 'larger' ? LARGER : SMALL;
  const dir = mkdtempSync(join(tmpdir(), 'wtI-sweep-'));
  const out: string[] = [];
  for (let seed = Number(from); seed < Number(to); seed++) {
    try {
      const file = writeCase(caseForSeed(seed, limits), limits, `s${seed}`, dir);
      const loaded = loadCase(file);
      if (!loaded.design) continue;
      const result = compileDesign({ design: loaded.design, sources: loaded.sources, version: '0.0.0' });
      const f = caseFeatures(loaded.design, result.mapping, result.program.singleImageDataflow.residualBuffers);
      if (!f.has('queued pool')) continue;
      const refusals = result.warnings.filter((w) => w.code === 'IMC183');
      if (refusals.length) { out.push(`${seed} refused`); continue; }
      const rtl = result.files.flatMap((x) => (/^(rtl|tb)\//.test(x.path) && typeof x.content === 'string' ? [{ path: x.path, content: x.content }] : []));
      const v = await verifyRtlDirectory(writeFiles(rtl), result.program, { cacheDir: TEST_CACHE, images: 2 });
      out.push(`${seed} ${v.pass ? 'PASS' : 'FAIL ' + JSON.stringify(v.firstMismatch)} ${[...f].filter((x) => /queue/.test(x)).join(',')}`);
    } catch (e) { out.push(`${seed} ERROR ${(e as Error).message.slice(0, 300)}`); }
  }
  process.stderr.write(out.join('\n') + '\n');
}, 3_000_000);
