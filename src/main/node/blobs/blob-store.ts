/**
 * Ciphertext chunks, content-addressed by the SHA-256 of their bytes (lowercase hex). The node
 * never sees plaintext: chunks are sealed by the peer with a per-file key. Two backends share
 * this interface: files on the node's disk (fastest for one node) and a JetStream Object Store
 * (for clusters). A chunk is at most a few MiB, so one chunk may sit in memory; a file never does.
 *
 * Both backends check the address on every read: bytes whose SHA-256 is not their name are
 * never returned (`get` answers null and the damaged copy is removed, so a re-upload repairs it).
 */
import { createHash } from 'node:crypto';

export interface BlobStore {
  readonly kind: 'file' | 'object-store';
  /** Present under this name (not re-hashed: cheap enough for resume lists). */
  has(hash: string): Promise<boolean>;
  /**
   * Stores `bytes` under `hash`; the caller has checked that the hash matches. Idempotent:
   * resolves false without writing when an intact copy is already stored, true when it wrote
   * (a missing or damaged copy).
   */
  put(hash: string, bytes: Uint8Array): Promise<boolean>;
  /** The bytes, re-hashed against `hash`; null when absent or damaged. */
  get(hash: string): Promise<Uint8Array | null>;
  delete(hash: string): Promise<void>;
  list(): AsyncIterable<string>;
  /** Bytes stored, for the status panel. */
  size(): Promise<number>;
}

export const BLOB_HASH = /^[0-9a-f]{64}$/;

export function isBlobHash(value: unknown): value is string {
  return typeof value === 'string' && BLOB_HASH.test(value);
}

export function blobHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hashes are the only names a store accepts: never a path, never a subject fragment. */
export function requireBlobHash(hash: string, who: string): void {
  if (!isBlobHash(hash)) throw new RangeError(`${who}: hash must be 64 lowercase hex`);
}

/**
 * Runs `task` once per key at a time: concurrent puts of one chunk share one write instead of
 * racing (the object store would otherwise keep the loser's chunks as unreachable data).
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current !== undefined) return current;
    const started = task().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
