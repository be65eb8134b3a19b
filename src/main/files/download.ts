/**
 * Download and decrypt a file from its manifest (docs/PROTOCOL.md §8, §11.10).
 *
 * Up to `parallel` chunk GETs run ahead of a single in-order consumer, which checks each chunk
 * (content hash, then AES-GCM with file id, index and last flag bound, then length), feeds the
 * whole-file digest, and writes the plaintext at its offset into a temp file next to `outPath`
 * (created 0600, exclusive). Memory holds at most `parallel` chunks. When the digest matches, the
 * temp file is fsynced and renamed over `outPath`, and the directory fsynced; on any failure or
 * cancel the temp file is removed and nothing appears under `outPath`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FILE_CHUNK_TAG_LENGTH } from '../crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  ManifestError,
  fileChunkLength,
  fileManifestToJson,
  openManifestChunk,
  type FileManifest,
} from '../protocol';
import type { BlobClient } from './blob-client';
import { FileTransferError, abortedError, throwIfAborted } from './errors';
import { ProgressTracker, type ProgressListener } from './progress';
import { DEFAULT_PARALLEL, MAX_PARALLEL, wrap } from './upload';

export interface DownloadFileOptions {
  readonly blobs: BlobClient;
  readonly roomId: string;
  readonly manifest: FileManifest;
  readonly outPath: string;
  readonly parallel?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

export interface DownloadResult {
  readonly path: string;
  readonly size: number;
  /** Lowercase hex SHA-256 of the plaintext (equal to the manifest's digest). */
  readonly digest: string;
}

/** Throws `FileTransferError` only; on failure nothing is left behind. */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadResult> {
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL) {
    throw new FileTransferError('bad-argument', `parallel must be 1-${MAX_PARALLEL}`);
  }
  try {
    fileManifestToJson(options.manifest);
  } catch (error) {
    throw new FileTransferError('bad-argument', (error as Error).message, { cause: error });
  }
  throwIfAborted(options.signal);
  const dir = dirname(options.outPath);
  const temp = join(
    dir,
    `.${basename(options.outPath)}.unibus-${randomBytes(6).toString('hex')}.part`,
  );
  return wrap(async () => {
    const handle = await open(
      temp,
      fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY,
      0o600,
    );
    let closed = false;
    try {
      const digest = await fetchInto(handle, { ...options, parallel });
      await handle.sync();
      await handle.close();
      closed = true;
      await rename(temp, options.outPath);
      await fsyncDirectory(dir);
      return { path: options.outPath, size: options.manifest.size, digest };
    } catch (error) {
      if (!closed) await handle.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  });
}

async function fetchInto(
  handle: FileHandle,
  o: DownloadFileOptions & { parallel: number },
): Promise<string> {
  const m = o.manifest;
  const count = m.chunks.length;
  const progress = new ProgressTracker('download', m.size, count, o.onProgress);
  const digest = createHash('sha256');
  const inner = new AbortController();
  const onAbort = () => inner.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const pending: Promise<Uint8Array>[] = [];
  let launched = 0;
  // Receive buffers, reused: at most `parallel` chunks are in flight or waiting, and a buffer
  // goes back as soon as its chunk is opened (the plaintext is a separate buffer).
  const free: Buffer[] = [];
  const sealedMax = Math.min(m.chunkSize, Math.max(m.size, 0)) + FILE_CHUNK_TAG_LENGTH;
  const launch = (index: number): Promise<Uint8Array> => {
    const p = (async () => {
      const hash = m.chunks[index]!;
      let sealed: Uint8Array;
      const buffer = free.pop() ?? Buffer.allocUnsafeSlow(sealedMax);
      try {
        sealed = await o.blobs.get(o.roomId, hash, inner.signal, buffer);
      } catch (error) {
        if (error instanceof FileTransferError && error.code === 'chunk-missing') {
          throw new FileTransferError(
            'chunk-missing',
            `chunk ${index} of ${count} is not on the node (missing, or damaged and removed)`,
            { chunkIndex: index, hash, status: 404, cause: error },
          );
        }
        throw error;
      }
      try {
        const plain = openManifestChunk(m, index, sealed);
        // The buffer is reused: never hand out a view of it (a backend could return one).
        return plain.buffer === buffer.buffer ? Uint8Array.from(plain) : plain;
      } catch (error) {
        if (error instanceof ManifestError) {
          throw new FileTransferError(
            'chunk-corrupt',
            `chunk ${index} of ${count} failed verification (${error.code})`,
            { chunkIndex: index, hash, cause: error },
          );
        }
        throw error;
      } finally {
        free.push(buffer);
      }
    })();
    p.catch(() => undefined); // observed below, in order; avoid unhandled-rejection noise
    return p;
  };
  try {
    let offset = 0;
    for (let index = 0; index < count; index++) {
      while (launched < count && launched < index + o.parallel) pending.push(launch(launched++));
      const plain = await pending.shift()!;
      if (o.signal?.aborted) throw abortedError();
      const expected = fileChunkLength(m.size, m.chunkSize, index);
      digest.update(plain);
      await writeAll(handle, plain, offset);
      offset += expected;
      progress.transferred(plain.length);
    }
  } catch (error) {
    inner.abort();
    await Promise.allSettled(pending);
    if (o.signal?.aborted) throw abortedError();
    throw error;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  const hex = digest.digest('hex');
  if (hex !== m.digest) {
    throw new FileTransferError(
      'digest-mismatch',
      'every chunk verified but the whole-file digest does not match the manifest',
    );
  }
  return hex;
}

async function writeAll(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
