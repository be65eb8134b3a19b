/**
 * Data plane: what a raw nats.js client with its own nkey can reach (H4, H4R-0006, N2-0008,
 * OBJ-0008, X-01, X-02), how the server authenticates it (B-NKEY, B-TLS), and how fast changes
 * of membership reach open connections (X-05, N4-0008). Permissions come from the node's auth
 * callout (one user JWT per connection); this file only looks at the server's answers.
 */
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/transport-node';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  b64url,
  call,
  ed25519Sign,
  frameBody,
  grant,
  natsHandConnect,
  natsInfo,
  newIdentity,
  newRoom,
  rawNats,
  signFrame,
  sleep,
  startNodeUnderTest,
  textBody,
  tryRequest,
  utf8,
  waitUntil,
  type Identity,
  type NewRoom,
  type NodeUnderTest,
  type RawNats,
} from './toolkit';

interface RoomPlane {
  subject: string;
  subjects: string;
}
interface MePlane {
  uid: string;
  inbox_prefix: string;
  events: string;
}
/** The room stream's name as an attacker guesses it (the node never hands it out). */
const streamOf = (p: RoomPlane) => `UNIBUS_${p.subject.split('.')[2]}`;

let n: NodeUnderTest;
let alice: Identity; // owner of R
let bob: Identity; // member of R
let mallory: Identity; // non-owner member of R
let eve: Identity; // registered, member of nothing
let R: NewRoom;
let plane: RoomPlane;
const open: RawNats[] = [];

const api = (who: Identity, method: string, path: string, body?: unknown) =>
  call(n.target, who, method, path, body);
const me = async (who: Identity) => (await api(who, 'GET', '/v1/me')).json.data_plane as MePlane;

/** A raw connection with the caller's private inbox prefix (as the node tells it). */
async function natsAs(who: Identity): Promise<RawNats> {
  const c = await rawNats(n.nats, who, { inboxPrefix: (await me(who)).inbox_prefix });
  open.push(c);
  return c;
}

async function createRoom(
  owner: Identity,
  members: Identity[],
): Promise<{ room: NewRoom; plane: RoomPlane }> {
  const room = newRoom(owner);
  const created = await api(owner, 'POST', '/v1/rooms', room.body);
  expect(created.status).toBe(201);
  for (const m of members) {
    const res = await api(owner, 'POST', `/v1/rooms/${room.roomId}/members`, {
      endpoint: m.endpoint,
      keys: [grant(owner, room.roomId, 1, room.roomKey, m)],
    });
    expect(res.status).toBe(201);
  }
  return { room, plane: created.json.data_plane as RoomPlane };
}

const frameFor = (room: NewRoom, sender: Identity, text: string) =>
  signFrame(
    frameBody({
      roomId: room.roomId,
      epoch: 1,
      sender: sender.endpoint,
      roomKey: room.roomKey,
      plaintext: textBody(text),
    }),
    sender.signSeed,
  );

/** Collects what a subscription receives. */
function collect(c: RawNats, subject: string): Msg[] {
  const got: Msg[] = [];
  c.nc.subscribe(subject, { callback: (error, m) => void (!error && got.push(m)) });
  return got;
}

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice, bob, mallory, eve] = await n.register('alice', 'bob', 'mallory', 'eve');
  ({ room: R, plane } = await createRoom(alice, [bob, mallory]));
});
afterAll(async () => {
  for (const c of open) await c.nc.close().catch(() => {});
  await n?.stop();
});

describe('authentication on the NATS port (B-TLS, B-NKEY)', () => {
  it('B-TLS-01: the server requires TLS and auth and sends a nonce; a wrong CA fails the handshake', async () => {
    const { info, socket } = await natsInfo(n.nats.url);
    socket.destroy();
    expect(info).toMatchObject({ tls_required: true, auth_required: true });
    expect(info.version).toMatch(/^2\.(1[2-9]|[2-9]\d)\./); // a supported line
    expect(info.nonce).toMatch(/^\S{8,}$/);
    // A client that trusts other roots (the public web PKI) does not complete the handshake.
    await expect(
      rawNats({ url: n.nats.url, caPem: rootCertificates.join('\n') }, alice),
    ).rejects.toThrow();
  });

  it('B-NKEY-01: a registered nkey connects; an unregistered nkey and no nkey are refused', async () => {
    const ok = await natsAs(alice);
    expect(ok.nc.isClosed()).toBe(false);
    await expect(rawNats(n.nats, newIdentity('outsider'))).rejects.toThrow(/Authorization/i);
    await expect(rawNats(n.nats, null)).rejects.toThrow(/Authorization/i);
  });

  it('B-NKEY-01: a CONNECT signed over another nonce (a replayed handshake) is refused', async () => {
    const line = await natsHandConnect(n.nats.url, n.nats.caPem, (nonce) => ({
      nkey: alice.nkey,
      sig: b64url(ed25519Sign(alice.signSeed, utf8(`${nonce}x`))),
      verbose: false,
      pedantic: false,
      tls_required: true,
    }));
    expect(line).toMatch(/^-ERR 'Authorization Violation'/);
    const good = await natsHandConnect(n.nats.url, n.nats.caPem, (nonce) => ({
      nkey: alice.nkey,
      sig: b64url(ed25519Sign(alice.signSeed, utf8(nonce))),
      verbose: false,
      pedantic: false,
      tls_required: true,
    }));
    expect(good).toBe('PONG');
  });
});

