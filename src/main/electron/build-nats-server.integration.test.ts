/**
 * scripts/build-nats-server.mjs really builds the pinned nats-server: one target (linux/amd64)
 * into a temporary folder, then the binary is asked for its version.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hasGo = spawnSync('go', ['version']).status === 0;
const canRunLinuxAmd64 = process.platform === 'linux' && process.arch === 'x64';

describe('scripts/build-nats-server.mjs', () => {
  const out = mkdtempSync(join(tmpdir(), 'unibus-nats-build-test-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.skipIf(!hasGo || !canRunLinuxAmd64)(
    'builds the pinned version for linux/amd64 into <out>/linux-x64',
    () => {
      const pinned = readFileSync(join(root, 'resources', 'nats-server', 'VERSION'), 'utf8').trim();
      const printed = execFileSync(
        process.execPath,
        [join(root, 'scripts', 'build-nats-server.mjs'), '--target', 'linux/amd64', '--out', out],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const binary = join(out, 'linux-x64', 'nats-server');
      expect(printed.trim()).toBe(binary);
      expect(existsSync(binary)).toBe(true);
      const version = execFileSync(binary, ['--version'], { encoding: 'utf8' });
      expect(version.trim()).toBe(`nats-server: ${pinned}`);
    },
    600_000,
  );

  it('refuses an unknown target without building anything', () => {
    const result = spawnSync(
      process.execPath,
      [join(root, 'scripts', 'build-nats-server.mjs'), '--target', 'plan9/386', '--out', out],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/unknown target plan9\/386/);
  });
});
