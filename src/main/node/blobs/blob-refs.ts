/**
 * Which room references which chunk, and how much each identity has uploaded (seed H9, X-12).
 *
 * - `UNIBUS_blob_refs`, key `<roomId>.<hash>`: one record per (room, chunk). A chunk is served
 *   to a room's members only when that room references it, and GC keeps a chunk while any
 *   existing room references it.
 * - `UNIBUS_blob_usage`, key `<endpoint>`: bytes and count of the references an identity
 *   created, updated by compare-and-set so concurrent uploads cannot overshoot the quota.
 *
 * Ordering (so GC never deletes a referenced chunk): an upload charges the quota, records the
 * reference, then writes the chunk, all under the chunk's lock; GC lists chunks, reads the
 * references, then re-checks each candidate under the same lock before deleting it.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { isRoomId } from '../../protocol';
import {
  DEFAULT_STORE_TIMEOUT_MS,
  StoreConflictError,
  StoreUnavailableError,
  type NodeStore,
} from '../store';
import { KvTable } from '../store/kv-table';
import { isBlobHash } from './blob-store';
import type { BlobReferences } from './gc';

export const BLOB_BUCKETS = {
  refs: 'UNIBUS_blob_refs',
  usage: 'UNIBUS_blob_usage',
} as const;

export interface BlobRefRecord {
  readonly room_id: string;
  readonly hash: string;
  readonly size: number;
  /** Endpoint id of the identity whose upload created the reference (charged to its quota). */
  readonly uploader: string;
  readonly created_at: number;
}

export interface BlobUsage {
  readonly bytes: number;
  readonly count: number;
}

export interface BlobQuota {
  readonly bytes: number;
  readonly count: number;
}

/** The upload would take the identity past its quota; nothing was charged or recorded. */
export class BlobQuotaExceededError extends Error {
  override readonly name = 'BlobQuotaExceededError';
  constructor(
    readonly usage: BlobUsage,
    readonly quota: BlobQuota,
  ) {
    super('blob quota exceeded');
  }
}

const ENDPOINT = /^[A-Za-z0-9_-]{1,64}$/;
const CAS_ATTEMPTS = 32;

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function isBlobRefRecord(value: unknown): value is BlobRefRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    isRoomId(v.room_id) &&
    isBlobHash(v.hash) &&
    isCount(v.size) &&
    typeof v.uploader === 'string' &&
    ENDPOINT.test(v.uploader) &&
    isCount(v.created_at)
  );
}

function isBlobUsage(value: unknown): value is BlobUsage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return isCount(v.bytes) && isCount(v.count);
}

export class BlobRefs implements BlobReferences {
  private readonly hashLocks = new KeyedLock();
  private readonly refLocks = new KeyedLock();

  private constructor(
    private readonly refs: KvTable<BlobRefRecord>,
    private readonly usageTable: KvTable<BlobUsage>,
    private readonly store: Pick<NodeStore, 'getRoom'>,
    private readonly now: () => number,
  ) {}

