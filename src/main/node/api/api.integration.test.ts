/**
 * The control-plane API over real TLS against a real JetStream store, driven by a raw signed
 * HTTPS client. Data-plane effects are recorded here; the node assembly tests wire them to the
 * real nats-server ACL.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNatsServer } from '../../../../test-support/nats-server';
import {
  grant,
  newRoomRequest,
  person,
  signedCall,
  type Person,
} from '../../../../test-support/node-fixtures';
import { base64urlEncode, newRoomKey, newUlid, sealRoomMeta } from '../../protocol';
import { DataPlaneNames } from '../acl/names';
import { BlobRefs } from '../blobs/blob-refs';
import { FileBlobStore } from '../blobs/file-blob-store';
import { InflightLimiter } from '../control-plane/inflight-limiter';
import { RateLimiter } from '../control-plane/rate-limiter';
import { ReplayCache } from '../control-plane/replay-cache';
import { createControlPlaneServer } from '../control-plane/server';
import { InviteKeyRing, InviteStore } from '../invites';
import { NodeStore } from '../store';
import { generateNodeTlsMaterial, type NodeTlsMaterial } from '../tls/certificates';
import { activeSignerLookup, buildRoutes, DEFAULT_LIMITS, type NodeEvent } from './index';

const NODE_ID = 'node-api-test';

describe('node api - signed HTTPS against a real JetStream store', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let tls: NodeTlsMaterial;
  let server: Server;
  let port: number;
  /** The data-plane effects in the order membership/ asked for them. */
  const effectLog: string[] = [];
  const events: [string, NodeEvent][] = [];
  const alice = person('alice');
  const bob = person('bob');
  const carol = person('carol');
  const eve = person('eve');

  beforeAll(async () => {
    nats = await TestNatsServer.start({ jetstream: true });
    nc = await connect({ servers: nats.url });
    const store = await NodeStore.open(nc, { replicas: 1, timeoutMs: 2_000 });
    const invites = await InviteStore.open(nc, { replicas: 1, timeoutMs: 2_000 });
    await store.addUser({
      signPubHex: alice.signPubHex,
      endpoint: alice.endpoint,
      kexPub: base64urlEncode(alice.keys.kexPublic),
      handle: 'alice',
      role: 'admin',
    });
    let ring = InviteKeyRing.generate();
    const blobDir = mkdtempSync(join(tmpdir(), 'unibus-api-blobs-'));
    tls = await generateNodeTlsMaterial({ subjectAltNames: [] });
    server = createControlPlaneServer({
      nodeId: NODE_ID,
      tls: { key: tls.server.privateKeyPem, cert: tls.server.certificatePem },
      routes: buildRoutes({
        nodeId: NODE_ID,
        store,
        invites,
        inviteKeys: () => ring,
        rotateInviteKeys: async (graceSeconds) => {
          ring = ring.rotate({ nowSeconds: Math.floor(Date.now() / 1000), graceSeconds });
          return ring;
        },
        joinLink: (token) => `unibus://join?v=1&t=${token}`,
        effects: {
          syncAccess: async () => {
            effectLog.push('sync');
          },
          disconnect: async (endpoints) => {
            effectLog.push(`disconnect ${endpoints.join(',')}`);
            return Date.now();
          },
          ensureRoomStream: async () => {},
          publishEvent: async (endpoint, event) => {
            events.push([endpoint, event]);
          },
          readMessages: async () => ({ messages: [], last_seq: 0 }),
        },
        posture: () => ({
          node_id: NODE_ID,
          tls: true,
          auth: 'signed',
          acl: true,
          at_rest: true,
          store: 'jetstream-kv',
          replicas: 1,
          cluster: false,
          server_version: 'test',
        }),
        limits: DEFAULT_LIMITS,
        names: new DataPlaneNames(new Uint8Array(32)),
        blobs: await FileBlobStore.open(blobDir),
        blobRefs: await BlobRefs.open(nc, store, { replicas: 1 }),
      }),
      lookupSigner: activeSignerLookup(store),
      rateLimiter: new RateLimiter({ ratePerSecond: 1000, burst: 1000, maxSources: 100 }),
      inflight: new InflightLimiter(64 * 1024 * 1024),
      replayCache: new ReplayCache({ ttlMs: 60_000, maxEntries: 100_000 }),
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.close();
    await nc?.close().catch(() => {});
    await nats?.stop();
  });

  const call = (who: Person, method: string, path: string, json?: unknown) =>
    signedCall(
      { host: '127.0.0.1', port, caPem: tls.ca.certificatePem, nodeId: NODE_ID },
      who,
      method,
      path,
      json,
    );

  async function createRoom(owner: Person, history: 'all' | 'since-join' = 'all') {
    const { roomId, roomKey, body } = newRoomRequest(owner, { name: 'payroll', history });
    return { roomId, roomKey, res: await call(owner, 'POST', '/v1/rooms', body) };
  }

  it('admin enrols users by card; members get 403 on every admin route (B-USR-01)', async () => {
    for (const p of [bob, carol, eve]) {
      const res = await call(alice, 'POST', '/v1/users', { card: p.card, role: 'member' });
      expect(res.status).toBe(201);
    }
    expect((await call(alice, 'POST', '/v1/users', { card: bob.card, role: 'admin' })).status).toBe(
      409,
    );
    const users = (await call(alice, 'GET', '/v1/users')).body as {
      handle: string;
      role: string;
    }[];
    expect(users.find((u) => u.handle === 'bob')?.role).toBe('member');
    expect((await call(bob, 'GET', '/v1/users')).status).toBe(403);
    expect((await call(bob, 'POST', '/v1/users', { card: person('x').card })).status).toBe(403);
    expect((await call(bob, 'POST', `/v1/users/${carol.signPubHex}/revoke`)).status).toBe(403);
    expect((await call(alice, 'POST', '/v1/users', { card: '{"v":1}' })).status).toBe(400);
    expect(
      (await call(alice, 'POST', '/v1/users', { card: person('y').card, role: 'root' })).status,
    ).toBe(400);
  });

  it('binds the owner of a new room to the signer (H6) and shows the room only to members (H3)', async () => {
    const spoofId = newUlid();
    const key = newRoomKey();
    const meta = base64urlEncode(
      sealRoomMeta({ roomId: spoofId, epoch: 1, meta: { name: 'x', topic: '' } }, key),
    );
    const spoofOwner = await call(bob, 'POST', '/v1/rooms', {
      room_id: spoofId,
      policy: { persist: true, history: 'all' },
      meta,
      owner: alice.endpoint,
      owner_key: grant(bob, spoofId, 1, key, bob),
    });
    expect(spoofOwner.status).toBe(403);
    const keyForAlice = await call(bob, 'POST', '/v1/rooms', {
      room_id: spoofId,
      policy: { persist: true, history: 'all' },
      meta,
      owner_key: grant(bob, spoofId, 1, key, alice),
    });
    expect(keyForAlice.status).toBe(403);

    const { roomId, roomKey, res } = await createRoom(alice);
    expect(res.status).toBe(201);
    expect(
      (
        await call(alice, 'POST', `/v1/rooms/${roomId}/members`, {
          endpoint: carol.endpoint,
          keys: [grant(alice, roomId, 1, roomKey, carol)],
        })
      ).status,
    ).toBe(201);
    for (const path of [
      `/v1/rooms/${roomId}`,
      `/v1/rooms/${roomId}/members`,
      `/v1/rooms/${roomId}/keys`,
    ]) {
      const denied = await call(bob, 'GET', path);
      expect(denied.status).toBe(403);
      expect(denied.text).not.toContain(alice.endpoint);
      expect((await call(carol, 'GET', path)).status).toBe(200);
    }
    const carolKeys = (await call(carol, 'GET', `/v1/rooms/${roomId}/keys`)).body as {
      endpoint: string;
    }[];
    expect(carolKeys.map((k) => k.endpoint)).toEqual([carol.endpoint]);
    expect((await call(bob, 'GET', `/v1/rooms/${newUlid()}`)).text).toBe(
      (await call(bob, 'GET', `/v1/rooms/${roomId}`)).text,
    );
    expect(events).toContainEqual([
      carol.endpoint,
      { type: 'room.added', room_id: roomId, epoch: 1 },
    ]);
  });

  it('kicks with a rekey that must cover exactly the remaining members, and returns a receipt', async () => {
    const { roomId, roomKey } = await createRoom(alice);
    for (const p of [bob, carol]) {
      await call(alice, 'POST', `/v1/rooms/${roomId}/members`, {
        endpoint: p.endpoint,
        keys: [grant(alice, roomId, 1, roomKey, p)],
      });
    }
    const next = newRoomKey();
    const missingCarol = await call(alice, 'POST', `/v1/rooms/${roomId}/kick`, {
      endpoint: bob.endpoint,
      epoch: 2,
      keys: [grant(alice, roomId, 2, next, alice)],
    });
    expect(missingCarol.status).toBe(409);
    const keysBob = await call(alice, 'POST', `/v1/rooms/${roomId}/kick`, {
      endpoint: bob.endpoint,
      epoch: 2,
      keys: [alice, carol, bob].map((p) => grant(alice, roomId, 2, next, p)),
    });
    expect(keysBob.status).toBe(409);
    expect(
      (
        await call(carol, 'POST', `/v1/rooms/${roomId}/kick`, {
          endpoint: bob.endpoint,
          epoch: 2,
          keys: [],
        })
      ).status,
    ).toBe(403);

    const effectsBefore = effectLog.length;
    const kicked = await call(alice, 'POST', `/v1/rooms/${roomId}/kick`, {
      endpoint: bob.endpoint,
      epoch: 2,
      keys: [alice, carol].map((p) => grant(alice, roomId, 2, next, p)),
    });
    expect(kicked.status).toBe(200);
    expect(kicked.body).toMatchObject({
      room_id: roomId,
      removed: bob.endpoint,
      epoch: 2,
      keyed: 2,
      members: 2,
    });
    // The store change first, then the callout's state synced, then bob's connections cut.
    expect(effectLog.slice(effectsBefore)).toEqual(['sync', `disconnect ${bob.endpoint}`]);
    expect((await call(bob, 'GET', `/v1/rooms/${roomId}/keys`)).status).toBe(403);
    const carolKeys = (await call(carol, 'GET', `/v1/rooms/${roomId}/keys`)).body as {
      epoch: number;
    }[];
    expect(carolKeys.map((k) => k.epoch)).toEqual([1, 2]);
  });

  it('invites: token shown once, listed without secrets, single use, revocable (seeds 002/003)', async () => {
    const minted = await call(alice, 'POST', '/v1/invites', {
      role: 'member',
      ttl_seconds: 3600,
      max_uses: 1,
    });
    expect(minted.status).toBe(201);
    const token = minted.body.token as string;
    expect(minted.text.split(token).length - 1).toBe(2); // in `token` and inside `link`, nowhere else
    const listing = await call(alice, 'GET', '/v1/invites');
    expect(listing.text).not.toContain(token);
    expect(listing.text).not.toContain(token.split('.')[1]!);
    expect((await call(bob, 'POST', '/v1/invites', {})).status).toBe(403);

    const dave = person('dave');
    const joined = await call(dave, 'POST', '/v1/join', { token, card: dave.card });
    expect(joined.status).toBe(201);
    expect((await call(dave, 'GET', '/v1/me')).status).toBe(200);
    const frank = person('frank');
    expect((await call(frank, 'POST', '/v1/join', { token, card: frank.card })).body).toEqual({
      error: 'invite already used',
    });

    const second = await call(alice, 'POST', '/v1/invites', { max_uses: 5 });
    expect((await call(alice, 'POST', `/v1/invites/${second.body.invite.id}/revoke`)).status).toBe(
      200,
    );
    expect(
      (await call(frank, 'POST', '/v1/join', { token: second.body.token, card: frank.card })).body,
    ).toEqual({ error: 'invite revoked' });

    const third = await call(alice, 'POST', '/v1/invites', {});
    const signedByOther = await call(frank, 'POST', '/v1/join', {
      token: third.body.token,
      card: person('gina').card,
    });
    expect(signedByOther.status).toBe(403);
  });

  it('revokes a user on both planes at once and answers 401 to their next request', async () => {
    const res = await call(alice, 'POST', `/v1/users/${eve.signPubHex}/revoke`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('revoked');
    expect(effectLog.slice(-2)).toEqual(['sync', `disconnect ${eve.endpoint}`]);
    expect((await call(eve, 'GET', '/v1/me')).status).toBe(401);
    expect((await call(alice, 'POST', `/v1/users/${alice.signPubHex}/revoke`)).status).toBe(409);
  });

  it('publishes posture on /healthz without authentication', async () => {
    const res = await new Promise<string>((resolve, reject) => {
      request(
        { host: '127.0.0.1', port, path: '/healthz', ca: tls.ca.certificatePem, agent: false },
        (r) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString()));
          r.on('end', () => resolve(text));
        },
      )
        .on('error', reject)
        .end();
    });
    expect(JSON.parse(res)).toMatchObject({
      status: 'ok',
      posture: { tls: true, acl: true, auth: 'signed' },
    });
  });
});
