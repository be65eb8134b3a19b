/**
 * Blobs as files under `<dir>/<first two hex>/<hash>`, written with the crash-safe temp +
 * fsync + rename sequence, so a chunk is either absent or complete under its name. Names are
 * validated hashes only, so no request can address a path outside `dir`.
 */
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '../../base/atomic-file';
import { SingleFlight, blobHash, isBlobHash, requireBlobHash, type BlobStore } from './blob-store';

export class FileBlobStore implements BlobStore {
  readonly kind = 'file';
  private readonly writes = new SingleFlight<boolean>();

  constructor(private readonly dir: string) {}

  /**
   * Creates the directory (0700) and removes temp files a crash left behind. Call before the
   * first write (it must not race a live writer).
   */
  static async open(dir: string): Promise<FileBlobStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const prefix of await readdirOrEmpty(dir)) {
      if (/^[0-9a-f]{2}$/.test(prefix)) await removeStaleTempFiles(join(dir, prefix));
    }
    return new FileBlobStore(dir);
  }

  async has(hash: string): Promise<boolean> {
    return (await statOrNull(this.pathOf(hash)))?.isFile() ?? false;
  }

  async put(hash: string, bytes: Uint8Array): Promise<boolean> {
    const path = this.pathOf(hash);
    return this.writes.run(hash, async () => {
      // An intact copy is kept as is; a damaged one is replaced by these (verified) bytes.
      if ((await this.get(hash)) !== null) return false;
      await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
      await writeFileAtomic(path, bytes, { mode: 0o600 });
      return true;
    });
  }

  async get(hash: string): Promise<Uint8Array | null> {
    const path = this.pathOf(hash);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    // Flipped bytes are never served: the copy is useless under this name, so it is removed
    // and a re-upload (or the resume list, which now lacks it) repairs the chunk.
    if (blobHash(bytes) !== hash) {
      await rm(path, { force: true });
      return null;
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async delete(hash: string): Promise<void> {
    await rm(this.pathOf(hash), { force: true });
  }

  async *list(): AsyncIterable<string> {
    for (const prefix of await readdirOrEmpty(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdirOrEmpty(join(this.dir, prefix))) {
        if (isBlobHash(name) && name.startsWith(prefix)) yield name;
      }
    }
  }

  async size(): Promise<number> {
    let total = 0;
    for await (const hash of this.list()) total += (await statOrNull(this.pathOf(hash)))?.size ?? 0;
    return total;
  }

  private pathOf(hash: string): string {
    requireBlobHash(hash, 'FileBlobStore');
    return join(this.dir, hash.slice(0, 2), hash);
  }
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
