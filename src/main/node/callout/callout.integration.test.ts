/**
 * The allow-set as the auth callout grants it, on the real nats-server (config mode), with the
 * node's real parts (store on KV, membership cache, callout worker, frame ingest, CONNZ +
 * KICK) and raw nats.js clients holding their own nkeys. No HTTPS: membership changes are made
 * in the store, the way membership/ makes them. Every "denied" verdict needs an observed
 * violation (and, where a delivery could have happened, a positive control on the same path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { createUser, type KeyPair } from '@nats-io/nkeys';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, type Person } from '../../../../test-support/node-fixtures';
import { ed25519PublicKey, nkeyPublic, nkeyUserSeed, randomBytes } from '../../crypto';
import { base64urlEncode, encodeMessageBody, newRoomKey, newUlid, sealFrame } from '../../protocol';
import { DataPlaneNames } from '../acl/names';
import { inboxPrefix } from '../acl/subjects';
import { FrameIngest } from '../ingest/frame-ingest';
import { readNatsServerVersion, resolveNatsServerBinary } from '../nats-server/binary';
import { DEFAULT_MAX_PAYLOAD, renderNatsServerConfig } from '../nats-server/config';
import { sleep } from '../nats-server/process-io';
import { NatsServerSupervisor } from '../nats-server/supervisor';
import { natsServerFeatures } from '../nats-server/version';
import { DataPlane } from '../runtime/data-plane';
import { NodeStore, type RoomRecord } from '../store';
import { DataPlaneAccess } from './access';
import { CalloutWorker } from './callout-worker';
import { MembershipCache } from './membership-cache';

interface Peer {
  readonly who: Person;
  readonly nc: NatsConnection;
  readonly violations: PermissionViolationError[];
}

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('auth callout on the real nats-server: grants, denials, kick and fail-closed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unibus-callout-'));
  const kp = { node: createUser(), bus: createUser(), members: createUser(), sys: createUser() };
  const issuerSeed = randomBytes(32);
  const names = new DataPlaneNames(randomBytes(32));
  const [alice, bob, eve] = [person('alice'), person('bob'), person('eve')];
  const roomId = newUlid();
  const roomKey = newRoomKey();
  const plane = names.room(roomId);
  let sup: NatsServerSupervisor;
  const conns: NatsConnection[] = [];
  let store: NodeStore;
  let cache: MembershipCache;
  let callout: CalloutWorker;
  let access: DataPlaneAccess;
  let busJs: ReturnType<typeof jetstream>;
  let room: RoomRecord;

  const internal = (k: KeyPair) => connectWith(k.getSeed());
  async function connectWith(seed: Uint8Array, inbox?: string, reconnect = false) {
    const nc = await connect({
      servers: sup.urls[0],
      authenticator: nkeyAuthenticator(seed),
      ...(inbox ? { inboxPrefix: inbox } : {}),
      reconnect,
      reconnectTimeWait: 100,
      timeout: 5_000,
    });
    conns.push(nc);
    return nc;
  }
  async function peerOf(who: Person, reconnect = false): Promise<Peer> {
    const nc = await connectWith(
      new TextEncoder().encode(nkeyUserSeed(who.keys.signSeed)),
      names.user(who.endpoint).inbox_prefix,
      reconnect,
    );
    const violations: PermissionViolationError[] = [];
    void (async () => {
      for await (const s of nc.status()) {
        const error = (s as { error?: unknown }).error;
        if (s.type === 'error' && error instanceof PermissionViolationError) violations.push(error);
      }
    })();
    return { who, nc, violations };
  }
  const violation = (p: Peer, operation: 'publish' | 'subscription', subject: string) =>
    waitUntil(
      () => p.violations.some((v) => v.operation === operation && v.subject === subject),
      3_000,
      `${p.who.handle}: ${operation} violation on ${subject}`,
    );
  const frame = (sender: Person, text: string) =>
    sealFrame(
      {
        type: 'message',
        roomId,
        epoch: 1,
        plaintext: encodeMessageBody({ type: 'message', text }),
      },
      roomKey,
      sender.keys.signSeed,
    );
  const userOf = (p: Person) => ({
    signPubHex: p.signPubHex,
    endpoint: p.endpoint,
    kexPub: base64urlEncode(p.keys.kexPublic),
    handle: p.handle,
    role: 'member' as const,
  });

  beforeAll(async () => {
    const bin = resolveNatsServerBinary();
    sup = new NatsServerSupervisor({ bin, configFile: join(dir, 'n.conf'), portsFileDir: dir });
    await sup.start(
      renderNatsServerConfig(
        {
          listen: { host: '127.0.0.1', port: 'auto' },
          portsFileDir: dir,
          maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
          jetstream: { storeDir: join(dir, 'js') },
          internal: {
            nodeNkey: kp.node.getPublicKey(),
            busNkey: kp.bus.getPublicKey(),
            membersNkey: kp.members.getPublicKey(),
            systemNkey: kp.sys.getPublicKey(),
          },
          calloutIssuer: nkeyPublic('account', ed25519PublicKey(issuerSeed)),
        },
        natsServerFeatures(await readNatsServerVersion(bin)),
      ),
    );
    const [nodeNc, busNc, membersNc, sysNc] = await Promise.all(
      [kp.node, kp.bus, kp.members, kp.sys].map(internal),
    );
    store = await NodeStore.open(nodeNc!, { replicas: 1 });
    for (const p of [alice, bob, eve]) await store.addUser(userOf(p));
    room = {
      room_id: roomId,
      owner: alice.endpoint,
      policy: { persist: true, history: 'all' },
      epoch: 1,
      members_rev: 0,
      meta: 'AA',
      created_at: Date.now(),
    };
    const sealed = { room_id: roomId, epoch: 1, granter: alice.endpoint, sealed: 'AA', sig: 'AA' };
    await store.createRoom(room, { ...sealed, endpoint: alice.endpoint });
    const v = await store.getRoomVersioned(roomId);
    await store.addMember(
      v!.room,
      v!.revision,
      { room_id: roomId, endpoint: bob.endpoint, role: 'member', since_epoch: 1, added_at: 1 },
      [{ ...sealed, endpoint: bob.endpoint }],
    );
    cache = await MembershipCache.open(nodeNc!, { timeoutMs: 5_000 });
    callout = new CalloutWorker({ nc: nodeNc!, issuerSeed, names, cache, store });
    callout.start();
    busJs = jetstream(busNc!);
    const ingest = new FrameIngest({ members: membersNc!, js: busJs, names, cache, store });
    ingest.start();
    access = new DataPlaneAccess({
      system: async () => sysNc!,
      calloutConnection: nodeNc!,
      cache,
      callout,
      others: [ingest],
      names,
    });
    const dataPlane = new DataPlane({
      bus: busNc!,
      members: membersNc!,
      access,
      replicas: 1,
      names,
    });
    await dataPlane.ensureRoomStream(room);
    await Promise.all([nodeNc!.flush(), membersNc!.flush()]);
  });

  afterAll(async () => {
    cache?.stop();
    for (const nc of conns) await nc.close().catch(() => undefined);
    await sup?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('members pub/sub on their room; a frame sent as a request is stored and answered', async () => {
    const [a, b] = [await peerOf(alice), await peerOf(bob)];
    const seen: string[] = [];
    b.nc.subscribe(plane.subjects, { callback: (e, m) => void (!e && seen.push(m.string())) });
    await b.nc.flush();
    a.nc.publish(plane.subject, 'hi bob');
    await waitUntil(() => seen.includes('hi bob'), 2_000, 'bob receives alice');
    const receipt = (await a.nc.request(plane.subject, frame(alice, 'stored'))).json();
    expect(receipt).toEqual({ seq: 1, duplicate: false });
    expect(a.violations).toEqual([]);
    expect(b.violations).toEqual([]);
  });

  it('the node identities are in their own accounts: members see none of their subjects', async () => {
    const a = await peerOf(alice);
    const got: string[] = [];
    a.nc.subscribe(plane.subject, { callback: (e, m) => void (!e && got.push(m.string())) });
    await a.nc.flush();
    const [nodeNc, busNc] = [await internal(kp.node), await internal(kp.bus)];
    nodeNc.publish(plane.subject, 'from NODE');
    busNc.publish(plane.subject, 'from BUS');
    await Promise.all([nodeNc.flush(), busNc.flush()]);
    (await peerOf(bob)).nc.publish(plane.subject, 'control from a member');
    await waitUntil(() => got.includes('control from a member'), 2_000, 'control message');
    expect(got).toEqual(['control from a member']);
  });

  it("no allow_responses: bob cannot answer into alice's inbox, not even his own echo", async () => {
    const [a, b] = [await peerOf(alice), await peerOf(bob)];
    const inbox = `${inboxPrefix(names.userToken(alice.endpoint))}.rr`;
    const replies: string[] = [];
    a.nc.subscribe(inbox, { callback: (e, m) => void (!e && replies.push(m.string())) });
    b.nc.subscribe(`${plane.subjects.slice(0, -2)}.ping`, {
      callback: (e, m) => void (!e && m.respond('pong')),
    });
    await Promise.all([a.nc.flush(), b.nc.flush()]);
    a.nc.publish(`${plane.subjects.slice(0, -2)}.ping`, 'ping', { reply: inbox });
    await violation(b, 'publish', inbox);
    expect(replies).toEqual([]);
  });

  it('members have no JetStream: every API, ack and flow-control subject is denied', async () => {
    const b = await peerOf(bob);
    const stream = names.roomStream(roomId);
    for (const subject of [
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${stream}`,
      `$JS.API.STREAM.PURGE.${stream}`,
      `$JS.API.CONSUMER.CREATE.${stream}.c_bob`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.c_bob`,
      `$JS.API.CONSUMER.INFO.${stream}.c_bob`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.c_bob`,
      `$JS.API.DIRECT.GET.${stream}`,
      `$JS.ACK.${stream}.c_bob.1.1.1.1.0`,
      `$JS.FC.${stream}.c_bob.x`,
      '$KV.UNIBUS_members.x',
      '$SYS.REQ.USER.INFO',
    ]) {
      b.nc.publish(subject, '{}', { reply: plane.subject });
      await violation(b, 'publish', subject);
    }
  });

  it('eve (member of nothing) is denied every subject class', async () => {
    const e = await peerOf(eve);
    for (const s of ['>', '_INBOX.>', '$JS.API.>', '$KV.>', '$SYS.>', plane.subjects]) {
      e.nc.subscribe(s);
      await violation(e, 'subscription', s);
    }
    e.nc.publish(plane.subject, 'eve was here');
    await violation(e, 'publish', plane.subject);
  });

  it('unknown keys and revoked users are refused by the callout', async () => {
    await expect(peerOf(person('stranger'))).rejects.toThrow(/Authorization/);
    await expect(connectWith(createUser().getSeed())).rejects.toThrow(/Authorization/);
    const e = await peerOf(eve, true);
    let refusedAgain = false;
    void (async () => {
      for await (const s of e.nc.status()) if (s.type === 'error') refusedAgain = true;
    })();
    await store.revokeUser(eve.signPubHex);
    await access.sync();
    await access.disconnect([eve.endpoint]);
    await waitUntil(() => refusedAgain, 5_000, 'eve refused on reconnect');
    await expect(peerOf(eve)).rejects.toThrow(/Authorization/);
    expect(callout.counts.refused).toBeGreaterThanOrEqual(4);
  });

  it('kick: store change → sync → KICK; bob gets 0 of 20 and is not let back into the room', async () => {
    const a = await peerOf(alice);
    const b = await peerOf(bob, true);
    const count = { alice: 0, bob: 0, before: 0 };
    let reconnected = false;
    void (async () => {
      for await (const s of b.nc.status()) if (s.type === 'reconnect') reconnected = true;
    })();
    a.nc.subscribe(plane.subjects, {
      callback: (e, m) => void (!e && m.string().startsWith('after') && count.alice++),
    });
    b.nc.subscribe(plane.subjects, {
      callback: (e, m) => {
        if (e) return;
        if (m.string().startsWith('after')) count.bob++;
        else count.before++;
      },
    });
    await Promise.all([a.nc.flush(), b.nc.flush()]);
    a.nc.publish(plane.subject, 'before');
    await waitUntil(() => count.before === 1, 2_000, 'positive control before the kick');

    const t0 = performance.now();
    await store.removeMember(roomId, bob.endpoint);
    await access.sync();
    await access.disconnect([bob.endpoint]);
    const kickMs = performance.now() - t0;

    for (let i = 0; i < 20; i++) a.nc.publish(plane.subject, `after-${i}`);
    await waitUntil(() => count.alice === 20, 3_000, 'alice 20/20');
    await waitUntil(() => reconnected, 5_000, 'bob reconnects');
    await violation(b, 'subscription', plane.subjects);
    for (let i = 20; i < 40; i++) a.nc.publish(plane.subject, `after-${i}`);
    await waitUntil(() => count.alice === 40, 3_000, 'alice 40/40');
    await sleep(200);
    expect(count.bob).toBe(0);
    // Bob's frames are no longer stored either: the ingest refuses a non-member.
    const refused = await b.nc.request(plane.subject, frame(bob, 'late'), { timeout: 1_000 }).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).toBe('refused');
    console.log(`[callout] kick: store change → sync → CONNZ → KICK ${kickMs.toFixed(1)} ms`);
  });

  it('fail closed: a stale cache reads the store; with the store gone too, nobody is let in', async () => {
    const cacheNc = await internal(kp.node);
    const storeNc = await internal(kp.node);
    const staleCache = await MembershipCache.open(cacheNc, { timeoutMs: 1_000 });
    const directStore = await NodeStore.open(storeNc, { replicas: 1, timeoutMs: 1_000 });
    callout.stop();
    const failing = new CalloutWorker({
      nc: await internal(kp.node),
      issuerSeed,
      names,
      cache: staleCache,
      store: directStore,
    });
    failing.start();
    try {
      await cacheNc.close(); // the cache is no longer current
      expect(staleCache.current).toBe(false);
      const a = await peerOf(alice); // …so the callout read the store, and alice is in
      expect(a.nc.isClosed()).toBe(false);
      expect(failing.counts.direct).toBeGreaterThanOrEqual(1);
      await storeNc.close(); // and now the store cannot answer either
      await expect(peerOf(alice)).rejects.toThrow(/Authorization/);
      expect(failing.counts.refused).toBeGreaterThanOrEqual(1);
    } finally {
      failing.stop();
      staleCache.stop();
      callout.start();
    }
  });

  it("the room stream holds only what the ingest verified, and the node's own test write", async () => {
    const jsm = await jetstreamManager(await internal(kp.bus));
    const stream = names.roomStream(roomId);
    expect((await jsm.streams.info(stream)).config.allow_direct).toBe(true);
    const stored: string[] = [];
    for await (const m of await jsm.direct.getBatch(stream, { seq: 1, batch: 10 })) {
      stored.push(m.seq === 1 ? 'alice frame' : m.string());
    }
    // Of everything members published above (text, replies, bob's late frame after the kick)
    // only alice's signed frame was stored; 'from BUS' is the node's own identity (test 2).
    expect(stored).toEqual(['alice frame', 'from BUS']);
  });
});
