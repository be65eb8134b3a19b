/**
 * One node per data directory, with real processes: a node started by the CLI the way the app
 * starts it (`--no-profile`, `--stop-on-stdin-close`), then a second start on the same folder and
 * the same ports while the first is still there (its app was killed: it is stopping), after it
 * died outright (its nats-server left running), and while a live process holds the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { person, signedCall } from '../../../../test-support/node-fixtures';
import { acquireNodeLock, isAlive, NODE_LOCK_FILE, NodeBusyError } from './node-lock';
import { startNode, type RunningNode } from './start-node';

const BIN = resolve(__dirname, '../../../../bin/unibus.mjs');
const root = mkdtempSync(join(tmpdir(), 'unibus-node-lock-'));
const dataDir = join(root, 'node');
const alice = person('alice');
const children: ChildProcess[] = [];

interface Ready {
  readonly node_id: string;
  readonly control_urls: string[];
  readonly nats_urls: string[];
  readonly ca_pem: string;
}

interface CliNode {
  readonly child: ChildProcess;
  readonly ready: Ready;
  readonly exited: Promise<unknown>;
}

/** `unibus node start` as the app runs it; resolves on its ready line. */
async function startCliNode(
  ports: { http: number; nats: number },
  card?: string,
): Promise<CliNode> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--profile',
      join(root, 'no-such-profile'),
      'node',
      'start',
      '--data-dir',
      dataDir,
      '--http-port',
      String(ports.http),
      '--nats-port',
      String(ports.nats),
      '--no-profile',
      ...(card !== undefined ? ['--admin-card', card] : []),
      '--stop-on-stdin-close',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(child);
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = await new Promise<Ready>((done, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"event":"ready"')) done(JSON.parse(line) as Ready);
    });
    void exited.then(() => fail(new Error(`node exited before ready: ${stderr.slice(-2000)}`)));
  });
  return { child, ready, exited };
}

const portOf = (url: string) => Number(new URL(url.replace(/^tls:/, 'https:')).port);

async function roleOf(node: RunningNode): Promise<unknown> {
  const url = new URL(node.controlUrls[0]!);
  const target = {
    host: url.hostname,
    port: Number(url.port),
    caPem: node.caCertificatePem,
    nodeId: node.nodeId,
  };
  return (await signedCall(target, alice, 'GET', '/v1/me')).body?.role;
}

function readLock(): { pid: number; nats_pid: number | null } {
  return JSON.parse(readFileSync(join(dataDir, NODE_LOCK_FILE), 'utf8')) as {
    pid: number;
    nats_pid: number | null;
  };
}

/** Resolves once `events` holds one matching; bounded. */
async function eventually(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function spawnIdler(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], {
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

describe('node lock: one node per data directory', () => {
  let ports = { http: 0, nats: 0 };

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('a start waits for the node still stopping from the folder, then takes its ports', async () => {
    const first = await startCliNode(ports, alice.card);
    ports = { http: portOf(first.ready.control_urls[0]!), nats: portOf(first.ready.nats_urls[0]!) };
    expect(readLock().pid).toBe(first.child.pid);

    const events: Array<[string, Record<string, unknown>]> = [];
    let firstGone = false;
    void first.exited.then(() => (firstGone = true));
    // No admin card: the node was seeded by its first start and needs nothing else.
    const second = startNode({
      dataDir,
      httpPort: ports.http,
      natsPort: ports.nats,
      log: (event, detail) => events.push([event, detail]),
    });
    await eventually(
      () => events.some(([e, d]) => e === 'node-lock-wait' && d['pid'] === first.child.pid),
      'the second start to wait on the first',
    );
    // The app died: all its pipes to the node close; the node stops by itself, in order (a log
    // line it writes meanwhile fails with EPIPE and must not cut the stop short).
    first.child.stdin!.end();
    first.child.stdout!.destroy();
    first.child.stderr!.destroy();
    const node = await second;
    expect(firstGone).toBe(true);
    expect(first.child.exitCode).toBe(0);
    expect(events.map(([e]) => e)).not.toContain('node-lock-stale');
    expect(node.nodeId).toBe(first.ready.node_id);
    expect(node.controlUrls[0]).toBe(first.ready.control_urls[0]);
    expect(await roleOf(node)).toBe('admin');
    expect(readLock().pid).toBe(process.pid);
    await node.stop();
    expect(existsSync(join(dataDir, NODE_LOCK_FILE))).toBe(false);
  });

  it('takes over from a node that died outright, stopping the nats-server it left', async () => {
    const first = await startCliNode(ports); // from the data directory alone
    await eventually(() => readLock().nats_pid !== null, 'the lock to name the nats-server');
    const natsPid = readLock().nats_pid!;
    first.child.kill('SIGKILL'); // the node only: its nats-server is orphaned
    await first.exited;
    expect(await isAlive(natsPid)).toBe(true);

    const events: Array<[string, Record<string, unknown>]> = [];
    const node = await startNode({
      dataDir,
      httpPort: ports.http,
      natsPort: ports.nats,
      log: (event, detail) => events.push([event, detail]),
    });
    expect(events).toContainEqual(['node-lock-orphan-stop', { pid: natsPid }]);
    expect(await isAlive(natsPid)).toBe(false);
    expect(node.nodeId).toBe(first.ready.node_id);
    expect(await roleOf(node)).toBe('admin');
    await node.stop();
  });

  it('refuses after its bounded wait while a live process holds the folder', async () => {
    const holder = spawnIdler();
    await once(holder, 'spawn');
    const lockFile = join(dataDir, NODE_LOCK_FILE);
    writeFileSync(lockFile, JSON.stringify({ pid: holder.pid, nats_pid: null }));
    await expect(
      startNode({ dataDir, httpPort: ports.http, natsPort: ports.nats, lockWaitMs: 300 }),
    ).rejects.toThrow(NodeBusyError);
    expect(readLock().pid).toBe(holder.pid); // not taken from a live holder
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const lock = await acquireNodeLock(dataDir, { natsConfigFile: 'unused', waitMs: 300 });
    expect(readLock().pid).toBe(process.pid);
    await lock.release();
  });

  it('never stops a process the stale lock names that is not its nats-server', async () => {
    const gone = spawnIdler();
    await once(gone, 'spawn');
    gone.kill('SIGKILL');
    await once(gone, 'exit');
    const bystander = spawnIdler(); // a reused pid, say
    await once(bystander, 'spawn');
    writeFileSync(
      join(dataDir, NODE_LOCK_FILE),
      JSON.stringify({ pid: gone.pid, nats_pid: bystander.pid }),
    );
    const events: string[] = [];
    const lock = await acquireNodeLock(dataDir, {
      natsConfigFile: join(dataDir, 'nats', 'nats-server.conf'),
      log: (event) => events.push(event),
    });
    expect(events).toEqual(['node-lock-stale', 'node-lock-orphan-unknown']);
    expect(await isAlive(bystander.pid!)).toBe(true);
    await lock.release();
    bystander.kill('SIGKILL');
  });

  it('a lock file with torn content is taken over', async () => {
    writeFileSync(join(dataDir, NODE_LOCK_FILE), '{"pid": 12');
    const lock = await acquireNodeLock(dataDir, { natsConfigFile: 'unused', waitMs: 300 });
    expect(readLock()).toEqual({ pid: process.pid, nats_pid: null });
    await lock.release();
  });
});
