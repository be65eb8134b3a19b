/**
 * Blob garbage collection (seed H9). A blob is kept while any room that still exists
 * references it; everything else is garbage: chunks written without a reference (an upload
 * that failed half-way) and chunks referenced only by rooms that no longer exist.
 * `dryRun` reports without deleting.
 *
 * Why it never deletes a referenced chunk: uploads record the reference *before* writing the
 * chunk, so a chunk that is listed here already had its reference written unless it was
 * re-referenced later (an upload that found the bytes already stored). GC therefore lists
 * first, reads the references second, and re-checks each candidate under the chunk's lock
 * (the one uploads hold) immediately before deleting it.
 */
import type { BlobStore } from './blob-store';

export interface BlobReferences {
  /** Every blob hash some existing room still references. Throws when the store cannot answer. */
  referencedHashes(): Promise<ReadonlySet<string>>;
  /** Whether some existing room references the hash now. Throws when the store cannot answer. */
  isReferenced(hash: string): Promise<boolean>;
  /** Runs `task` exclusively with respect to uploads of the same hash. */
  withHashLock<T>(hash: string, task: () => Promise<T>): Promise<T>;
}

export interface GcReport {
  readonly scanned: number;
  /** Unreferenced when checked (with `dryRun`, what a real run would delete). */
  readonly garbage: readonly string[];
  readonly deleted: number;
}

export async function collectGarbage(
  blobs: BlobStore,
  references: BlobReferences,
  options: { dryRun: boolean },
): Promise<GcReport> {
  const listed: string[] = [];
  for await (const hash of blobs.list()) listed.push(hash);
  const referenced = await references.referencedHashes();
  const garbage: string[] = [];
  let deleted = 0;
  for (const hash of listed) {
    if (referenced.has(hash)) continue;
    if (options.dryRun) {
      garbage.push(hash);
      continue;
    }
    await references.withHashLock(hash, async () => {
      if (await references.isReferenced(hash)) return;
      garbage.push(hash);
      await blobs.delete(hash);
      deleted++;
    });
  }
  return { scanned: listed.length, garbage, deleted };
}
