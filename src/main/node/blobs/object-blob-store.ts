/**
 * Blobs in a JetStream Object Store, for clusters (replicated with the rest of the node state).
 * Tuned as measured in PERF.md: native SHA-256 and ~1 MiB object chunks (defaults give
 * ~30 MiB/s; tuned ~175–230 MiB/s). Object chunks are capped by the server's `max_payload`
 * (1 MiB by default), so a larger configured value is what makes 1 MiB chunks possible.
 * Object names are the content hashes themselves.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm, setSha256Backend, type ObjectStore } from '@nats-io/obj';
import { SingleFlight, blobHash, requireBlobHash, type BlobStore } from './blob-store';

export const BLOBS_OBJECT_STORE = 'UNIBUS_blobs';
export const OBJECT_CHUNK_BYTES = 1024 * 1024;

export class ObjectBlobStore implements BlobStore {
  readonly kind = 'object-store';
  private readonly writes = new SingleFlight<boolean>();

  private constructor(private readonly store: ObjectStore) {}

  /** Creates the bucket if absent (idempotent) and opens it. */
  static async open(nc: NatsConnection, options: { replicas: 1 | 3 }): Promise<ObjectBlobStore> {
    setSha256Backend('native');
    const store = await new Objm(nc).create(BLOBS_OBJECT_STORE, { replicas: options.replicas });
    return new ObjectBlobStore(store);
  }

  async has(hash: string): Promise<boolean> {
    requireBlobHash(hash, 'ObjectBlobStore');
    const info = await this.store.info(hash);
    return info !== null && !info.deleted;
  }

  async put(hash: string, bytes: Uint8Array): Promise<boolean> {
    requireBlobHash(hash, 'ObjectBlobStore');
    return this.writes.run(hash, async () => {
      if ((await this.get(hash)) !== null) return false;
      await this.store.putBlob(
        { name: hash, options: { max_chunk_size: OBJECT_CHUNK_BYTES } },
        bytes,
      );
      return true;
    });
  }

  async get(hash: string): Promise<Uint8Array | null> {
    requireBlobHash(hash, 'ObjectBlobStore');
    let bytes: Uint8Array | null;
    try {
      bytes = await this.read(hash);
    } catch (error) {
      if (!isDigestMismatch(error)) throw error;
      bytes = null;
    }
    if (bytes !== null && blobHash(bytes) === hash) return bytes;
    // Damaged, or stored under a name that is not its hash: never served, removed so that a
    // re-upload repairs it. (The object's own digest covers whatever was put, not the name.)
    if (bytes !== null || (await this.has(hash))) await this.store.delete(hash);
    return null;
  }

  /**
   * The object's bytes in one buffer of its recorded size (getBlob would collect the pieces
   * and then copy them: twice the chunk in memory). The library checks the object's digest
   * while streaming and fails the stream on a mismatch. Null when absent; a size that does not
   * match the recorded one yields bytes that fail the hash check.
   */
  private async read(hash: string): Promise<Uint8Array | null> {
    const result = await this.store.get(hash);
    if (result === null) return null;
    const out = new Uint8Array(result.info.size);
    let offset = 0;
    const reader = result.data.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (offset + value.length > out.length) {
        await reader.cancel();
        return new Uint8Array(0);
      }
      out.set(value, offset);
      offset += value.length;
    }
    const failure = await result.error;
    if (failure) throw failure;
    return offset === out.length ? out : new Uint8Array(0);
  }

  async delete(hash: string): Promise<void> {
    if (await this.has(hash)) await this.store.delete(hash);
  }

  async *list(): AsyncIterable<string> {
    for (const info of await this.store.list()) if (!info.deleted) yield info.name;
  }

  async size(): Promise<number> {
    let total = 0;
    for (const info of await this.store.list()) if (!info.deleted) total += info.size;
    return total;
  }
}

function isDigestMismatch(error: unknown): boolean {
  return error instanceof Error && error.message.includes('digests do not match');
}
