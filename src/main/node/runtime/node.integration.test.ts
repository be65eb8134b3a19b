/**
 * A whole node (real nats-server with TLS and nkeys, JetStream KV store, HTTPS control plane)
 * driven from outside: a raw signed HTTPS client and raw nats.js clients with their own nkeys.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import {
  nkeyAuthenticator,
  PermissionViolationError,
  type NatsConnection,
} from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grant, person, signedCall, type Person } from '../../../../test-support/node-fixtures';
import { nkeyUserSeed } from '../../crypto';
import { base64urlEncode, newRoomKey, newUlid, sealRoomMeta } from '../../protocol';
import { AtRestKeyError, startNode, type RunningNode } from './start-node';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('node - whole node from outside', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'unibus-node-'));
  const alice = person('alice-admin');
  const bob = person('bob');
  const eve = person('eve');
  const uniqueHandle = `carol${Date.now()}`;
  const carol = person(uniqueHandle);
  let node: RunningNode;
  const open: NatsConnection[] = [];
  let knownRoomId = '';

  const api = (who: Person, method: string, path: string, json?: unknown) => {
    const url = new URL(node.controlUrls[0]!);
    const target = {
      host: url.hostname,
      port: Number(url.port),
      caPem: node.caCertificatePem,
      nodeId: node.nodeId,
    };
    return signedCall(target, who, method, path, json);
  };

  async function natsAs(who: Person, options: { reconnect?: boolean } = {}) {
    const nc = await connect({
      servers: node.natsUrls[0]!.replace(/^tls:/, 'nats:'),
      tls: { ca: node.caCertificatePem },
      authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeyUserSeed(who.keys.signSeed))),
      inboxPrefix:
        (await api(who, 'GET', '/v1/me')).body?.data_plane?.inbox_prefix ?? '_INBOX_unknown',
      reconnect: options.reconnect ?? false,
      timeout: 3_000,
    });
    open.push(nc);
    const violations: PermissionViolationError[] = [];
    void (async () => {
      for await (const s of nc.status()) {
        const err = (s as { error?: unknown }).error;
        if (s.type === 'error' && err instanceof PermissionViolationError) violations.push(err);
      }
    })();
    return { nc, violations };
  }

  beforeAll(async () => {
    node = await startNode({
      dataDir,
      httpPort: 0,
      natsPort: 0,
      adminCard: alice.card,
      dev: false,
      log: (event, detail) => {
        if (process.env.UNIBUS_TEST_LOG) console.log(event, JSON.stringify(detail));
      },
    });
    for (const p of [bob, eve, carol]) {
      expect((await api(alice, 'POST', '/v1/users', { card: p.card })).status).toBe(201);
    }
  });

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => {});
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes its posture on /healthz and runs a supported nats-server', async () => {
    const res = await api(alice, 'GET', '/healthz');
    expect(res.body.posture).toMatchObject({
      tls: true,
      auth: 'signed',
      acl: true,
      at_rest: true,
      cluster: false,
    });
    expect(res.body.posture.server_version).toMatch(/^2\.(1[2-9]|[2-9]\d)\./);
  });

  it('serves its CA in the TLS chain so a joiner can check the fingerprint from the link first', async () => {
    const url = new URL(node.controlUrls[0]!);
    const socket = tlsConnect({
      host: url.hostname,
      port: Number(url.port),
      rejectUnauthorized: false,
    });
    await once(socket, 'secureConnect');
    const leaf = socket.getPeerCertificate(true);
    socket.destroy();
    const ca = leaf.issuerCertificate;
    expect(ca.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(node.caFingerprint);
  });

  it('kick: 0 of 20 reach the kicked member after the kick returns, on every path (core, history, new consumers)', async () => {
    const roomId = newUlid();
    knownRoomId = roomId;
    const roomKey = newRoomKey();
    const meta = base64urlEncode(
      sealRoomMeta({ roomId, epoch: 1, meta: { name: 'kick', topic: '' } }, roomKey),
    );
    const created = await api(alice, 'POST', '/v1/rooms', {
      room_id: roomId,
      policy: { persist: true, history: 'all' },
      meta,
      owner_key: grant(alice, roomId, 1, roomKey, alice),
    });
    expect(created.status).toBe(201);
    const room = created.body.data_plane as { subject: string; subjects: string };
    expect(room.subject).not.toContain(roomId); // opaque on the wire
    expect(created.body.data_plane).not.toHaveProperty('stream'); // the stream is the node's
    expect(
      (
        await api(alice, 'POST', `/v1/rooms/${roomId}/members`, {
          endpoint: bob.endpoint,
          keys: [grant(alice, roomId, 1, roomKey, bob)],
        })
      ).status,
    ).toBe(201);

    // Connected after the invite: the callout grants the room to these connections.
    const a = await natsAs(alice);
    // Bob reconnects forever, as a peer does: the KICK must not let him back into the room.
    const b = await natsAs(bob, { reconnect: true });
    const counts = { aliceCore: 0, bobCore: 0, before: 0 };
    let bobReconnected = false;
    void (async () => {
      for await (const s of b.nc.status()) if (s.type === 'reconnect') bobReconnected = true;
    })();
    a.nc.subscribe(room.subjects, {
      callback: (e, m) => {
        if (!e && m.string().startsWith('after')) counts.aliceCore++;
      },
    });
    b.nc.subscribe(room.subjects, {
      callback: (e, m) => {
        if (e) return;
        if (m.string().startsWith('after')) counts.bobCore++;
        else counts.before++;
      },
    });
    await a.nc.flush();
    await b.nc.flush();
    a.nc.publish(room.subject, 'before');
    await waitUntil(() => counts.before >= 1, 3_000, 'positive control before the kick');

    const next = newRoomKey();
    const kick = await api(alice, 'POST', `/v1/rooms/${roomId}/kick`, {
      endpoint: bob.endpoint,
      epoch: 2,
      keys: [grant(alice, roomId, 2, next, alice)],
    });
    expect(kick.status).toBe(200);
    expect(kick.body).toMatchObject({ epoch: 2, keyed: 1, members: 1, removed: bob.endpoint });

    for (let i = 0; i < 20; i++) a.nc.publish(room.subject, `after-${i}`);
    await waitUntil(() => counts.aliceCore === 20, 5_000, 'alice receives all 20');
    await waitUntil(() => bobReconnected, 10_000, 'bob reconnected after the KICK');
    // The reconnect re-made bob's subscription: the callout no longer grants the room.
    await waitUntil(
      () => b.violations.some((v) => v.operation === 'subscription' && v.subject === room.subjects),
      5_000,
      'resubscribe denied',
    );
    for (let i = 20; i < 40; i++) a.nc.publish(room.subject, `after-${i}`);
    await waitUntil(() => counts.aliceCore === 40, 5_000, 'alice receives all 40');
    await sleep(300);
    expect(counts.bobCore).toBe(0);
    // History: refused over the control plane; consumers: bob has no JetStream at all.
    expect((await api(bob, 'GET', `/v1/rooms/${roomId}/messages`)).status).toBe(403);
    await expect(
      b.nc.request('$JS.API.CONSUMER.CREATE.UNIBUS_x.c_bob', '{}', { timeout: 1_000 }),
    ).rejects.toThrow();
    await waitUntil(
      () => b.violations.some((v) => v.operation === 'publish' && v.subject.startsWith('$JS.API')),
      3_000,
      'consumer create denied',
    );
  });

  it("pushes room events on the member's own event subject", async () => {
    const b = await natsAs(bob);
    const events = (await api(bob, 'GET', '/v1/me')).body.data_plane.events as string;
    const received: unknown[] = [];
    b.nc.subscribe(events, {
      callback: (e, m) => {
        if (!e) received.push(m.json());
      },
    });
    await b.nc.flush();
    const roomId = newUlid();
    const roomKey = newRoomKey();
    const meta = base64urlEncode(
      sealRoomMeta({ roomId, epoch: 1, meta: { name: 'ev', topic: '' } }, roomKey),
    );
    await api(alice, 'POST', '/v1/rooms', {
      room_id: roomId,
      policy: { persist: false, history: 'since-join' },
      meta,
      owner_key: grant(alice, roomId, 1, roomKey, alice),
    });
    await api(alice, 'POST', `/v1/rooms/${roomId}/members`, {
      endpoint: bob.endpoint,
      keys: [grant(alice, roomId, 1, roomKey, bob)],
    });
    await waitUntil(() => received.length > 0, 3_000, 'room.added event');
    expect(received).toContainEqual({ type: 'room.added', room_id: roomId, epoch: 1 });
    // Nobody else may listen: eve subscribing to bob's event subject is a violation.
    const e = await natsAs(eve);
    e.nc.subscribe(events);
    await waitUntil(() => e.violations.some((v) => v.subject === events), 3_000, 'denied');
  });

  it('revoke: the revoked user is disconnected and cannot reconnect', async () => {
    const c = await natsAs(carol);
    const closed = c.nc.closed();
    const res = await api(alice, 'POST', `/v1/users/${carol.signPubHex}/revoke`);
    expect(res.status).toBe(200);
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      sleep(5_000).then(() => 'still open'),
    ]);
    expect(outcome).toBe('closed');
    // The callout refuses the revoked key.
    await expect(natsAs(carol)).rejects.toThrow(/Authorization|authorization/);
    expect((await api(carol, 'GET', '/v1/me')).status).toBe(401);
  });

  it('a registered non-member is denied _INBOX.>, $JS.API.>, $KV.> and other rooms', async () => {
    const e = await natsAs(eve);
    for (const subject of [
      '_INBOX.>',
      '$JS.API.>',
      '$KV.>',
      '$O.>',
      '>',
      'unibus.room.AAAAAAAAAAAAAAAAAAAAAA.>',
    ]) {
      e.nc.subscribe(subject);
    }
    await e.nc.flush();
    await waitUntil(
      () => e.violations.filter((v) => v.operation === 'subscription').length >= 6,
      3_000,
      'six denials',
    );
    await expect(e.nc.request('$JS.API.STREAM.LIST', '{}', { timeout: 1_000 })).rejects.toThrow();
  });

  it('at rest: a handle written through the API is not in the data directory; a wrong key refuses to start', async () => {
    await node.stop();
    const leaks = (needle: string) => {
      try {
        return execFileSync('grep', ['-r', '-l', '-a', needle, dataDir], {
          encoding: 'utf8',
        }).trim();
      } catch {
        return '';
      }
    };
    expect(leaks(uniqueHandle)).toBe('');
    expect(leaks(bob.endpoint)).toBe('');
    expect(leaks(knownRoomId)).toBe('');

    node = await startNode({ dataDir, httpPort: 0, natsPort: 0 });
    const users = await api(alice, 'GET', '/v1/users');
    expect(users.body.map((u: { handle: string }) => u.handle)).toContain(uniqueHandle);
    await node.stop();

    const keyFile = join(dataDir, 'secrets', 'jetstream.key');
    const rightKey = readFileSync(keyFile, 'utf8');
    writeFileSync(keyFile, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    await expect(startNode({ dataDir, httpPort: 0, natsPort: 0 })).rejects.toBeInstanceOf(
      AtRestKeyError,
    );
    writeFileSync(keyFile, rightKey, { mode: 0o600 });
    node = await startNode({ dataDir, httpPort: 0, natsPort: 0 });
    expect((await api(alice, 'GET', '/v1/users')).status).toBe(200);
  });

  it('a node started on free ports keeps them when its nats-server is killed and restarted', async () => {
    const before = node.supervisor.urls[0];
    const pid = node.supervisor.pid!;
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (node.supervisor.pid === pid || node.supervisor.pid === undefined) {
      if (Date.now() > deadline) throw new Error('nats-server was not restarted');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(node.supervisor.urls[0]).toBe(before);
    // The node's own connections found it again: a store-backed call and the stats answer.
    await expect
      .poll(async () => (await api(alice, 'GET', '/v1/users')).status, { timeout: 30_000 })
      .toBe(200);
    expect((await node.stats()).storeBytes).toBeGreaterThan(0);
  });
});
