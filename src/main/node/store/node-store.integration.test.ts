import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNatsServer } from '../../../../test-support/nats-server';
import { StoreConflictError, StoreCorruptError, StoreUnavailableError } from './errors';
import { BUCKETS, NodeStore } from './node-store';
import type { RoomRecord, SealedKeyRecord } from './records';

const ALICE = {
  signPubHex: 'a'.repeat(64),
  endpoint: 'alice-ep',
  kexPub: 'QUxJQ0U',
  handle: 'alice',
};
const BOB = { signPubHex: 'b'.repeat(64), endpoint: 'bob-ep', kexPub: 'Qk9C', handle: 'bob' };
const ROOM_ID = '01JROOM0000000000000000000';

function sealedKey(endpoint: string, epoch: number): SealedKeyRecord {
  return {
    room_id: ROOM_ID,
    epoch,
    endpoint,
    granter: ALICE.endpoint,
    sealed: `k${epoch}${endpoint}`,
    sig: 'c2ln',
  };
}

describe('node store - JetStream KV against a real nats-server', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let store: NodeStore;

  beforeAll(async () => {
    server = await TestNatsServer.start({ jetstream: true });
    nc = await connect({ servers: server.url });
    store = await NodeStore.open(nc, { replicas: 1, timeoutMs: 1_000 });
  });

  afterAll(async () => {
    await nc?.close().catch(() => {});
    await server?.stop();
  });

  it('keeps the allowlist: add, conflict on re-add with the row untouched, revoke as a status flip', async () => {
    const added = await store.addUser({ ...ALICE, role: 'admin' }, 1_000);
    expect(added).toMatchObject({ status: 'active', role: 'admin', revoked_at: null });
    await expect(store.addUser({ ...ALICE, role: 'member' })).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    expect((await store.getUser(ALICE.signPubHex))?.role).toBe('admin');
    expect(await store.getUserByEndpoint(ALICE.endpoint)).toMatchObject({
      sign_pub: ALICE.signPubHex,
    });

    await store.addUser({ ...BOB, role: 'member' });
    expect(await store.activeUser(BOB.signPubHex)).not.toBeNull();
    const revoked = await store.revokeUser(BOB.signPubHex, 2_000);
    expect(revoked).toMatchObject({ status: 'revoked', revoked_at: 2_000 });
    expect(await store.activeUser(BOB.signPubHex)).toBeNull();
    expect((await store.listUsers()).map((u) => u.handle).sort()).toEqual(['alice', 'bob']);
    expect(await store.hasActiveAdmin()).toBe(true);
    expect(await store.revokeUser('c'.repeat(64))).toBeNull();
  });

  it('creates rooms, adds and removes members with their sealed keys, and indexes both ways', async () => {
    const room: RoomRecord = {
      room_id: ROOM_ID,
      owner: ALICE.endpoint,
      policy: { persist: true, history: 'all' },
      epoch: 1,
      members_rev: 0,
      meta: 'ZW5jcnlwdGVk',
      created_at: 1,
    };
    await store.createRoom(room, sealedKey(ALICE.endpoint, 1));
    expect(await store.memberRole(ROOM_ID, ALICE.endpoint)).toBe('owner');
    expect(await store.memberRole(ROOM_ID, BOB.endpoint)).toBeNull();

    const bob = {
      room_id: ROOM_ID,
      endpoint: BOB.endpoint,
      role: 'member' as const,
      since_epoch: 1,
      added_at: 2,
    };
    const before = await store.getRoomVersioned(ROOM_ID);
    await store.addMember(before!.room, before!.revision, bob, [sealedKey(BOB.endpoint, 1)]);
    const after = await store.getRoomVersioned(ROOM_ID);
    expect(after!.room.members_rev).toBe(1);
    await expect(store.addMember(after!.room, after!.revision, bob, [])).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    // A stale revision loses: the invite cannot interleave with another membership change.
    const carol = { ...bob, endpoint: 'carol-ep' };
    await expect(store.addMember(before!.room, before!.revision, carol, [])).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    expect(await store.memberRole(ROOM_ID, 'carol-ep')).toBeNull();
    expect((await store.listMembers(ROOM_ID)).map((m) => m.endpoint).sort()).toEqual([
      ALICE.endpoint,
      BOB.endpoint,
    ]);
    expect((await store.roomsOf(BOB.endpoint)).map((r) => [r.room.room_id, r.role])).toEqual([
      [ROOM_ID, 'member'],
    ]);
    expect(await store.sealedKey(ROOM_ID, 1, BOB.endpoint)).toEqual(sealedKey(BOB.endpoint, 1));

    await store.removeMember(ROOM_ID, BOB.endpoint);
    expect(await store.memberRole(ROOM_ID, BOB.endpoint)).toBeNull();
    expect(await store.roomsOf(BOB.endpoint)).toEqual([]);
    expect(await store.sealedKey(ROOM_ID, 1, BOB.endpoint)).toBeNull();
  });

  it('rekeys with compare-and-set: a second rekey from the same revision loses', async () => {
    const current = await store.getRoomVersioned(ROOM_ID);
    expect(current).not.toBeNull();
    const next = { ...current!.room, epoch: 2 };
    await store.rekey(next, current!.revision, [sealedKey(ALICE.endpoint, 2)]);
    await expect(store.rekey({ ...next, epoch: 3 }, current!.revision, [])).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    expect((await store.getRoom(ROOM_ID))?.epoch).toBe(2);
    expect(await store.sealedKey(ROOM_ID, 2, ALICE.endpoint)).not.toBeNull();
  });

  it('refuses a stored value that fails validation instead of trusting it', async () => {
    const raw = await new Kvm(nc).open(BUCKETS.users);
    await raw.put('d'.repeat(64), JSON.stringify({ sign_pub: 'd'.repeat(64), role: 'root' }));
    await expect(store.activeUser('d'.repeat(64))).rejects.toBeInstanceOf(StoreCorruptError);
  });

  it('fails closed: with the server gone an authorization read rejects within its deadline', async () => {
    await server.kill('SIGKILL');
    const started = Date.now();
    await expect(store.activeUser(ALICE.signPubHex)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
