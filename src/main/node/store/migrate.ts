/**
 * Store format migrations (kv-table.ts: STORE_FORMAT). Format 1 is what nodes wrote before
 * auth callout: records without a `v` field, room streams without direct reads, and members'
 * own pinned consumers on the room streams. Format 2:
 *   1. every record carries `"v": 2` (each rewritten with a compare-and-set on its revision,
 *      so a concurrent write is never overwritten: it already carries the version);
 *   2. room streams allow direct reads (history pages), and the legacy member consumers are
 *      deleted (members have no JetStream access any more).
 * The data directory records the format reached (`store-format.json`, written last), so an
 * interrupted migration simply runs again; every step is idempotent.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';
import { writeFileAtomic } from '../../base/atomic-file';
import { StoreCorruptError } from './errors';
import { STORE_FORMAT, decodeStored, encodeStored } from './kv-table';

export interface MigrationReport {
  readonly from: number;
  readonly to: number;
  readonly records: number;
  readonly streams: number;
  readonly consumersDeleted: number;
}

export interface MigrationSteps {
  /** Every KV bucket of the node (store, invites, blob references). */
  readonly buckets: readonly string[];
  /** Room ids whose streams to upgrade. */
  readonly roomIds: () => Promise<readonly string[]>;
  readonly upgradeRoomStream: (roomId: string) => Promise<{ consumersDeleted: number }>;
}

const MARKER = 'store-format.json';

/** The format the data directory's store is in (1 when it predates the marker). */
export async function storeFormat(dataDir: string): Promise<number> {
  try {
    const value = JSON.parse(await readFile(join(dataDir, MARKER), 'utf8')) as { format?: unknown };
    if (typeof value.format !== 'number') throw new StoreCorruptError(`${MARKER} is damaged`);
    return value.format;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 1;
    throw error;
  }
}

/**
 * Brings the store to STORE_FORMAT; returns what it did (nothing when already there). A store
 * created just now (`fresh`) is written in the current format from the start.
 */
export async function migrateStore(
  dataDir: string,
  nc: NatsConnection,
  steps: MigrationSteps,
  fresh = false,
): Promise<MigrationReport> {
  const from = fresh ? STORE_FORMAT : await storeFormat(dataDir);
  if (fresh) await writeMarker(dataDir);
  if (from > STORE_FORMAT) {
    throw new StoreCorruptError(
      `the store is format ${from}, newer than this node (${STORE_FORMAT})`,
    );
  }
  let records = 0;
  let streams = 0;
  let consumersDeleted = 0;
  if (from < STORE_FORMAT) {
    const kvm = new Kvm(nc);
    for (const bucket of steps.buckets) {
      const kv = await kvm.open(bucket);
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      for (const key of keys) records += await rewriteRecord(kv, bucket, key);
    }
    for (const roomId of await steps.roomIds()) {
      consumersDeleted += (await steps.upgradeRoomStream(roomId)).consumersDeleted;
      streams++;
    }
    await writeMarker(dataDir);
  }
  return { from, to: STORE_FORMAT, records, streams, consumersDeleted };
}

async function writeMarker(dataDir: string): Promise<void> {
  await writeFileAtomic(join(dataDir, MARKER), `${JSON.stringify({ format: STORE_FORMAT })}\n`);
}

/** Rewrites one format-1 record with the version; retries when a writer got there first. */
async function rewriteRecord(
  kv: Awaited<ReturnType<Kvm['open']>>,
  bucket: string,
  key: string,
): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT') return 0;
    const { format, record } = decodeStored(entry.string());
    if (format === STORE_FORMAT) return 0;
    try {
      await kv.update(key, encodeStored(record), entry.revision);
      return 1;
    } catch {
      // Changed meanwhile (then it is written in the new format already): read again.
    }
  }
  throw new StoreCorruptError(`could not migrate a record of ${bucket}`);
}
