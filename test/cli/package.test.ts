// The package as a user installs it (issue 13): `npm pack` (which builds dist/ through `prepare`), then in an empty
// directory `npm install --offline ./imcc-<version>.tgz`, `npx imcc compile`, `import { compile } from 'imcc'` and a
// TypeScript consumer of the type declarations. A first, cache-warming install (--prefer-offline) fills npm's cache
// with the dependencies' metadata, so the second install needs nothing but the tarball and the cache.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withDist } from '../support/dist.js';

const root = resolve('.');

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function emptyProject(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  return dir;
}

describe('npm pack, offline install, and use outside the repository', () => {
  it('ships dist/ with type declarations and no tests; installs offline; the CLI and the API work', async () => {
    const work = mkdtempSync(join(tmpdir(), 'imcc-pack-'));
    const pack = await withDist(() => run('npm', ['pack', '--json', '--pack-destination', work], root));
    expect(pack.status, pack.out).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const shipped = info.files.map((f) => f.path);
    for (const required of ['bin/imcc.js', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'schemas/compile.schema.json', 'templates/design/design.ts.hbs']) {
      expect(shipped, required).toContain(required);
    }
    expect(shipped.filter((f) => /^(test|bench|generated|src|examples)\//.test(f))).toEqual([]);
    const tarball = join(work, info.filename);

    const warm = run('npm', ['install', '--prefer-offline', tarball], emptyProject(join(work, 'warm')));
    expect(warm.status, warm.out).toBe(0);
    const app = emptyProject(join(work, 'app'));
    const install = run('npm', ['install', '--offline', tarball], app);
    expect(install.status, install.out).toBe(0);
    copyFileSync('examples/lenet.imc', join(app, 'lenet.imc'));

    const cli = run('npx', ['--offline', 'imcc', 'compile', 'lenet.imc', '-o', 'out'], app);
    expect(cli.status, cli.out).toBe(0);
    expect(cli.out).toContain('compiled lenet on lenet_tiny: 6 cores');
    expect(existsSync(join(app, 'out', 'rtl', 'lenet_top.v'))).toBe(true);

    writeFileSync(join(app, 'use.mjs'), "import { compile } from 'imcc';\nconst r = compile('lenet.imc');\nconsole.log(r.mapping.cores.length, r.files.some((f) => f.path === 'design.ts'));\n");
    const api = run('node', ['use.mjs'], app);
    expect(api.status, api.out).toBe(0);
    expect(api.stdout.trim()).toBe('6 true');

    writeFileSync(
      join(app, 'use.ts'),
      "import { compile, type CompileResult } from 'imcc';\nconst r: CompileResult = compile('lenet.imc', { output: 'out2' });\nconst n: number = r.mapping.cores.length;\nexport { n };\n",
    );
    const tsc = run('node', [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'use.ts'], app);
    expect(tsc.status, tsc.out).toBe(0);
  }, 600_000);
});
