/**
 * Two computers, with the CLI: two network namespaces joined by a veth pair (10.77.0.1 hosts,
 * 10.77.0.2 joins; test-support/netns.ts). The host runs `unibus node start --bind 0.0.0.0`; the
 * joiner, who can reach the host only through 10.77.0.1, redeems the invite link, joins, and
 * both exchange messages in a room and a file byte-identical. The host also has an address the
 * joiner cannot reach (as a Docker bridge or a VPN would be): the link carries it, the joiner
 * gets past it.
 *
 * Skipped, with the reason printed, only where `ip netns add` is refused (not root).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUnreachableAddress,
  createTwoComputers,
  netnsRefusal,
  removeStaleNamespaces,
  type Computer,
  type TwoComputers,
} from '../../test-support/netns';
import { certificateAltNames } from '../main/node/tls/certificates';

const BIN = resolve(__dirname, '../../bin/unibus.mjs');
const HTTP_PORT = 8470;
const NATS_PORT = 4250;
const refusal = netnsRefusal();
if (refusal !== null) console.warn(`cli.netns: skipped: ${refusal}`);

const root = mkdtempSync(join(tmpdir(), 'unibus-cli-netns-'));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, UNIBUS_PASSPHRASE: 'netns passphrase' };
  delete e.DBUS_SESSION_BUS_ADDRESS;
  return e;
}

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly lines: Record<string, unknown>[];
}

/** One `unibus --json` command for a profile, run inside `computer`'s namespace. */
/** `input`, when given, is the CLI's stdin (join links go there, never into argv). */
function unibusIn(computer: Computer, profile: string, args: string[], input?: string): Run {
  const [file, argv] = computer.command(process.execPath, [
    BIN,
    '--profile',
    join(root, profile),
    '--json',
    ...args,
  ]);
  const run = spawnSync(file, argv, { env: env(), encoding: 'utf8', timeout: 90_000, input });
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: run.status, stderr: run.stderr, lines };
}

function ok(
  computer: Computer,
  profile: string,
  args: string[],
  input?: string,
): Record<string, unknown>[] {
  const run = unibusIn(computer, profile, args, input);
  if (run.status !== 0)
    throw new Error(
      `unibus ${args.join(' ')} in ${computer.ns} failed (${run.status}): ${run.stderr}`,
    );
  return run.lines;
}

/** Resolves with the first stdout line `matches` accepts; rejects if the process exits first. */
function lineFrom(child: ChildProcess, matches: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`exited (${code}) before the line`));
    lines.on('line', (line) => {
      if (!matches(line)) return;
      child.off('exit', onExit);
      lines.close();
      resolve(line);
    });
    child.once('exit', onExit);
  });
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