describe('a registered non-member (H4, H4R-0006, N2-0008, OBJ-0008, X-01)', () => {
  it('H4: a non-member can neither read nor write a room; members get only ciphertext', async () => {
    const e = await natsAs(eve);
    const b = await natsAs(bob);
    const eveGot = collect(e, plane.subjects);
    const bobGot = collect(b, plane.subjects);
    await e.violation('subscription', plane.subjects);
    await b.nc.flush();
    e.nc.publish(plane.subject, new Uint8Array(1024).fill(0x41));
    await e.violation('publish', plane.subject);
    const a = await natsAs(alice);
    a.nc.publish(plane.subject, frameFor(R, alice, 'internal: salary numbers'));
    await waitUntil(() => bobGot.length === 1, 3_000, 'the member receives (positive control)');
    await sleep(300);
    expect(eveGot).toHaveLength(0);
    expect(Buffer.from(bobGot[0]!.data).includes('salary')).toBe(false);
  });

  it('H4R-0006: wildcard and system subscriptions are violations; nothing arrives while a member talks', async () => {
    const e = await natsAs(eve);
    const subjects = [
      '>',
      '$JS.EVENT.>',
      '$JS.API.>',
      '$SYS.>',
      '$KV.>',
      '$O.>',
      plane.subjects,
      'unibus.room.*.msg',
      'unibus.>',
    ];
    const got = subjects.map((s) => collect(e, s));
    for (const s of subjects) await e.violation('subscription', s, 1_000);
    const a = await natsAs(alice);
    const aliceGot = collect(a, plane.subjects);
    await a.nc.flush();
    a.nc.publish(plane.subject, frameFor(R, alice, 'positive control'));
    await waitUntil(() => aliceGot.length === 1, 3_000, 'alice receives her own room');
    await sleep(500);
    expect(got.flat()).toHaveLength(0);
  });

  it("N2-0008: the node's KV store and the JetStream API are out of reach (no data, only denials)", async () => {
    for (const who of [eve, mallory]) {
      const c = await natsAs(who);
      const requests = [
        '$JS.API.INFO',
        '$JS.API.STREAM.LIST',
        '$JS.API.STREAM.NAMES',
        '$JS.API.STREAM.INFO.KV_UNIBUS_users',
        '$JS.API.STREAM.INFO.KV_UNIBUS_room_keys',
        `$JS.API.STREAM.INFO.${streamOf(plane)}`,
        '$JS.API.DIRECT.GET.KV_UNIBUS_users',
        `$JS.API.CONSUMER.CREATE.KV_UNIBUS_users`,
      ];
      for (const subject of requests) {
        expect({ subject, outcome: await tryRequest(c, subject) }).toEqual({
          subject,
          outcome: 'denied',
        });
        await c.violation('publish', subject);
      }
      const kvWatch = collect(c, '$KV.UNIBUS_users.>');
      await c.violation('subscription', '$KV.UNIBUS_users.>');
      expect(kvWatch).toHaveLength(0);
      const jsm = await jetstreamManager(c.nc, { checkAPI: false, timeout: 1_000 });
      await expect(jsm.streams.names().next()).rejects.toThrow();
    }
  });

  it('OBJ-0008: the object store API is out of reach', async () => {
    const e = await natsAs(eve);
    expect(await tryRequest(e, '$JS.API.STREAM.INFO.OBJ_UNIBUS_blobs')).toBe('denied');
    await e.violation('publish', '$JS.API.STREAM.INFO.OBJ_UNIBUS_blobs');
    collect(e, '$O.UNIBUS_blobs.>');
    await e.violation('subscription', '$O.UNIBUS_blobs.>');
  });

  it("X-01: nobody may listen on _INBOX.> or another user's inbox, or publish into inboxes", async () => {
    const e = await natsAs(eve);
    const bobInbox = `${(await me(bob)).inbox_prefix}.>`;
    const stolen = [collect(e, '_INBOX.>'), collect(e, bobInbox)];
    await e.violation('subscription', '_INBOX.>');
    await e.violation('subscription', bobInbox);
    e.nc.publish('_INBOX.anything', 'forged reply');
    await e.violation('publish', '_INBOX.anything');
    // Meanwhile bob sends a frame (the node's receipt comes into his own inbox), reads history
    // and alice makes signed HTTP requests.
    const b = await natsAs(bob);
    const receipt = await b.nc.request(plane.subject, frameFor(R, bob, 'x-01'), { timeout: 3_000 });
    expect(receipt.json()).toMatchObject({ duplicate: false });
    const history = await api(bob, 'GET', `/v1/rooms/${R.roomId}/messages`);
    expect(history.json.messages.length).toBeGreaterThan(0);
    expect((await api(alice, 'GET', `/v1/rooms/${R.roomId}/members`)).status).toBe(200);
    await sleep(300);
    expect(stolen.flat()).toHaveLength(0);
  });

  it("P-27: only the node publishes on a user's event subject; others may not listen either", async () => {
    const e = await natsAs(eve);
    const bobEvents = (await me(bob)).events;
    collect(e, bobEvents);
    await e.violation('subscription', bobEvents);
    e.nc.publish(bobEvents, JSON.stringify({ type: 'room.removed', room_id: R.roomId }));
    await e.violation('publish', bobEvents);
  });
});

