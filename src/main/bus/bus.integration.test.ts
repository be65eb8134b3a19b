/**
 * The peer library against a real node (real nats-server, TLS, nkeys, JetStream), three peers
 * in one process: join, rooms, messages, forged frames, invite and kick with re-key, and the
 * offline outbox across a node restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneClient, ControlPlaneError } from '../control-plane';
import { generateIdentityKeyPairs, nkeyUserSeed, randomBytes } from '../crypto';
import { startNode, type RunningNode } from '../node/runtime/start-node';
import { loadConnection, type NodeConnection } from '../profile/connection';
import {
  decodeFrame,
  encodeFrame,
  encodeIdentityCard,
  encodeMessageBody,
  openRoomKeyGrant,
  parseRoomKeyGrant,
  sealFrame,
} from '../protocol';
import {
  BusPeer,
  joinWithLink,
  JoinError,
  natsServerUrls,
  type DroppedFrame,
  type PeerIdentity,
  type PeerLogEvent,
  type ReceivedMessage,
  type RoomDataPlane,
  type RoomEntry,
} from './index';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function identity(handle: string): PeerIdentity & { card: string } {
  const keys = generateIdentityKeyPairs();
  return {
    record: { handle },
    keys,
    card: encodeIdentityCard({ handle, signPublic: keys.signPublic, kexPublic: keys.kexPublic }),
  };
}

/** Everything one peer saw, for assertions. */
class Watcher {
  readonly messages: ReceivedMessage[] = [];
  readonly dropped: DroppedFrame[] = [];
  readonly historyDeliveries = new Map<string, number>();
  readonly logs: PeerLogEvent[] = [];
  readonly removed: string[] = [];

  attach(peer: BusPeer): void {
    peer.on('message', (m) => {
      this.messages.push(m);
      if (m.via === 'history') this.count(m.id);
    });
    peer.on('duplicate', (d) => {
      if (d.via === 'history') this.count(d.id);
    });
    peer.on('dropped', (d) => this.dropped.push(d));
    peer.on('room-removed', (r) => this.removed.push(r.roomId));
  }

  private count(id: string): void {
    this.historyDeliveries.set(id, (this.historyDeliveries.get(id) ?? 0) + 1);
  }

  ids(roomId: string): Set<string> {
    return new Set(this.messages.filter((m) => m.roomId === roomId).map((m) => m.id));
  }
}

