/**
 * Test and bench fixture: a real node (`startNode`: nats-server with TLS, JetStream KV, HTTPS
 * control plane, file blob store) with an admin, a second member and a shared room, created
 * through the public signed routes like a peer would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlaneClient } from '../../control-plane/client';
import { generateIdentityKeyPairs } from '../../crypto';
import {
  base64urlEncode,
  createRoomKeyGrant,
  encodeIdentityCard,
  hexDecode,
  hexEncode,
  newRoomKey,
  newUlid,
  roomKeyGrantToJson,
  sealRoomMeta,
} from '../../protocol';
import { startNode, type RunningNode } from '../../node/runtime/start-node';
import { BlobClient, type BlobClientOptions } from '../blob-client';

/** What a peer (or a child process) needs to talk to the node; JSON-serialisable. */
export interface PeerConfig {
  readonly nodeId: string;
  readonly urls: readonly string[];
  readonly caPem: string;
  readonly signSeedHex: string;
}

export function blobClientFor(peer: PeerConfig, extra: Partial<BlobClientOptions> = {}) {
  return new BlobClient({
    nodeId: peer.nodeId,
    urls: peer.urls,
    caPem: peer.caPem,
    signSeed: hexDecode(peer.signSeedHex)!,
    ...extra,
  });
}

export interface FilesNode {
  readonly node: RunningNode;
  readonly dataDir: string;
  readonly alice: PeerConfig;
  readonly bob: PeerConfig;
  readonly roomId: string;
  stop(): Promise<void>;
}

function person(handle: string) {
  const keys = generateIdentityKeyPairs();
  const card = encodeIdentityCard({
    handle,
    signPublic: keys.signPublic,
    kexPublic: keys.kexPublic,
  });
  return { keys, card, endpoint: (JSON.parse(card) as { id: string }).id };
}

export async function startFilesNode(): Promise<FilesNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'unibus-files-node-'));
  const alice = person('alice');
  const bob = person('bob');
  const node = await startNode({
    dataDir,
    httpPort: 0,
    natsPort: 0,
    adminCard: alice.card,
    dev: false,
  });
  try {
    const config = (p: typeof alice): PeerConfig => ({
      nodeId: node.nodeId,
      urls: [...node.controlUrls],
      caPem: node.caCertificatePem,
      signSeedHex: hexEncode(p.keys.signSeed),
    });
    const admin = new ControlPlaneClient({
      nodeId: node.nodeId,
      urls: node.controlUrls,
      caPem: node.caCertificatePem,
      signSeed: alice.keys.signSeed,
    });
    await admin.post('/v1/users', { card: bob.card });
    const roomId = newUlid();
    const roomKey = newRoomKey();
    const grant = (member: typeof alice) =>
      roomKeyGrantToJson(
        createRoomKeyGrant(
          {
            roomId,
            epoch: 1,
            roomKey,
            member: { endpoint: member.endpoint, kexPublic: member.keys.kexPublic },
          },
          alice.keys.signSeed,
        ),
      );
    await admin.post('/v1/rooms', {
      room_id: roomId,
      policy: { persist: true, history: 'all' },
      meta: base64urlEncode(
        sealRoomMeta({ roomId, epoch: 1, meta: { name: 'files', topic: '' } }, roomKey),
      ),
      owner_key: grant(alice),
    });
    await admin.post(`/v1/rooms/${roomId}/members`, {
      endpoint: bob.endpoint,
      keys: [grant(bob)],
    });
    return {
      node,
      dataDir,
      alice: config(alice),
      bob: config(bob),
      roomId,
      async stop() {
        await node.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await node.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