describe.skipIf(refusal !== null)('two computers (network namespaces), with the CLI', () => {
  let computers: TwoComputers | undefined;
  let host: Computer;
  let joiner: Computer;
  let node: ChildProcess | undefined;
  let nodeErr = '';
  let ready: Record<string, unknown>;
  let link = '';
  const unreachable = '10.78.0.1';

  beforeAll(async () => {
    removeStaleNamespaces('c');
    computers = await createTwoComputers('c', '10.77.0');
    ({ host, joiner } = computers);
    addUnreachableAddress(host, `${unreachable}/24`);
    node = host.spawn(
      process.execPath,
      [
        BIN,
        '--profile',
        join(root, 'alice'),
        'node',
        'start',
        '--data-dir',
        join(root, 'node'),
        '--bind',
        '0.0.0.0',
        '--http-port',
        String(HTTP_PORT),
        '--nats-port',
        String(NATS_PORT),
        '--handle',
        'alice',
      ],
      { env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    node.stderr!.on('data', (d: Buffer) => (nodeErr += d.toString()));
    const line = await lineFrom(node, (l) => l.includes('"event":"ready"')).catch((error) => {
      throw new Error(`${(error as Error).message}\n${nodeErr}`);
    });
    ready = JSON.parse(line) as Record<string, unknown>;
  }, 120_000);

  afterAll(async () => {
    // The node first (it stops its nats-server), then the namespaces, then the files.
    await stopProcess(node);
    computers?.remove();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('the node on every network advertises its addresses, not loopback, and its certificate covers them', () => {
    const advertised = [host.address, unreachable].sort();
    const hosts = (urls: unknown) => (urls as string[]).map((u) => new URL(u).hostname).sort();
    expect(hosts(ready.control_urls)).toEqual(advertised);
    expect(hosts(ready.nats_urls)).toEqual(advertised);
    expect((ready.local_control_urls as string[])[0]).toBe(`https://127.0.0.1:${HTTP_PORT}`);
    const names = certificateAltNames(
      readFileSync(join(root, 'node', 'tls', 'server.crt'), 'utf8'),
    );
    expect(names.sort()).toEqual(
      ['0:0:0:0:0:0:0:1', '127.0.0.1', 'localhost', ...advertised].sort(),
    );

    link = String(ok(host, 'alice', ['invites', 'create'])[0]!.link);
    const params = new URL(link).searchParams;
    expect(hosts(params.getAll('cp'))).toEqual(advertised);
    expect(hosts(params.getAll('nats'))).toEqual(advertised);
  });

  it('a link where nothing answers says which address and port, in the CLI', () => {
    const wrong = new URL(link);
    const cp = wrong.searchParams.getAll('cp').map((u) => u.replace(`:${HTTP_PORT}`, ':8471'));
    wrong.searchParams.delete('cp');
    for (const u of cp) wrong.searchParams.append('cp', u);
    const wrongPort = wrong.toString();
    const run = unibusIn(joiner, 'nobody', ['join', '-', '--handle', 'nobody'], `${wrongPort}\n`);
    expect(run.status).toBe(1);
    const addresses = new URL(wrongPort).searchParams
      .getAll('cp')
      .map((u) => new URL(u).host)
      .join(' or ');
    expect(run.stderr.trim()).toBe(
      `unibus: The node at ${addresses} did not answer — is the host's app running and port 8471 open?`,
    );
  }, 60_000);

  it('the joiner, reaching the host only through its veth address, redeems the link', () => {
    // On the joiner's computer, loopback is its own: nothing listens there.
    const [file, argv] = joiner.command('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${HTTP_PORT}`]);
    expect(spawnSync(file, argv).status).not.toBe(0);

    const joined = ok(joiner, 'bob', ['join', '-', '--handle', 'bob'], `${link}\n`)[0]!;
    expect(joined).toMatchObject({ handle: 'bob', role: 'member' });
    const saved = JSON.parse(readFileSync(join(root, 'bob', 'connection.json'), 'utf8')) as {
      control_urls: string[];
      nats_urls: string[];
    };
    expect(saved.control_urls[0]).toBe(`https://${host.address}:${HTTP_PORT}`);
    expect(saved.nats_urls[0]).toBe(`tls://${host.address}:${NATS_PORT}`);
    expect(ok(joiner, 'bob', ['whoami'])[0]).toMatchObject({ handle: 'bob' });
  }, 60_000);

  it('both exchange messages in a room, one of them live', async () => {
    ok(host, 'alice', ['rooms', 'create', 'general']);
    ok(host, 'alice', ['rooms', 'invite', 'general', 'bob']);
    const fromBob = ok(joiner, 'bob', ['send', 'general', 'hello from the other computer'])[0]!;
    expect(fromBob).toMatchObject({ state: 'stored' });
    const seenByAlice = ok(host, 'alice', ['history', 'general']);
    expect(seenByAlice.find((m) => m.id === fromBob.id)).toMatchObject({
      text: 'hello from the other computer',
      handle: 'bob',
    });

    // Bob listens across the veth: history first (so it is subscribed), then a live message.
    const listener = joiner.spawn(
      process.execPath,
      [BIN, '--profile', join(root, 'bob'), '--json', 'listen', 'general'],
      { env: env(), stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      await lineFrom(listener, (l) => l.includes(String(fromBob.id)));
      const live = lineFrom(listener, (l) => l.includes('hello back, live'));
      const fromAlice = ok(host, 'alice', ['send', 'general', 'hello back, live'])[0]!;
      expect(JSON.parse(await live)).toMatchObject({
        id: fromAlice.id,
        text: 'hello back, live',
        handle: 'alice',
      });
    } finally {
      await stopProcess(listener);
    }
  }, 180_000);

  it('files cross the veth both ways, byte-identical', () => {
    for (const [sender, senderProfile, receiver, receiverProfile] of [
      [joiner, 'bob', host, 'alice'],
      [host, 'alice', joiner, 'bob'],
    ] as const) {
      const source = join(root, `${senderProfile}-payload.bin`);
      writeFileSync(source, randomBytes(3 * 1024 * 1024 + 17));
      const sent = ok(sender, senderProfile, ['send-file', 'general', source])[0]!;
      const target = join(root, `${receiverProfile}-fetched.bin`);
      const fetched = ok(receiver, receiverProfile, [
        'fetch-file',
        'general',
        String(sent.id),
        target,
      ])[0]!;
      expect(fetched.sha256).toBe(sha256(source));
      expect(sha256(target)).toBe(sha256(source));
    }
  }, 240_000);
});
