/**
 * What every bench group starts from: a real node in a temp folder with alice as its admin,
 * people to add, and peers connected to it. Everything is removed by `stop()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusPeer, type PeerIdentity } from '../../src/main/bus';
import { ControlPlaneClient } from '../../src/main/control-plane';
import { generateIdentityKeyPairs } from '../../src/main/crypto';
import {
  startNode,
  type NodeOptions,
  type RunningNode,
} from '../../src/main/node/runtime/start-node';
import type { NodeConnection } from '../../src/main/profile/connection';
import { encodeIdentityCard } from '../../src/main/protocol';

export type Person = PeerIdentity & { card: string };

export function person(handle: string): Person {
  const keys = generateIdentityKeyPairs();
  return {
    record: { handle },
    keys,
    card: encodeIdentityCard({ handle, signPublic: keys.signPublic, kexPublic: keys.kexPublic }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export interface BenchNode {
  readonly root: string;
  readonly node: RunningNode;
  readonly alice: Person;
  readonly connection: NodeConnection;
  /** alice's signed control-plane client (she is the node's admin). */
  readonly admin: ControlPlaneClient;
  clientFor(who: Person): ControlPlaneClient;
  /** Adds `who` as a member of the node (admin call). */
  addUser(who: Person): Promise<void>;
  /** A started peer for `who` with its own profile folder `dir`. */
  openPeer(who: Person, dir: string): Promise<BusPeer>;
  stop(): Promise<void>;
}

export async function startBenchNode(
  options: Partial<Omit<NodeOptions, 'dataDir' | 'adminCard'>> = {},
): Promise<BenchNode> {
  const root = mkdtempSync(join(tmpdir(), 'unibus-bench-'));
  const alice = person('alice');
  const node = await startNode({
    dataDir: join(root, 'node'),
    httpPort: 0,
    natsPort: 0,
    ...options,
    adminCard: alice.card,
  });
  const connection: NodeConnection = {
    v: 1,
    node_id: node.nodeId,
    control_urls: node.controlUrls,
    nats_urls: node.natsUrls,
    ca_fingerprint: node.caFingerprint,
    ca_pem: node.caCertificatePem,
  };
  const clientFor = (who: Person) =>
    new ControlPlaneClient({
      nodeId: node.nodeId,
      urls: node.controlUrls,
      caPem: node.caCertificatePem,
      signSeed: who.keys.signSeed,
    });
  const admin = clientFor(alice);
  const peers: BusPeer[] = [];
  return {
    root,
    node,
    alice,
    connection,
    admin,
    clientFor,
    addUser: async (who) => {
      await admin.post('/v1/users', { card: who.card });
    },
    openPeer: async (who, dir) => {
      const peer = await BusPeer.connect({
        profileDir: join(root, dir),
        identity: who,
        connection,
      });
      peers.push(peer);
      await peer.start();
      return peer;
    },
    stop: async () => {
      for (const peer of peers) await peer.close().catch(() => {});
      await node.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
