/**
 * NodeHost's lifecycle against a stand-in node process (the real process is covered by
 * web-shell.integration.test.ts and the e2e node-lifetime test): which arguments a start passes,
 * when it needs the host's card, and what `hosting.json` remembers across app restarts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { HOSTING_FILE, NodeHost } from './node-host';
import type { NodeLauncher, NodeProcess } from './types';

const CARD = '{"v":1,"handle":"ann"}';

class StandInNode implements NodeProcess {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  private exit: (code: number | null) => void = () => {};
  readonly exited = new Promise<number | null>((resolve) => (this.exit = resolve));
  stopped = false;
  constructor(readonly args: readonly string[]) {}
  ready(): void {
    const line = {
      event: 'ready',
      node_id: 'Nnode',
      control_urls: ['https://127.0.0.1:7443'],
      nats_urls: ['tls://127.0.0.1:4222'],
      ca_fingerprint: 'ab'.repeat(32),
      ca_pem: 'pem',
      server_version: '2.14.9',
      posture: {},
    };
    this.stdout.write(`${JSON.stringify(line)}\n`);
  }
  crash(message: string): void {
    this.stderr.write(`${message}\n`);
    setImmediate(() => this.exit(1));
  }
  stop(): void {
    this.stopped = true;
    this.exit(0);
  }
}

function standInLauncher() {
  const launched: StandInNode[] = [];
  const launch: NodeLauncher = (args) => {
    const node = new StandInNode(args);
    launched.push(node);
    return node;
  };
  return { launch, launched };
}

const root = mkdtempSync(join(tmpdir(), 'unibus-node-host-'));
let profiles = 0;
function profile(hosting?: object): string {
  const dir = join(root, `p${++profiles}`);
  mkdirSync(dir);
  if (hosting !== undefined) writeFileSync(join(dir, HOSTING_FILE), JSON.stringify(hosting));
  return dir;
}
const HOSTING = { bind: '127.0.0.1', httpPort: 7443, natsPort: 4222, dataDir: '/data/node' };
const saved = (dir: string) => JSON.parse(readFileSync(join(dir, HOSTING_FILE), 'utf8')) as object;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !check(); i++) await new Promise((r) => setImmediate(r));
  expect(check()).toBe(true);
}

describe('NodeHost', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the first start seeds the host as admin; later starts need nothing from her identity', async () => {
    const dir = profile();
    const { launch, launched } = standInLauncher();
    const host = await NodeHost.open(dir, launch, () => {});
    const hosted = host.host({ bind: '127.0.0.1', httpPort: 0, natsPort: 0 }, CARD);
    await until(() => launched.length === 1);
    expect(launched[0]!.args).toContain('--no-profile');
    expect(launched[0]!.args.join(' ')).toContain(`--admin-card ${CARD}`);
    expect(host.startsOnItsOwn).toBe(false); // not seeded until the node said it is ready
    launched[0]!.ready();
    expect((await hosted).running).toBe(true);
    expect(saved(dir)).toMatchObject({ seeded: true, httpPort: 7443, natsPort: 4222 });

    // The app restarts with the identity locked: the node starts from its data directory alone.
    await host.stop();
    const again = await NodeHost.open(dir, launch, () => {});
    expect(again.startsOnItsOwn).toBe(true);
    const started = again.start();
    await until(() => launched.length === 2);
    expect(launched[1]!.args).toContain('--no-profile');
    expect(launched[1]!.args).not.toContain('--admin-card');
    launched[1]!.ready();
    await started;
    expect(again.running).toBe(true);
  });

  it('a node never started yet waits for the identity', async () => {
    const dir = profile(HOSTING); // hosting.json written before a start succeeded
    const { launch, launched } = standInLauncher();
    const host = await NodeHost.open(dir, launch, () => {});
    expect(host.hosting).toBe(true);
    expect(host.startsOnItsOwn).toBe(false);
    await expect(host.start()).rejects.toThrow(/Unlock your identity/);
    expect(launched).toHaveLength(0);
  });

  it('starts asked for while one is under way join it: one process', async () => {
    const dir = profile({ ...HOSTING, seeded: true });
    const { launch, launched } = standInLauncher();
    const host = await NodeHost.open(dir, launch, () => {});
    const first = host.start();
    const second = host.start(CARD);
    expect(host.active).toBe(true);
    await until(() => launched.length === 1);
    launched[0]!.ready();
    expect(await second).toBe(await first);
    expect(launched).toHaveLength(1);
  });

  it('"Stop node" is remembered across restarts until the host starts it again', async () => {
    const dir = profile({ ...HOSTING, seeded: true });
    const { launch, launched } = standInLauncher();
    const host = await NodeHost.open(dir, launch, () => {});
    const started = host.start();
    await until(() => launched.length === 1);
    launched[0]!.ready();
    await started;
    const status = await host.stop({ remember: true });
    expect(status).toMatchObject({ running: false, hosting: true, error: null });
    expect(launched[0]!.stopped).toBe(true);

    const reopened = await NodeHost.open(dir, launch, () => {});
    expect(reopened.stoppedByHost).toBe(true);
    expect(reopened.startsOnItsOwn).toBe(false);
    const restarted = reopened.start();
    await until(() => launched.length === 2);
    launched[1]!.ready();
    await restarted;
    expect(reopened.stoppedByHost).toBe(false);
    expect(saved(dir)).not.toHaveProperty('stopped');
  });

  it('a node that exits says why, from its last error line', async () => {
    const dir = profile({ ...HOSTING, seeded: true });
    const { launch, launched } = standInLauncher();
    const statuses: boolean[] = [];
    const host = await NodeHost.open(dir, launch, (s) => statuses.push(s.running));
    const started = host.start();
    await until(() => launched.length === 1);
    launched[0]!.crash('another node is running from /data/node (process 42)');
    await expect(started).rejects.toThrow(/another node is running/);
    expect(host.status()).toMatchObject({ running: false, hosting: true });
    expect(host.status().error).toMatch(/exit code 1.*another node is running/);
    expect(host.active).toBe(false);
    expect(statuses.at(-1)).toBe(false);
  });
});
