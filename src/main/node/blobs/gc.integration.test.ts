/**
 * Blob references, quotas and garbage collection against a real JetStream store (seed H9):
 * GC never deletes a chunk an existing room references, deletes orphans (no reference, or
 * referenced only by deleted rooms), and a dry run deletes nothing. Quota charges are
 * compare-and-set, so concurrent uploads cannot overshoot.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNatsServer } from '../../../../test-support/nats-server';
import { newUlid } from '../../protocol';
import { BUCKETS, NodeStore, type RoomRecord } from '../store';
import { BlobQuotaExceededError, BlobRefs } from './blob-refs';
import { blobHash } from './blob-store';
import { FileBlobStore } from './file-blob-store';
import { collectGarbage, type BlobReferences } from './gc';

const OWNER = 'o'.repeat(43);
const UPLOADER = 'u'.repeat(43);
const BIG_QUOTA = { bytes: 1 << 30, count: 1000 };

let nats: TestNatsServer;
let nc: NatsConnection;
let dir: string;
let store: NodeStore;
let refs: BlobRefs;
let blobs: FileBlobStore;

beforeAll(async () => {
  nats = await TestNatsServer.start({ jetstream: true });
  nc = await connect({ servers: nats.url });
  dir = await mkdtemp(join(tmpdir(), 'unibus-gc-'));
  store = await NodeStore.open(nc, { replicas: 1, timeoutMs: 2_000 });
  refs = await BlobRefs.open(nc, store, { replicas: 1, timeoutMs: 2_000 });
  blobs = await FileBlobStore.open(dir);
});

afterAll(async () => {
  await nc?.close().catch(() => {});
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function room(): Promise<string> {
  const roomId = newUlid();
  const record: RoomRecord = {
    room_id: roomId,
    owner: OWNER,
    policy: { persist: true, history: 'all' },
    epoch: 1,
    members_rev: 0,
    meta: 'bWV0YQ',
    created_at: Date.now(),
  };
  await store.createRoom(record, {
    room_id: roomId,
    epoch: 1,
    endpoint: OWNER,
    granter: OWNER,
    sealed: 'c2VhbGVk',
    sig: 'c2ln',
  });
  return roomId;
}

/** Deletes the room record the way no API does yet: straight in its KV bucket. */
async function deleteRoomRecord(roomId: string): Promise<void> {
  const kv = await new Kvm(nc).open(BUCKETS.rooms);
  await kv.delete(roomId);
  expect(await store.getRoom(roomId)).toBeNull();
}

async function upload(roomId: string | null, size = 1000, uploader = UPLOADER): Promise<string> {
  const bytes = new Uint8Array(randomBytes(size));
  const hash = blobHash(bytes);
  if (roomId !== null) await refs.addReference({ roomId, hash, size, uploader }, BIG_QUOTA);
  await blobs.put(hash, bytes);
  return hash;
}

async function stored(): Promise<string[]> {
  const hashes: string[] = [];
  for await (const hash of blobs.list()) hashes.push(hash);
  return hashes.sort();
}

