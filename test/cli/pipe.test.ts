// A reader that closes stdout early (`imcc map --json | head -2`) ends the command quietly, without a stack trace.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('stdout closed by its reader', () => {
  it('imcc map --json | head: exit 0, nothing on stderr', async () => {
    const entry =
      "import('./src/cli/main.ts').then(async (m) => { m.installStdoutGuard(); process.exitCode = await m.main(['map', 'examples/resnet32.imc', '--json']); })";
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', entry], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Read one chunk, then hang up, as `head` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
