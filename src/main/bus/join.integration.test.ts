/**
 * Joining through a link with several addresses, against a real node: the joiner tries them in
 * order, skips one that does not answer, one that swallows the connection, and one that answers
 * with another CA (without sending it anything but a handshake), and keeps the first that answers
 * with the pinned CA. Where nothing right answers, the error says so in a sentence.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneClient } from '../control-plane';
import { generateIdentityKeyPairs } from '../crypto';
import { generateNodeTlsMaterial } from '../node/tls/certificates';
import { startNode, type RunningNode } from '../node/runtime/start-node';
import { encodeIdentityCard } from '../protocol';
import { BusPeer, JoinError, joinWithLink, type PeerIdentity } from './index';

/** What a rejected promise threw, as plain fields (an Error's message is not enumerable). */
async function failureOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => expect.unreachable('it should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JoinError);
  const { name, message, reason } = error as JoinError;
  return { name, message, reason };
}

function identity(handle: string): PeerIdentity & { card: string } {
  const keys = generateIdentityKeyPairs();
  return {
    record: { handle },
    keys,
    card: encodeIdentityCard({ handle, signPublic: keys.signPublic, kexPublic: keys.kexPublic }),
  };
}

async function listen<T extends Server | HttpsServer>(server: T): Promise<T> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (server: Server | HttpsServer) => (server.address() as AddressInfo).port;

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = await listen(createServer());
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The link with its addresses replaced. */
function withAddresses(link: string, cp: readonly string[], nats: readonly string[]): string {
  const url = new URL(link);
  url.searchParams.delete('cp');
  url.searchParams.delete('nats');
  for (const u of cp) url.searchParams.append('cp', u);
  for (const u of nats) url.searchParams.append('nats', u);
  return url.toString();
}

describe('join - a link with several addresses', () => {
  const root = mkdtempSync(join(tmpdir(), 'unibus-join-'));
  const admin = identity('admin');
  let node: RunningNode;
  /** A TLS server with its own CA: what a wrong or hostile machine on one address looks like. */
  let imposter: HttpsServer;
  let imposterConnections = 0;
  let imposterRequests = 0;
  /** Accepts TCP and never speaks: an address that swallows the connection. */
  let silent: Server;
  const silentSockets: Socket[] = [];
  let closed: number;
  let closedToo: number;

  async function invite(): Promise<string> {
    const client = new ControlPlaneClient({
      nodeId: node.nodeId,
      urls: node.controlUrls,
      caPem: node.caCertificatePem,
      signSeed: admin.keys.signSeed,
    });
    return (await client.post<{ link: string }>('/v1/invites', {})).link;
  }

  beforeAll(async () => {
    node = await startNode({
      dataDir: join(root, 'node'),
      httpPort: 0,
      natsPort: 0,
      adminCard: admin.card,
    });
    const other = await generateNodeTlsMaterial({ subjectAltNames: [] });
    imposter = createHttpsServer(
      {
        key: other.server.privateKeyPem,
        cert: `${other.server.certificatePem.trim()}\n${other.ca.certificatePem.trim()}\n`,
      },
      (_req, res) => {
        imposterRequests++;
        res.end('{}');
      },
    );
    imposter.on('connection', () => imposterConnections++);
    await listen(imposter);
    silent = createServer((socket) => silentSockets.push(socket));
    await listen(silent);
    closed = await closedPort();
    closedToo = await closedPort();
  }, 60_000);

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    imposter?.close();
    imposter?.closeAllConnections();
    silent?.close();
    await node?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('skips a closed port, a silent one and another CA; keeps and saves the one with the pinned CA', async () => {
    const real = node.controlUrls[0]!;
    const cp = [
      `https://127.0.0.1:${closed}`,
      `https://127.0.0.1:${portOf(silent)}`,
      `https://127.0.0.1:${portOf(imposter)}`,
      real,
    ];
    const nats = [`tls://127.0.0.1:${closedToo}`, node.natsUrls[0]!];
    const bob = identity('bob');
    const dir = join(root, 'bob');
    const joined = await joinWithLink(withAddresses(await invite(), cp, nats), {
      profileDir: dir,
      identity: bob,
    });
    expect(joined.user).toMatchObject({ handle: 'bob', status: 'active' });
    // The one that answered goes first; the others stay, in the link's order.
    expect(joined.connection.control_urls).toEqual([real, ...cp.slice(0, 3)]);
    // The imposter was tried (its handshake shows its CA) and sent nothing: no request, no token.
    expect(imposterConnections).toBeGreaterThan(0);
    expect(imposterRequests).toBe(0);
    expect(silentSockets.length).toBeGreaterThan(0);
    // The saved connection works although its first NATS address leads nowhere.
    const peer = await BusPeer.connect({ profileDir: dir, identity: bob });
    try {
      await peer.start();
      expect(peer.connectionState).toBe('connected');
      expect(peer.me.handle).toBe('bob');
    } finally {
      await peer.close();
    }
  });

  it('where nothing answers, says so with the address and port', async () => {
    const link = withAddresses(
      await invite(),
      [`https://127.0.0.1:${closed}`, `https://127.0.0.1:${closedToo}`],
      [`tls://127.0.0.1:${closed}`],
    );
    const failure = joinWithLink(link, {
      profileDir: join(root, 'carol'),
      identity: identity('c'),
    });
    expect(await failureOf(failure)).toMatchObject({
      reason: 'unreachable',
      message: `The node at 127.0.0.1:${closed} or 127.0.0.1:${closedToo} did not answer — is the host's app running and ports ${closed} and ${closedToo} open?`,
    });
  });

  it('where only another CA answers, refuses and says it is not the node of the invite', async () => {
    const before = imposterRequests;
    const link = withAddresses(
      await invite(),
      [`https://127.0.0.1:${portOf(imposter)}`, `https://127.0.0.1:${closed}`],
      [`tls://127.0.0.1:${closed}`],
    );
    const failure = joinWithLink(link, { profileDir: join(root, 'dave'), identity: identity('d') });
    expect(await failureOf(failure)).toMatchObject({
      name: 'JoinError',
      reason: 'wrong-node',
      message: `Something answered at 127.0.0.1:${portOf(imposter)}, but it is not the node this invite is for (its certificate does not match the link), so nothing was sent. Nothing answered at 127.0.0.1:${closed}. Ask the host for a new invite link.`,
    });
    expect(imposterRequests).toBe(before);
  });
});
