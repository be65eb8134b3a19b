/**
 * The CLI shows a refused look-alike handle as the node's sentence (issue 12, PROTOCOL.md §2.1):
 * `unibus join` with the handle "Alice" on a node whose host is "alice" fails with exit code 1
 * and one line saying what happened and what to do; the invite still works for another name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '../../bin/unibus.mjs');
const root = mkdtempSync(join(tmpdir(), 'unibus-cli-handles-'));

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, UNIBUS_PASSPHRASE: 'cli handles passphrase' };
  delete e.DBUS_SESSION_BUS_ADDRESS;
  return e;
}

/** `input`, when given, is the CLI's stdin (join links go there, never into argv). */
function unibus(profile: string, args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, '--profile', join(root, profile), ...args], {
    env: env(),
    encoding: 'utf8',
    timeout: 90_000,
    input,
  });
}

describe('cli - a look-alike handle is refused with a sentence', () => {
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
  });

  afterAll(async () => {
    if (node.exitCode === null) {
      const exited = new Promise((done) => node.once('exit', done));
      node.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('`unibus join` as "Alice" prints the refusal; the same link then works as "alicia"', () => {
    const minted = unibus('alice', ['--json', 'invites', 'create']);
    expect(minted.status).toBe(0);
    const link = (JSON.parse(minted.stdout.trim()) as { link: string }).link;

    const refused = unibus('impostor', ['join', '-', '--handle', 'Alice'], `${link}\n`);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      "unibus: Someone on this node already uses a name that looks like 'alice'. Choose another name (HTTP 409)",
    );

    const joined = unibus('alicia', ['join', '-', '--handle', 'alicia'], `${link}\n`);
    expect(joined.stderr).toBe('');
    expect(joined.status).toBe(0);
  });
});
