/**
 * Every `unibus` command, end to end, the way a script uses them: real child processes against a
 * node started by `unibus node start`, three profiles (alice hosts, bob and carol join by link),
 * `--json` output parsed, the passphrase-file key store (no Secret Service here).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeWhenUnused } from '../../test-support/processes';

const BIN = resolve(__dirname, '../../bin/unibus.mjs');
const root = mkdtempSync(join(tmpdir(), 'unibus-cli-e2e-'));

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, UNIBUS_PASSPHRASE: 'e2e passphrase', ...extra };
  delete e.DBUS_SESSION_BUS_ADDRESS;
  return e;
}

/** Runs one command for a profile; returns parsed --json stdout lines. */
function unibus(
  profile: string,
  args: string[],
  extra: Record<string, string> = {},
  input?: string,
) {
  const run = spawnSync(
    process.execPath,
    [BIN, '--profile', join(root, profile), '--json', ...args],
    {
      env: env(extra),
      encoding: 'utf8',
      timeout: 90_000,
      ...(input === undefined ? {} : { input }),
    },
  );
  if (run.status !== 0)
    throw new Error(`unibus ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '');
  return { lines: lines.map((l) => JSON.parse(l) as Record<string, unknown>), stderr: run.stderr };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('cli - every command against a node started by `unibus node start`', () => {
  let node: ChildProcess;

  beforeAll(async () => {
    node = spawn(
      process.execPath,
      [
        BIN,
        '--profile',
        join(root, 'alice'),
        'node',
        'start',
        '--data-dir',
        join(root, 'data'),
        '--http-port',
        '0',
        '--nats-port',
        '0',
        '--handle',
        'alice',
      ],
      { env: env(), stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise<void>((ready, reject) => {
      let out = '';
      node.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"event":"ready"')) ready();
      });
      node.once('exit', (code) => reject(new Error(`node exited ${code}`)));
    });
    for (const who of ['bob', 'carol']) {
      const link = unibus('alice', ['invites', 'create']).lines[0]!.link as string;
      // The link goes in on stdin, never in argv (issue 12, attack 6).
      const joined = unibus(who, ['join', '-', '--handle', who], {}, `${link}\n`).lines[0]!;
      expect(joined.id).toEqual(expect.any(String));
    }
  });

  afterAll(() => removeWhenUnused(root, { children: [node] }));

  it('whoami, rooms create/list/invite, send, history', () => {
    expect(unibus('bob', ['whoami']).lines[0]).toMatchObject({ handle: 'bob' });
    const room = unibus('alice', ['rooms', 'create', 'general']).lines[0]!;
    expect(room.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(unibus('alice', ['rooms', 'list']).lines.map((r) => r.name)).toContain('general');
    unibus('alice', ['rooms', 'invite', 'general', 'bob']);
    unibus('alice', ['rooms', 'invite', 'general', 'carol']);
    const sent = unibus('bob', ['send', 'general', 'hello from bob']).lines[0]!;
    expect(sent).toMatchObject({ state: 'stored' });
    const history = unibus('carol', ['history', 'general']).lines;
    expect(history.find((m) => m.id === sent.id)).toMatchObject({
      text: 'hello from bob',
      handle: 'bob',
    });
  });

  it('listen prints one JSON line per decrypted message until stopped', async () => {
    const listener = spawn(
      process.execPath,
      [BIN, '--profile', join(root, 'carol'), '--json', 'listen', 'general'],
      {
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    listener.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 4_000)); // let it subscribe
    const sent = unibus('alice', ['send', 'general', 'live line']).lines[0]!;
    const deadline = Date.now() + 20_000;
    while (!out.includes(String(sent.id)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    listener.kill('SIGINT');
    const line = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((m) => m.id === sent.id);
    expect(line).toMatchObject({ text: 'live line', handle: 'alice' });
  });

  it('send-file and fetch-file move an encrypted file byte-identical', () => {
    const source = join(root, 'payload.bin');
    writeFileSync(source, randomBytes(5 * 1024 * 1024 + 123));
    const sent = unibus('alice', ['send-file', 'general', source]);
    expect(sent.stderr).toMatch(/upload 100%/);
    const messageId = String(sent.lines[0]!.id);
    const target = join(root, 'fetched.bin');
    const fetched = unibus('bob', ['fetch-file', 'general', messageId, target]).lines[0]!;
    expect(fetched.sha256).toBe(sha256(source));
    expect(sha256(target)).toBe(sha256(source));
  });

  it('kick prints the receipt, and leave removes the room', () => {
    const receipt = unibus('alice', ['rooms', 'kick', 'general', 'carol']).lines[0]!;
    expect(receipt).toMatchObject({ epoch: 2, keyed: 2, members: 2 });
    unibus('bob', ['rooms', 'leave', 'general']);
    expect(unibus('bob', ['rooms', 'list']).lines.map((r) => r.name)).not.toContain('general');
  });

  it('identity export and import keep the same keys; a wrong passphrase is refused', () => {
    const backup = join(root, 'bob.backup');
    unibus('bob', ['identity', 'export', backup], { UNIBUS_BACKUP_PASSPHRASE: 'backup pass' });
    const imported = unibus('bob-again', ['identity', 'import', backup], {
      UNIBUS_BACKUP_PASSPHRASE: 'backup pass',
    }).lines[0]!;
    expect(imported.id).toBe(unibus('bob', ['whoami']).lines[0]!.id);
    expect(() =>
      unibus('bob-third', ['identity', 'import', backup], { UNIBUS_BACKUP_PASSPHRASE: 'wrong' }),
    ).toThrow(/wrong passphrase/);
  });
});