describe('a member attacking its own room (X-02)', () => {
  it('X-02: a member cannot purge, delete, re-bind or rewrite the room stream; history stays intact', async () => {
    const a = await natsAs(alice);
    for (let i = 0; i < 3; i++) a.nc.publish(plane.subject, frameFor(R, alice, `history ${i}`));
    await a.nc.flush();
    const m = await natsAs(mallory);
    // Raw JetStream API requests, so each verb is sent exactly as named (no client-side lookups).
    const attempts: [string, unknown][] = [
      [`$JS.API.STREAM.PURGE.${streamOf(plane)}`, {}],
      [`$JS.API.STREAM.DELETE.${streamOf(plane)}`, {}],
      [`$JS.API.STREAM.MSG.DELETE.${streamOf(plane)}`, { seq: 1 }],
      [
        `$JS.API.STREAM.UPDATE.${streamOf(plane)}`,
        { name: streamOf(plane), subjects: [plane.subjects, 'unibus.room.>'] },
      ],
      ['$JS.API.STREAM.CREATE.CAPTURE', { name: 'CAPTURE', subjects: ['unibus.>'] }],
    ];
    for (const [subject, body] of attempts) {
      expect({ subject, outcome: await tryRequest(m, subject, body) }).toEqual({
        subject,
        outcome: 'denied',
      });
      await m.violation('publish', subject);
    }
    // No consumer at all: members have no JetStream access (history is read over HTTPS).
    const jsm = await jetstreamManager(m.nc, { checkAPI: false, timeout: 1_000 });
    await expect(
      jsm.consumers.add(streamOf(plane), { durable_name: 'c_any', ack_policy: AckPolicy.Explicit }),
    ).rejects.toThrow();
    // Her history still holds everything stored: nothing was deleted.
    const history = await api(mallory, 'GET', `/v1/rooms/${R.roomId}/messages`);
    expect(history.status).toBe(200);
    expect(history.json.messages.length).toBeGreaterThanOrEqual(5); // H4's, H4R's, these three
  });
});

