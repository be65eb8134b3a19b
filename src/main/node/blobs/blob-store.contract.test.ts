/**
 * One contract for both blob backends (B-BLOB-01): the address is the SHA-256 of the bytes on
 * disk and in the object store alike, puts are idempotent, and damaged bytes are never served.
 * The object store runs against a real nats-server with JetStream.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNatsServer } from '../../../../test-support/nats-server';
import { blobHash, type BlobStore } from './blob-store';
import { FileBlobStore } from './file-blob-store';
import { BLOBS_OBJECT_STORE, ObjectBlobStore } from './object-blob-store';

interface Backend {
  readonly store: BlobStore;
  /** Replaces the stored bytes of `hash` with `bytes`, behind the store's back. */
  corrupt(hash: string, bytes: Uint8Array): Promise<void>;
}

let nats: TestNatsServer;
let nc: NatsConnection;
let dir: string;

beforeAll(async () => {
  nats = await TestNatsServer.start({ jetstream: true });
  nc = await connect({ servers: nats.url });
  dir = await mkdtemp(join(tmpdir(), 'unibus-blobs-'));
});

afterAll(async () => {
  await nc?.close().catch(() => {});
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const backends: [string, () => Promise<Backend>][] = [
  [
    'file',
    async () => {
      const root = join(dir, `store-${Date.now()}`);
      return {
        store: await FileBlobStore.open(root),
        corrupt: (hash, bytes) => writeFile(join(root, hash.slice(0, 2), hash), bytes),
      };
    },
  ],
  [
    'object-store',
    async () => {
      const store = await ObjectBlobStore.open(nc, { replicas: 1 });
      const raw = await new Objm(nc).open(BLOBS_OBJECT_STORE);
      return {
        store,
        corrupt: async (hash, bytes) => {
          await raw.putBlob({ name: hash }, bytes);
        },
      };
    },
  ],
];

function chunk(size = 4096): { bytes: Uint8Array; hash: string } {
  const bytes = new Uint8Array(randomBytes(size));
  return { bytes, hash: blobHash(bytes) };
}

async function listAll(store: BlobStore): Promise<string[]> {
  const hashes: string[] = [];
  for await (const hash of store.list()) hashes.push(hash);
  return hashes.sort();
}

describe.each(backends)('BlobStore contract: %s', (_kind, make) => {
  let backend: Backend;
  let store: BlobStore;

  beforeAll(async () => {
    backend = await make();
    store = backend.store;
  });

  it('starts empty and round-trips has/put/get/list/size/delete', async () => {
    expect(await listAll(store)).toEqual([]);
    expect(await store.size()).toBe(0);
    const a = chunk(3000);
    const b = chunk(5000);
    expect(await store.has(a.hash)).toBe(false);
    expect(await store.get(a.hash)).toBeNull();
    expect(await store.put(a.hash, a.bytes)).toBe(true);
    expect(await store.put(b.hash, b.bytes)).toBe(true);
    expect(await store.has(a.hash)).toBe(true);
    expect(Buffer.from((await store.get(a.hash))!)).toEqual(Buffer.from(a.bytes));
    expect(await listAll(store)).toEqual([a.hash, b.hash].sort());
    expect(await store.size()).toBe(8000);
    await store.delete(a.hash);
    expect(await store.has(a.hash)).toBe(false);
    expect(await store.get(a.hash)).toBeNull();
    expect(await listAll(store)).toEqual([b.hash]);
    expect(await store.size()).toBe(5000);
    await store.delete(a.hash); // deleting a missing chunk is a no-op
    await store.delete(b.hash);
    expect(await listAll(store)).toEqual([]);
  });

  it('round-trips a full 4 MiB + 16 B chunk (several object-store chunks)', async () => {
    const big = chunk(4 * 1024 * 1024 + 16);
    await store.put(big.hash, big.bytes);
    const back = await store.get(big.hash);
    expect(back?.length).toBe(big.bytes.length);
    expect(blobHash(back!)).toBe(big.hash);
    await store.delete(big.hash);
  });

  it('puts idempotently: a second put of an intact chunk writes nothing', async () => {
    const a = chunk();
    expect(await store.put(a.hash, a.bytes)).toBe(true);
    expect(await store.put(a.hash, a.bytes)).toBe(false);
    const concurrent = await Promise.all([1, 2, 3].map(() => store.put(a.hash, a.bytes)));
    expect(concurrent).toEqual([false, false, false]);
    const fresh = chunk();
    const racing = await Promise.all([1, 2, 3].map(() => store.put(fresh.hash, fresh.bytes)));
    expect(racing.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(await listAll(store)).toEqual([a.hash, fresh.hash].sort());
    expect(await store.size()).toBe(2 * 4096);
    await store.delete(a.hash);
    await store.delete(fresh.hash);
  });

  it('never serves damaged bytes, and a re-upload repairs the chunk', async () => {
    const a = chunk();
    await store.put(a.hash, a.bytes);
    const flipped = Uint8Array.from(a.bytes);
    flipped[100] = flipped[100]! ^ 0x01;
    await backend.corrupt(a.hash, flipped);
    expect(await store.get(a.hash)).toBeNull();
    // The damaged copy is gone, so resume lists no longer claim it.
    expect(await store.has(a.hash)).toBe(false);
    expect(await store.put(a.hash, a.bytes)).toBe(true);
    expect(Buffer.from((await store.get(a.hash))!)).toEqual(Buffer.from(a.bytes));
    // Damaged again but not yet read: a put still notices and rewrites.
    await backend.corrupt(a.hash, flipped);
    expect(await store.put(a.hash, a.bytes)).toBe(true);
    expect(blobHash((await store.get(a.hash))!)).toBe(a.hash);
    await store.delete(a.hash);
  });

  it('refuses names that are not 64 lowercase hex (no path, no subject fragment)', async () => {
    const a = chunk();
    for (const name of [
      '../../etc/passwd',
      a.hash.toUpperCase(),
      a.hash.slice(1),
      '',
      'x'.repeat(64),
    ]) {
      await expect(store.has(name)).rejects.toThrow(RangeError);
      await expect(store.get(name)).rejects.toThrow(RangeError);
      await expect(store.put(name, a.bytes)).rejects.toThrow(RangeError);
    }
  });
});

describe('FileBlobStore layout', () => {
  it('stores <dir>/<2 hex>/<hash> with 0600 files and cleans crash leftovers on open', async () => {
    const root = join(dir, 'layout');
    const store = await FileBlobStore.open(root);
    const a = chunk();
    await store.put(a.hash, a.bytes);
    const file = await stat(join(root, a.hash.slice(0, 2), a.hash));
    expect(file.mode & 0o777).toBe(0o600);
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    const leftover = join(root, a.hash.slice(0, 2), `.${a.hash}.tmp-1-abcdef.tmp`);
    await writeFile(leftover, 'partial');
    expect(await listAll(store)).toEqual([a.hash]);
    await FileBlobStore.open(root);
    expect(await readdir(join(root, a.hash.slice(0, 2)))).toEqual([a.hash]);
  });
});