describe('blob GC and references', () => {
  it('keeps referenced chunks, deletes orphans, and a dry run deletes nothing', async () => {
    const kept = await room();
    const doomed = await room();
    const inKept = await upload(kept);
    const shared = await upload(kept);
    await refs.addReference(
      { roomId: doomed, hash: shared, size: 1000, uploader: UPLOADER },
      BIG_QUOTA,
    );
    const onlyInDoomed = await upload(doomed);
    const unreferenced = await upload(null);
    await deleteRoomRecord(doomed);

    expect([...(await refs.referencedHashes())].sort()).toEqual([inKept, shared].sort());
    const all = [inKept, shared, onlyInDoomed, unreferenced].sort();
    expect(await stored()).toEqual(all);

    const dry = await collectGarbage(blobs, refs, { dryRun: true });
    expect(dry.scanned).toBe(4);
    expect([...dry.garbage].sort()).toEqual([onlyInDoomed, unreferenced].sort());
    expect(dry.deleted).toBe(0);
    expect(await stored()).toEqual(all);

    const real = await collectGarbage(blobs, refs, { dryRun: false });
    expect([...real.garbage].sort()).toEqual([onlyInDoomed, unreferenced].sort());
    expect(real.deleted).toBe(2);
    expect(await stored()).toEqual([inKept, shared].sort());
    expect(await blobs.get(inKept)).not.toBeNull();

    const again = await collectGarbage(blobs, refs, { dryRun: false });
    expect(again).toEqual({ scanned: 2, garbage: [], deleted: 0 });
  });

  it('re-checks each candidate before deleting: a stale snapshot cannot delete a referenced chunk', async () => {
    const roomId = await room();
    const hash = await upload(roomId);
    // A snapshot taken before the reference existed (the race a concurrent upload creates).
    const stale: BlobReferences = {
      referencedHashes: async () => new Set(),
      isReferenced: (h) => refs.isReferenced(h),
      withHashLock: (h, task) => refs.withHashLock(h, task),
    };
    const report = await collectGarbage(blobs, stale, { dryRun: false });
    expect(report.garbage).not.toContain(hash);
    expect(await blobs.has(hash)).toBe(true);
  });

  it('waits for an upload holding the chunk lock, then sees its reference', async () => {
    const roomId = await room();
    const bytes = new Uint8Array(randomBytes(500));
    const hash = blobHash(bytes);
    await blobs.put(hash, bytes); // an orphan about to be re-referenced
    let snapshotTaken!: () => void;
    const taken = new Promise<void>((resolve) => (snapshotTaken = resolve));
    let snapshot: ReadonlySet<string> = new Set();
    const observed: BlobReferences = {
      referencedHashes: async () => {
        snapshot = await refs.referencedHashes();
        snapshotTaken();
        return snapshot;
      },
      isReferenced: (h) => refs.isReferenced(h),
      withHashLock: (h, task) => refs.withHashLock(h, task),
    };
    // The upload holds the chunk's lock and records its reference only after GC's snapshot.
    const uploadDone = refs.withHashLock(hash, async () => {
      await taken;
      await refs.addReference({ roomId, hash, size: 500, uploader: UPLOADER }, BIG_QUOTA);
    });
    const report = await collectGarbage(blobs, observed, { dryRun: false });
    await uploadDone;
    expect(snapshot.has(hash)).toBe(false);
    expect(report.garbage).not.toContain(hash);
    expect(await blobs.has(hash)).toBe(true);
  });

  it('charges quotas by compare-and-set: 20 concurrent uploads against a quota of 5', async () => {
    const roomId = await room();
    const who = 'q'.repeat(43);
    const quota = { bytes: 1 << 20, count: 5 };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => {
        const hash = blobHash(new Uint8Array(randomBytes(64)));
        return refs.addReference({ roomId, hash, size: 64, uploader: who }, quota);
      }),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(5);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBe(15);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(BlobQuotaExceededError);
    expect(await refs.usage(who)).toEqual({ bytes: 5 * 64, count: 5 });
    expect((await refs.roomHashes(roomId)).size).toBe(5);
  });

  it('does not charge twice for the same chunk in the same room, and checks bytes too', async () => {
    const roomId = await room();
    const who = 'r'.repeat(43);
    const hash = blobHash(new Uint8Array(randomBytes(32)));
    const quota = { bytes: 100, count: 10 };
    const input = { roomId, hash, size: 60, uploader: who };
    const both = await Promise.all([
      refs.addReference(input, quota),
      refs.addReference(input, quota),
    ]);
    expect(both.sort()).toEqual(['created', 'exists']);
    expect(await refs.usage(who)).toEqual({ bytes: 60, count: 1 });
    const other = blobHash(new Uint8Array(randomBytes(32)));
    await expect(
      refs.addReference({ roomId, hash: other, size: 60, uploader: who }, quota),
    ).rejects.toBeInstanceOf(BlobQuotaExceededError);
    expect(await refs.get(roomId, other)).toBeNull();
  });

  it('prunes references of deleted rooms and credits their uploaders', async () => {
    const roomId = await room();
    const who = 'p'.repeat(43);
    for (let i = 0; i < 3; i++) {
      const hash = blobHash(new Uint8Array(randomBytes(16)));
      await refs.addReference({ roomId, hash, size: 100, uploader: who }, BIG_QUOTA);
    }
    expect(await refs.usage(who)).toEqual({ bytes: 300, count: 3 });
    await deleteRoomRecord(roomId);
    const dry = await refs.pruneDeletedRooms({ dryRun: true });
    expect(dry.references).toBeGreaterThanOrEqual(3);
    expect(await refs.usage(who)).toEqual({ bytes: 300, count: 3 });
    await refs.pruneDeletedRooms({ dryRun: false });
    expect(await refs.usage(who)).toEqual({ bytes: 0, count: 0 });
    expect((await refs.roomHashes(roomId)).size).toBe(0);
    expect((await refs.pruneDeletedRooms({ dryRun: true })).references).toBe(0);
  });
});
