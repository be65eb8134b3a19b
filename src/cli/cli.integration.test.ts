/**
 * The `unibus` CLI end to end, as a user runs it: a real child process per command, a real
 * node with its own nats-server, the passphrase-file key store (no Secret Service here).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJoinLink } from '../main/node/invites';
import { removeWhenUnused } from '../../test-support/processes';

const BIN = resolve(__dirname, '../../bin/unibus.mjs');

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    UNIBUS_PASSPHRASE: 'cli test passphrase',
    ...extra,
  };
  delete env.DBUS_SESSION_BUS_ADDRESS; // force the passphrase-file store
  return env;
}

/** The key id inside an invite token (`ubi1.<payload>.<sig>`). */
function tokenKid(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  return (payload as { kid: string }).kid;
}

function run(args: string[], env = cliEnv()) {
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
}

describe('cli - unibus node start and invites create', () => {
  const root = mkdtempSync(join(tmpdir(), 'unibus-cli-'));
  const profile = join(root, 'profile');
  const dataDir = join(root, 'data');
  let node: ChildProcess;
  let ready: Record<string, unknown>;
  let stderr = '';

  beforeAll(async () => {
    node = spawn(
      process.execPath,
      [
        BIN,
        '--profile',
        profile,
        'node',
        'start',
        '--data-dir',
        dataDir,
        '--http-port',
        '0',
        '--nats-port',
        '0',
        '--handle',
        'alice',
      ],
      { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    node.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    ready = await new Promise((resolveReady, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 45_000);
      node.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
        if (line !== undefined) {
          clearTimeout(timer);
          resolveReady(JSON.parse(line) as Record<string, unknown>);
        }
      });
      node.once('exit', (code) => reject(new Error(`node exited ${code}: ${stderr}`)));
    });
  });

  // SIGTERM, not SIGKILL: a killed node would leave its nats-server running on a deleted folder.
  afterAll(() => removeWhenUnused(root, { children: [node] }));

  it('prints one ready line with URLs and the CA fingerprint, and connects the profile', () => {
    expect(ready).toMatchObject({ event: 'ready' });
    expect(ready.control_urls).toEqual([expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/)]);
    expect(ready.nats_urls).toEqual([expect.stringMatching(/^tls:\/\/127\.0\.0\.1:\d+$/)]);
    expect(ready.ca_fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const connection = JSON.parse(readFileSync(join(profile, 'connection.json'), 'utf8'));
    expect(connection.ca_fingerprint).toBe(ready.ca_fingerprint);
    expect(statSync(join(dataDir, 'secrets', 'jetstream.key')).mode & 0o777).toBe(0o600);
  });

  it('mints an invite as admin #0 and prints a join link that pins the CA', () => {
    const minted = run([
      '--profile',
      profile,
      '--json',
      'invites',
      'create',
      '--ttl',
      '2h',
      '--uses',
      '3',
    ]);
    expect(minted.stderr).toBe('');
    expect(minted.status).toBe(0);
    const result = JSON.parse(minted.stdout) as { id: string; link: string; max_uses: number };
    expect(result.max_uses).toBe(3);
    const link = parseJoinLink(result.link);
    expect(link.caFingerprint).toBe(ready.ca_fingerprint);
    expect(link.controlUrls).toEqual(ready.control_urls);
    // The secret is shown once, in that output, and never in the node's log.
    expect(minted.stdout.split(link.token).length - 1).toBe(1);
    expect(stderr).toContain('"event":"nats-server"'); // the node does log
    expect(stderr).not.toContain(link.token);
    expect(stderr).not.toContain(link.token.split('.')[1]!);
  });

  it('rotates the invite signing key: new links carry the new key id, the old key retires after the grace period', () => {
    const before = JSON.parse(
      run(['--profile', profile, '--json', 'invites', 'create']).stdout,
    ) as { link: string };
    const oldKid = tokenKid(parseJoinLink(before.link).token);
    const rotated = run(['--profile', profile, 'invites', 'rotate-key', '--grace', '2h']);
    expect(rotated.stderr).toBe('');
    expect(rotated.status).toBe(0);
    expect(rotated.stdout).toMatch(
      /^new invite links are signed by key \S+; links made before keep working until \d{4}-/,
    );
    const keys = JSON.parse(run(['--profile', profile, '--json', 'invites', 'keys']).stdout) as {
      keys: { kid: string; primary: boolean; retires_at: number | null }[];
    };
    const old = keys.keys.find((k) => k.kid === oldKid)!;
    expect(old.primary).toBe(false);
    expect(old.retires_at! - Date.now() / 1000).toBeGreaterThan(7_000);
    const after = JSON.parse(run(['--profile', profile, '--json', 'invites', 'create']).stdout) as {
      link: string;
    };
    const newKid = tokenKid(parseJoinLink(after.link).token);
    expect(newKid).not.toBe(oldKid);
    expect(keys.keys.find((k) => k.primary)?.kid).toBe(newKid);
    const badGrace = run(['--profile', profile, 'invites', 'rotate-key', '--grace', 'soon']);
    expect(badGrace.status).toBe(2);
    expect(badGrace.stderr).toContain('--grace soon');
  });

  it('explains errors in one line without a stack trace', () => {
    const noPassphrase = run(
      ['--profile', profile, 'invites', 'create'],
      cliEnv({ UNIBUS_PASSPHRASE: '' }),
    );
    expect(noPassphrase.status).toBe(1);
    expect(noPassphrase.stderr.trim().split('\n')).toHaveLength(1);
    expect(noPassphrase.stderr).toContain('UNIBUS_PASSPHRASE');
    const unknown = run(['--profile', profile, 'frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
    expect(unknown.stderr).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });

  it('stops in order on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => node.once('exit', (code) => r(code)));
    node.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('node stopped');
  });
});