describe('membership changes reach open connections (X-05, N4-0008)', () => {
  it('X-05: a revoked user is disconnected at once and cannot reconnect; her publish fails', async () => {
    const [temp] = await n.register('temp');
    const { plane: p } = await createRoom(alice, [temp]);
    const t = await natsAs(temp);
    const closed = t.nc.closed();
    const started = Date.now();
    expect((await api(n.admin, 'POST', `/v1/users/${temp.signPubHex}/revoke`)).status).toBe(200);
    await Promise.race([
      closed,
      sleep(2_000).then(() => Promise.reject(new Error('still connected after 2 s'))),
    ]);
    expect(Date.now() - started).toBeLessThan(2_000 + 1_000);
    expect(() => t.nc.publish(p.subject, 'after revoke')).toThrow();
    await expect(rawNats(n.nats, temp)).rejects.toThrow(/Authorization/i);
  });

  it('X-05: a kicked member stops receiving that room at once (core, history, consumers), other rooms keep flowing', async () => {
    const { room: K, plane: kp } = await createRoom(alice, [bob]);
    const { plane: other } = await createRoom(alice, [bob]);
    // Bob reconnects as a peer does: the KICK must cut the room, not his other room.
    const b = await rawNats(n.nats, bob, {
      inboxPrefix: (await me(bob)).inbox_prefix,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    open.push(b);
    let reconnected = false;
    void (async () => {
      for await (const s of b.nc.status()) if (s.type === 'reconnect') reconnected = true;
    })();
    const kicked = collect(b, kp.subjects);
    const kept = collect(b, other.subjects);
    await b.nc.flush();
    const kick = await api(alice, 'POST', `/v1/rooms/${K.roomId}/kick`, {
      endpoint: bob.endpoint,
      epoch: 2,
      keys: [grant(alice, K.roomId, 2, new Uint8Array(32).fill(9), alice)],
    });
    expect(kick.status).toBe(200);
    const a = await natsAs(alice);
    for (let i = 0; i < 10; i++) a.nc.publish(kp.subject, frameFor(K, alice, `after ${i}`));
    await waitUntil(() => reconnected, 10_000, 'bob back after the KICK');
    await b.violation('subscription', kp.subjects); // re-subscribing is denied now
    for (let i = 0; i < 10; i++) {
      a.nc.publish(kp.subject, frameFor(K, alice, `after ${10 + i}`));
      a.nc.publish(other.subject, `other ${i}`);
    }
    await waitUntil(() => kept.length === 10, 5_000, 'the other room keeps flowing');
    await sleep(300);
    expect(kicked).toHaveLength(0);
    expect((await api(bob, 'GET', `/v1/rooms/${K.roomId}/messages`)).status).toBe(403);
    const jsm = await jetstreamManager(b.nc, { checkAPI: false, timeout: 1_000 });
    await expect(
      jsm.consumers.add(streamOf(kp), { ack_policy: AckPolicy.Explicit }),
    ).rejects.toThrow();
  });

  it('N4-0008: a connection opened before an invite gains the room on reconnect, and loses nothing', async () => {
    const [late] = await n.register('late');
    const l = await rawNats(n.nats, late, {
      inboxPrefix: (await me(late)).inbox_prefix,
      reconnect: true,
      reconnectTimeWait: 100,
    });
    open.push(l);
    const { room: J, plane: jp } = await createRoom(alice, []);
    expect(
      (
        await api(alice, 'POST', `/v1/rooms/${J.roomId}/members`, {
          endpoint: late.endpoint,
          keys: [grant(alice, J.roomId, 1, J.roomKey, late)],
        })
      ).status,
    ).toBe(201);
    // Permissions come with the connection: the old one was not granted the room…
    collect(l, jp.subjects);
    await l.violation('subscription', jp.subjects);
    // …and what is sent before the peer reconnects waits in the room's history.
    const a = await natsAs(alice);
    await a.nc.request(jp.subject, frameFor(J, alice, 'while you connect'), { timeout: 3_000 });
    // The peer reconnects on `room.added`; the callout grants the room to the new connection.
    let back = false;
    void (async () => {
      for await (const st of l.nc.status()) if (st.type === 'reconnect') back = true;
    })();
    await l.nc.reconnect();
    await waitUntil(() => back, 5_000, 'reconnected');
    const got = collect(l, jp.subjects);
    await l.nc.flush();
    a.nc.publish(jp.subject, frameFor(J, alice, 'welcome'));
    await waitUntil(() => got.length === 1, 5_000, 'the new member receives after reconnecting');
    const history = await api(late, 'GET', `/v1/rooms/${J.roomId}/messages`);
    expect(history.json.messages).toHaveLength(2); // nothing lost: both frames are stored
  });
});

describe('traffic metadata', () => {
  it('Traffic metadata: subjects, streams, consumers and inboxes carry no room id, endpoint id or handle', async () => {
    const mine = await me(bob);
    const names = [plane.subject, plane.subjects, mine.uid, mine.inbox_prefix, mine.events];
    expect(names.every((name) => typeof name === 'string' && name.length > 0)).toBe(true);
    expect(plane).not.toHaveProperty('stream'); // the node's own, never handed out
    expect(mine).not.toHaveProperty('consumer'); // members have none
    for (const id of [R.roomId, bob.endpoint, alice.endpoint, 'bob', bob.signPubHex])
      expect(names.join(' ')).not.toContain(id);
  });
});