describe('bus peer against a real node', () => {
  const root = mkdtempSync(join(tmpdir(), 'unibus-bus-'));
  const dataDir = join(root, 'node');
  const dirs = { a: join(root, 'alice'), b: join(root, 'bob'), c: join(root, 'carol') };
  const alice = identity('alice');
  const bob = identity('bob');
  const carol = identity('carol');
  const w = { a: new Watcher(), b: new Watcher(), c: new Watcher() };
  let ports: { http: number; nats: number };
  let node: RunningNode;
  let a: BusPeer;
  let b: BusPeer;
  let c: BusPeer;
  let roomId = '';
  let otherRoomId = '';
  const raw: NatsConnection[] = [];
  const sentToRoom: string[] = [];

  async function peer(
    who: PeerIdentity,
    dir: string,
    watcher: Watcher,
    connection?: NodeConnection,
  ) {
    const p = await BusPeer.connect({
      profileDir: dir,
      identity: who,
      ...(connection ? { connection } : {}),
      log: (entry) => watcher.logs.push(entry),
      connectionOptions: { reconnectTimeWaitMs: 250 },
    });
    watcher.attach(p); // before start(): no event of the first catch-up is missed
    await p.start();
    return p;
  }

  async function rawNats(who: PeerIdentity, p: BusPeer): Promise<NatsConnection> {
    const nc = await connect({
      servers: natsServerUrls(node.natsUrls),
      tls: { ca: node.caCertificatePem },
      authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeyUserSeed(who.keys.signSeed))),
      inboxPrefix: p.me.data_plane!.inbox_prefix,
      reconnect: false,
    });
    raw.push(nc);
    return nc;
  }

  async function dataPlane(p: BusPeer, id: string): Promise<RoomDataPlane> {
    return (await p.control.get<RoomEntry>(`/v1/rooms/${id}`)).data_plane!;
  }

  async function invite(): Promise<string> {
    const admin = new ControlPlaneClient({
      nodeId: node.nodeId,
      urls: node.controlUrls,
      caPem: node.caCertificatePem,
      signSeed: alice.keys.signSeed,
    });
    return (await admin.post<{ link: string }>('/v1/invites', {})).link;
  }

  async function sendAll(p: BusPeer, texts: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const text of texts) {
      const status = await p.sendAndWait(roomId, text);
      expect(status.state).toBe('stored');
      ids.push(status.id);
    }
    sentToRoom.push(...ids);
    return ids;
  }

  beforeAll(async () => {
    ports = { http: await freePort(), nats: await freePort() };
    node = await startNode({
      dataDir,
      httpPort: ports.http,
      natsPort: ports.nats,
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
    a = await peer(alice, dirs.a, w.a, connection);
  }, 60_000);

  afterAll(async () => {
    for (const nc of raw) await nc.close().catch(() => {});
    for (const p of [a, b, c]) await p?.close().catch(() => {});
    await node?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('joins with a link only when the CA matches the fingerprint, before sending the token', async () => {
    const link = await invite();
    const forged = link.replace(/ca=[0-9a-f]{64}/, `ca=${'0'.repeat(64)}`);
    await expect(joinWithLink(forged, { profileDir: dirs.b, identity: bob })).rejects.toThrow(
      JoinError,
    );
    // The token was never sent: the same single-use link still works.
    const joined = await joinWithLink(link, { profileDir: dirs.b, identity: bob });
    expect(joined.user).toMatchObject({ handle: 'bob', role: 'member', status: 'active' });
    expect((await loadConnection(dirs.b)).ca_pem).toBe(joined.connection.ca_pem);
    await joinWithLink(await invite(), { profileDir: dirs.c, identity: carol });
    b = await peer(bob, dirs.b, w.b);
    c = await peer(carol, dirs.c, w.c);
    expect([a.connectionState, b.connectionState, c.connectionState]).toEqual([
      'connected',
      'connected',
      'connected',
    ]);
  }, 30_000);

  it('creates a room, invites by handle, and every member decrypts its name', async () => {
    const room = await a.createRoom('Design', { topic: 'wire v1' });
    roomId = room.id;
    expect(room).toMatchObject({ name: 'Design', topic: 'wire v1', role: 'owner', epoch: 1 });
    expect(await a.invite(roomId, 'bob')).toMatchObject({ endpoint: b.endpoint });
    expect(await a.invite(roomId, 'carol')).toMatchObject({ endpoint: c.endpoint });
    for (const p of [b, c]) {
      const deadline = Date.now() + 10_000;
      let rooms = await p.listRooms();
      while (!rooms.some((r) => r.id === roomId) && Date.now() < deadline) {
        await sleep(50);
        rooms = await p.listRooms();
      }
      expect(rooms.find((r) => r.id === roomId)).toMatchObject({
        name: 'Design',
        topic: 'wire v1',
        role: 'member',
        keyedEpochs: [1],
      });
    }
    expect((await a.members(roomId)).map((m) => m.handle).sort()).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
  }, 30_000);

  it('rooms created back to back can be used at once (a room list fetched before one was made does not close it)', async () => {
    // Each creation announces itself, so room-list refreshes run while the next room is made.
    for (let i = 0; i < 8; i++) {
      const room = await a.createRoom(`back-to-back ${i}`);
      expect(await a.invite(room.id, 'bob')).toMatchObject({ endpoint: b.endpoint });
    }
  }, 60_000);

  it('all three exchange messages (live and history, de-duplicated)', async () => {
    const t0 = performance.now();
    await sendAll(a, ['hello from alice']);
    console.log(`send→stored (first message): ${(performance.now() - t0).toFixed(1)} ms`);
    await sendAll(b, ['hello from bob']);
    await sendAll(c, ['hello from carol']);
    for (const [name, watcher] of Object.entries(w)) {
      await waitUntil(
        () => sentToRoom.every((id) => watcher.ids(roomId).has(id)),
        10_000,
        `${name} to receive 3 messages`,
      );
    }
    const texts = (await c.history(roomId)).map((m) => `${m.senderHandle}: ${m.text}`);
    expect(texts).toEqual([
      'alice: hello from alice',
      'bob: hello from bob',
      'carol: hello from carol',
    ]);
    // Each frame arrived on both paths; exactly one was accepted.
    expect(w.c.messages.filter((m) => m.roomId === roomId)).toHaveLength(3);
    expect([...w.c.historyDeliveries.values()]).toEqual([1, 1, 1]);
  }, 30_000);

  it('drops unsigned, forged, copied, steered and unknown-epoch frames with a reason', async () => {
    const other = await c.createRoom('Elsewhere');
    otherRoomId = other.id;
    const room = await dataPlane(c, roomId);
    const otherPlane = await dataPlane(c, otherRoomId);
    const nc = await rawNats(carol, c);
    const captured: Uint8Array[] = [];
    const capture = nc.subscribe(otherPlane.subject, {
      callback: (_e, m) => void captured.push(m.data),
    });
    const own: Uint8Array[] = [];
    const captureOwn = nc.subscribe(room.subject, { callback: (_e, m) => void own.push(m.data) });
    await nc.flush();
    await c.sendAndWait(otherRoomId, 'only for the other room');
    const [real] = await sendAll(c, ['genuine']);
    await waitUntil(() => captured.length >= 1 && own.length >= 1, 5_000, 'raw captures');
    capture.unsubscribe();
    captureOwn.unsubscribe();

    const genuine = decodeFrame(own[0]!);
    expect(genuine.messageId).toBe(real);
    const unsigned = encodeFrame({ ...genuine, signature: null });
    const badSig = encodeFrame({
      ...genuine,
      signature: genuine.signature!.map((x, i) => (i === 0 ? x ^ 1 : x)),
    });
    const unknownEpoch = sealFrame(
      {
        type: 'message',
        roomId,
        epoch: 7,
        plaintext: encodeMessageBody({ type: 'message', text: 'from the future' }),
      },
      randomBytes(32),
      carol.keys.signSeed,
    );
    const before = w.a.dropped.length;
    nc.publish(room.subject, unsigned);
    nc.publish(room.subject, badSig);
    nc.publish(room.subject, captured[0]!); // a valid frame of another room
    nc.publish(room.subject, unknownEpoch);
    nc.publish(room.subject.replace(/\.msg$/, '.steer'), own[0]!);
    nc.publish(room.subject, new Uint8Array([1, 2, 3]));
    await nc.flush();
    const expected = [
      'unsigned',
      'bad-signature',
      'wrong-room',
      'unknown-epoch',
      'wrong-subject',
      'malformed',
    ];
    // Live: each one reaches alice's subscription and is dropped there, with its reason.
    await waitUntil(
      () =>
        expected.every((r) =>
          w.a.dropped.slice(before).some((d) => d.reason === r && d.via === 'live'),
        ),
      10_000,
      'alice to drop every forged frame live',
    );
    // Stored: the node kept only what a member signed for this room (§12.3). It cannot open
    // frames, so a member's frame claiming an unknown epoch is stored and dropped by readers.
    await a.history(roomId);
    expect(
      w.a.dropped
        .slice(before)
        .filter((d) => d.via === 'history')
        .map((d) => d.reason),
    ).toEqual(['unknown-epoch']);
    expect(w.a.logs.filter((l) => l.event === 'dropped').length).toBeGreaterThanOrEqual(7);
    // Nothing forged was accepted; the genuine frame was accepted once.
    expect(w.a.messages.filter((m) => m.roomId === roomId)).toHaveLength(4);
    expect(w.a.messages.some((m) => m.text === 'from the future')).toBe(false);
  }, 30_000);

  it('kick: re-keys to exactly the remaining members; bob gets 0 after, cannot fetch the new key; carol has no gap; a stale-key frame from bob is dropped', async () => {
    // Bob's epoch-1 key, as a kicked member would keep it.
    const grant = parseRoomKeyGrant(
      (await b.control.get<unknown[]>(`/v1/rooms/${roomId}/keys`))[0],
    );
    const staleKey = openRoomKeyGrant(grant, { roomId, epoch: 1 }, bob.keys, alice.keys.signPublic);
    const room = await dataPlane(b, roomId);
    const bobRaw = await rawNats(bob, b);
    let bobRawAfter = 0;
    const afterIds = new Set<string>();
    bobRaw.subscribe(room.subjects, {
      callback: (_e, m) => {
        try {
          if (afterIds.has(decodeFrame(m.data).messageId)) bobRawAfter++;
        } catch {
          /* not a frame */
        }
      },
    });
    await bobRaw.flush();

    const kickStart = Date.now();
    const receipt = await a.kick(roomId, 'bob');
    console.log(
      `kick: receipt after ${Date.now() - kickStart} ms, ACL revoked ${receipt.acl_revoked_at - kickStart} ms after the call`,
    );
    expect(receipt).toMatchObject({
      room_id: roomId,
      removed: b.endpoint,
      epoch: 2,
      keyed: 2,
      members: 2,
    });
    expect(receipt.acl_revoked_at).toBeGreaterThan(0);
    await waitUntil(() => w.b.removed.includes(roomId), 10_000, 'bob to learn of the kick');
    const carolRoom = async () => (await c.listRooms()).find((r) => r.id === roomId);
    const deadline = Date.now() + 10_000;
    while (!(await carolRoom())?.keyedEpochs.includes(2) && Date.now() < deadline) await sleep(50);
    expect((await carolRoom())?.keyedEpochs).toEqual([1, 2]);

    const bobBefore = w.b.messages.filter((m) => m.roomId === roomId).length;
    const sentA = a.send(roomId, 'after 1').then((s) => s.id);
    const idA = await sentA;
    afterIds.add(idA);
    const rest = await sendAll(a, ['after 2', 'after 3']);
    const fromC = await sendAll(c, ['after 4', 'after 5']);
    for (const id of [...rest, ...fromC]) afterIds.add(id);
    sentToRoom.push(idA);
    expect((await a.waitForStatus(idA)).state).toBe('stored');
    for (const watcher of [w.a, w.c]) {
      await waitUntil(
        () => sentToRoom.every((id) => watcher.ids(roomId).has(id)),
        10_000,
        'remaining members to receive everything',
      );
    }
    // Carol: every message of the room, in order, before and after the kick.
    const carolIds = (await c.history(roomId)).map((m) => m.id);
    expect(carolIds).toEqual([...sentToRoom].sort());
    expect((await c.history(roomId)).filter((m) => m.epoch === 2)).toHaveLength(5);

    // Bob: nothing after the kick, on any path.
    await sleep(1_000);
    expect(w.b.messages.filter((m) => m.roomId === roomId)).toHaveLength(bobBefore);
    expect(w.b.messages.some((m) => afterIds.has(m.id))).toBe(false);
    expect(bobRawAfter).toBe(0);
    const refused = await b.control.get(`/v1/rooms/${roomId}/keys`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControlPlaneError);
    expect((refused as ControlPlaneError).status).toBe(403);
    await expect(b.history(roomId)).rejects.toThrow(/not a member/);

    // A frame sealed by bob under the stale epoch-1 key, relayed by a member, is dropped.
    const stale = sealFrame(
      {
        type: 'message',
        roomId,
        epoch: 1,
        plaintext: encodeMessageBody({ type: 'message', text: 'stale' }),
      },
      staleKey,
      bob.keys.signSeed,
    );
    const carolRaw = await rawNats(carol, c);
    const before = { a: w.a.dropped.length, c: w.c.dropped.length };
    carolRaw.publish(room.subject, stale);
    await carolRaw.flush();
    for (const [name, watcher, from] of [
      ['alice', w.a, before.a],
      ['carol', w.c, before.c],
    ] as const) {
      await waitUntil(
        () =>
          watcher.dropped.slice(from).some((d) => d.reason === 'non-member' && d.via === 'live'),
        10_000,
        `${name} to drop the stale frame`,
      );
    }
    // Never stored: the node refuses a frame whose sender is no longer a member (§12.3).
    await c.history(roomId);
    expect(w.c.dropped.slice(before.c).filter((d) => d.via === 'history')).toEqual([]);
    expect(w.c.messages.some((m) => m.text === 'stale')).toBe(false);
  }, 60_000);

  it('outbox: 200 messages written while the node is down arrive exactly once after it restarts (plus 20 across a peer restart)', async () => {
    await node.stop();
    await waitUntil(
      () => a.connectionState !== 'connected' && c.connectionState !== 'connected',
      20_000,
      'peers to notice the node is gone',
    );
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await a.send(roomId, `offline ${i}`)).id);
    const writeMs = Date.now() - t0;
    expect(a.outboxSize).toBe(200);
    const onDisk = JSON.parse(readFileSync(join(dirs.a, 'outbox.json'), 'utf8')) as {
      entries: { id: string; frame: string }[];
    };
    expect(onDisk.entries.map((e) => e.id)).toEqual(ids);
    expect(JSON.stringify(onDisk)).not.toContain('offline 1');

    // Carol writes 20 and quits before the node is back: her next process resends them.
    const carolIds: string[] = [];
    for (let i = 0; i < 20; i++) carolIds.push((await c.send(roomId, `carol offline ${i}`)).id);
    await c.close();

    const t1 = Date.now();
    node = await startNode({ dataDir, httpPort: ports.http, natsPort: ports.nats });
    c = await peer(carol, dirs.c, w.c);
    const all = [...ids, ...carolIds];
    await waitUntil(() => all.every((id) => w.a.ids(roomId).has(id)), 60_000, 'alice to get 220');
    await waitUntil(() => all.every((id) => w.c.ids(roomId).has(id)), 60_000, 'carol to get 220');
    const deliverMs = Date.now() - t1;
    // Carol's new process shows the room's earlier history from her profile's frame cache
    // (sealed frames, verified and opened again); the history reader resumes after it.
    const carolHistory = await c.history(roomId, { timeoutMs: 20_000 });
    const cached = carolHistory.filter((m) => m.via === 'cache').map((m) => m.id);
    expect(cached).toEqual([...sentToRoom].sort());
    expect(readFileSync(join(dirs.c, 'frames', `${roomId}.jsonl`), 'utf8')).not.toContain('after');
    await waitUntil(() => a.outboxSize === 0 && c.outboxSize === 0, 10_000, 'outboxes to empty');
    expect(ids.every((id) => a.status(id)?.state === 'stored')).toBe(true);
    // Exactly once in the stream: the history reader delivered each id once.
    await c.history(roomId, { timeoutMs: 20_000 });
    await a.history(roomId, { timeoutMs: 20_000 });
    for (const id of all) expect(w.a.historyDeliveries.get(id)).toBe(1);
    const history = (await a.history(roomId)).filter((m) => m.text?.includes('offline'));
    expect(history).toHaveLength(220);
    expect(history.filter((m) => m.sender === a.endpoint).map((m) => m.text)).toEqual(
      ids.map((_, i) => `offline ${i}`),
    );
    console.log(
      `outbox: 200 sealed+persisted in ${writeMs} ms; 220 delivered ${deliverMs} ms after restart began`,
    );
  }, 120_000);
});