  /** Creates the buckets if absent (idempotent) and opens them. */
  static async open(
    nc: NatsConnection,
    store: Pick<NodeStore, 'getRoom'>,
    options: { replicas: 1 | 3; timeoutMs?: number; now?: () => number },
  ): Promise<BlobRefs> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
    const open = <T>(bucket: string, isValid: (v: unknown) => v is T) =>
      KvTable.open(nc, bucket, isValid, { replicas: options.replicas, timeoutMs });
    return new BlobRefs(
      await open(BLOB_BUCKETS.refs, isBlobRefRecord),
      await open(BLOB_BUCKETS.usage, isBlobUsage),
      store,
      options.now ?? Date.now,
    );
  }

  /** The room's reference to the chunk, or null. Throws when the store cannot answer. */
  async get(roomId: string, hash: string): Promise<BlobRefRecord | null> {
    const entry = await this.refs.get(refKey(roomId, hash));
    // The record must agree with its key; anything else is not a reference.
    return entry !== null && entry.value.room_id === roomId && entry.value.hash === hash
      ? entry.value
      : null;
  }

  /** Every chunk hash the room references (one key listing). */
  async roomHashes(roomId: string): Promise<Set<string>> {
    const prefix = `${roomId}.`;
    const hashes = new Set<string>();
    for (const key of await this.refs.keys(`${roomId}.*`)) {
      const hash = key.slice(prefix.length);
      if (key.startsWith(prefix) && isBlobHash(hash)) hashes.add(hash);
    }
    return hashes;
  }

  async usage(endpoint: string): Promise<BlobUsage> {
    return (await this.usageTable.get(endpoint))?.value ?? { bytes: 0, count: 0 };
  }

  /**
   * Records that `roomId` references the chunk, charging `uploader`'s quota first. Returns
   * 'exists' (nothing charged) when the room already references it. Throws
   * BlobQuotaExceededError when the charge would pass the quota.
   */
  async addReference(
    input: { roomId: string; hash: string; size: number; uploader: string },
    quota: BlobQuota,
  ): Promise<'created' | 'exists'> {
    const key = refKey(input.roomId, input.hash);
    // One check-charge-create per reference at a time in this process, so a duplicate upload
    // is never refused for the quota its twin is about to give back.
    return this.refLocks.run(key, async () => {
      if ((await this.get(input.roomId, input.hash)) !== null) return 'exists';
      await this.charge(input.uploader, input.size, 1, quota);
      try {
        await this.refs.create(key, {
          room_id: input.roomId,
          hash: input.hash,
          size: input.size,
          uploader: input.uploader,
          created_at: this.now(),
        });
        return 'created';
      } catch (error) {
        // Lost a race with another node's upload of the same chunk to this room: give it back.
        await this.charge(input.uploader, -input.size, -1, null);
        if (error instanceof StoreConflictError) return 'exists';
        throw error;
      }
    });
  }

  /** Every hash referenced by a room that still exists. Throws when the store cannot answer. */
  async referencedHashes(): Promise<ReadonlySet<string>> {
    const byRoom = new Map<string, string[]>();
    for (const key of await this.refs.keys('>')) {
      const parsed = parseRefKey(key);
      if (parsed === null) continue;
      const hashes = byRoom.get(parsed.roomId) ?? [];
      hashes.push(parsed.hash);
      byRoom.set(parsed.roomId, hashes);
    }
    const referenced = new Set<string>();
    for (const [roomId, hashes] of byRoom) {
      if ((await this.store.getRoom(roomId)) === null) continue;
      for (const hash of hashes) referenced.add(hash);
    }
    return referenced;
  }

  /** Whether any existing room references the hash right now. */
  async isReferenced(hash: string): Promise<boolean> {
    for (const key of await this.refs.keys(`*.${hash}`)) {
      const parsed = parseRefKey(key);
      if (parsed?.hash === hash && (await this.store.getRoom(parsed.roomId)) !== null) return true;
    }
    return false;
  }

  /** Runs `task` while no other task holds this hash (uploads and GC deletes, in this process). */
  withHashLock<T>(hash: string, task: () => Promise<T>): Promise<T> {
    return this.hashLocks.run(hash, task);
  }

  /**
   * Deletes the references of rooms that no longer exist and credits their uploaders. With
   * `dryRun` only counts them.
   */
  async pruneDeletedRooms(options: { dryRun: boolean }): Promise<{ references: number }> {
    let references = 0;
    const rooms = new Map<string, boolean>();
    for (const key of await this.refs.keys('>')) {
      const parsed = parseRefKey(key);
      if (parsed === null) continue;
      let exists = rooms.get(parsed.roomId);
      if (exists === undefined) {
        exists = (await this.store.getRoom(parsed.roomId)) !== null;
        rooms.set(parsed.roomId, exists);
      }
      if (exists) continue;
      references++;
      if (options.dryRun) continue;
      const ref = await this.get(parsed.roomId, parsed.hash);
      await this.refs.delete(key);
      if (ref !== null) await this.charge(ref.uploader, -ref.size, -1, null);
    }
    return { references };
  }

  /** Compare-and-set on the usage record; `quota` null means a refund (never below zero). */
  private async charge(
    endpoint: string,
    bytes: number,
    count: number,
    quota: BlobQuota | null,
  ): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.usageTable.get(endpoint);
      const usage = current?.value ?? { bytes: 0, count: 0 };
      const next = {
        bytes: Math.max(0, usage.bytes + bytes),
        count: Math.max(0, usage.count + count),
      };
      if (quota !== null && (next.bytes > quota.bytes || next.count > quota.count)) {
        throw new BlobQuotaExceededError(usage, quota);
      }
      try {
        if (current === null) await this.usageTable.create(endpoint, next);
        else await this.usageTable.update(endpoint, next, current.revision);
        return;
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
      }
    }
    throw new StoreUnavailableError(`${BLOB_BUCKETS.usage}: too much contention`);
  }
}

/** A per-key async mutex (FIFO). */
class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function refKey(roomId: string, hash: string): string {
  if (!isRoomId(roomId) || !isBlobHash(hash)) throw new RangeError('BlobRefs: bad room id or hash');
  return `${roomId}.${hash}`;
}

function parseRefKey(key: string): { roomId: string; hash: string } | null {
  const dot = key.indexOf('.');
  const roomId = key.slice(0, dot);
  const hash = key.slice(dot + 1);
  return dot > 0 && isRoomId(roomId) && isBlobHash(hash) ? { roomId, hash } : null;
}
