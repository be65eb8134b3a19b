/**
 * Nothing is lost on upgrade (issue 14 acceptance): a data directory written in store format 1
 * (before auth callout: test-support/format1-node.ts) starts under this code, is migrated to
 * format 2 (every record tagged, room streams with direct reads, the members' legacy consumers
 * deleted) and serves all of it: users, rooms, keys, messages, blobs and an unused invite;
 * members connect through the callout and their new frames follow the old ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { nkeyAuthenticator } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFormat1DataDir, type Format1Contents } from '../../../../test-support/format1-node';
import { person, signedCall, type Person } from '../../../../test-support/node-fixtures';
import { nkeyUserSeed } from '../../crypto';
import { base64urlDecode, decodeFrame, encodeMessageBody, sealFrame } from '../../protocol';
import { STORE_FORMAT } from '../store/kv-table';
import { loadOrCreateNodeState } from './node-state';
import { startNode, type RunningNode } from './start-node';

describe('upgrade: a format-1 data directory under the auth-callout node', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'unibus-upgrade-'));
  const admin = person('admin');
  const bob = person('bob');
  const logs: [string, Record<string, unknown>][] = [];
  let old: Format1Contents;
  let node: RunningNode;

  const api = (who: Person, method: string, path: string, json?: unknown) => {
    const url = new URL(node.controlUrls[0]!);
    return signedCall(
      {
        host: url.hostname,
        port: Number(url.port),
        caPem: node.caCertificatePem,
        nodeId: node.nodeId,
      },
      who,
      method,
      path,
      json,
    );
  };

  beforeAll(async () => {
    old = await writeFormat1DataDir(dataDir, admin, bob);
    node = await startNode({
      dataDir,
      httpPort: 0,
      natsPort: 0,
      log: (event, detail) => logs.push([event, detail]),
    });
  });
  afterAll(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates: every record gets the format version, streams direct reads, legacy consumers go', async () => {
    const migrated = logs.find(([event]) => event === 'store.migrated')?.[1];
    const written = Object.values(old.keys).flat().length;
    expect(migrated).toEqual({
      from: 1,
      to: STORE_FORMAT,
      records: written,
      streams: 1,
      consumersDeleted: 1,
    });
    expect(JSON.parse(readFileSync(join(dataDir, 'store-format.json'), 'utf8'))).toEqual({
      format: 2,
    });
    // Read back raw, as the node's own identity: every value now carries "v": 2.
    const state = await loadOrCreateNodeState(dataDir, { subjectAltNames: [] });
    const nc = await connect({
      servers: node.natsUrls[0]!.replace(/^tls:/, 'nats:'),
      tls: { ca: node.caCertificatePem },
      authenticator: nkeyAuthenticator(
        new TextEncoder().encode(nkeyUserSeed(state.internal.nodeSeed)),
      ),
    });
    try {
      const kvm = new Kvm(nc);
      for (const [bucket, keys] of Object.entries(old.keys)) {
        const kv = await kvm.open(bucket);
        for (const key of keys) expect((await kv.get(key))?.json()).toMatchObject({ v: 2 });
      }
    } finally {
      await nc.close();
    }
    const bus = await connect({
      servers: node.natsUrls[0]!.replace(/^tls:/, 'nats:'),
      tls: { ca: node.caCertificatePem },
      authenticator: nkeyAuthenticator(
        new TextEncoder().encode(nkeyUserSeed(state.internal.busSeed)),
      ),
    });
    try {
      const jsm = await jetstreamManager(bus);
      const info = await jsm.streams.info(old.stream);
      expect(info.config.allow_direct).toBe(true);
      expect(info.state.messages).toBe(3);
      await expect(jsm.consumers.info(old.stream, old.legacyConsumer)).rejects.toThrow();
    } finally {
      await bus.close();
    }
  });

  it('serves users, rooms, keys, messages, blobs and the unused invite', async () => {
    const users = (await api(admin, 'GET', '/v1/users')).body as { handle: string }[];
    expect(users.map((u) => u.handle).sort()).toEqual(['admin', 'bob']);
    const rooms = (await api(bob, 'GET', '/v1/rooms')).body as { room: { room_id: string } }[];
    expect(rooms.map((r) => r.room.room_id)).toEqual([old.roomId]);
    expect(rooms[0]).not.toHaveProperty('room.v'); // the format version stays in the store
    const keys = (await api(bob, 'GET', `/v1/rooms/${old.roomId}/keys`)).body as unknown[];
    expect(keys).toHaveLength(1);
    const history = await api(bob, 'GET', `/v1/rooms/${old.roomId}/messages`);
    expect(
      (history.body.messages as { frame: string }[]).map(
        (m) => decodeFrame(base64urlDecode(m.frame)!).messageId,
      ),
    ).toEqual(old.messageIds);
    const blob = await api(bob, 'GET', `/v1/rooms/${old.roomId}/blobs/${old.blobHash}`);
    expect(blob.status).toBe(200);
    expect(Buffer.from(blob.text)).toEqual(Buffer.from(old.blob));
    const carol = person('carol');
    const joined = await api(carol, 'POST', '/v1/join', {
      token: old.inviteToken,
      card: carol.card,
    });
    expect(joined.status).toBe(201);
  });

  it('a member connects through the callout and her new frame follows the old ones', async () => {
    const inbox = (await api(bob, 'GET', '/v1/me')).body.data_plane.inbox_prefix as string;
    const room = (await api(bob, 'GET', `/v1/rooms/${old.roomId}`)).body.data_plane as {
      subject: string;
    };
    const nc = await connect({
      servers: node.natsUrls[0]!.replace(/^tls:/, 'nats:'),
      tls: { ca: node.caCertificatePem },
      authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeyUserSeed(bob.keys.signSeed))),
      inboxPrefix: inbox,
    });
    try {
      const frame = sealFrame(
        {
          type: 'message',
          roomId: old.roomId,
          epoch: 1,
          plaintext: encodeMessageBody({ type: 'message', text: 'after the upgrade' }),
        },
        old.roomKey,
        bob.keys.signSeed,
      );
      const receipt = (await nc.request(room.subject, frame, { timeout: 5_000 })).json();
      expect(receipt).toEqual({ seq: 4, duplicate: false });
    } finally {
      await nc.close();
    }
  });

  it('a second start finds format 2 and migrates nothing', async () => {
    await node.stop();
    logs.length = 0;
    node = await startNode({
      dataDir,
      httpPort: 0,
      natsPort: 0,
      log: (event, detail) => logs.push([event, detail]),
    });
    expect(logs.some(([event]) => event === 'store.migrated')).toBe(false);
    expect((await api(bob, 'GET', `/v1/rooms/${old.roomId}/messages`)).body.last_seq).toBe(4);
  });
});
