/**
 * Encrypted, resumable upload of a file of any size (docs/PROTOCOL.md §8, §11.10).
 *
 * The file is read one chunk at a time, in order, by a single reader: the whole-file digest is
 * fed as it goes and each chunk is sealed and handed to at most `parallel` concurrent PUTs, so
 * memory holds about `parallel + 1` chunks whatever the file size. Resume (journal.ts): the
 * same (room, path) finds its journal, checks size and mtime, re-reads and re-seals every chunk
 * under the recorded key (deterministic), compares each re-sealed hash with the record, asks the
 * node which chunks it holds, and PUTs only the others. Any sign of change starts over with a
 * fresh file key and id.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { randomBytes } from '../crypto';
import {
  FILE_CHUNK_DEFAULT_SIZE,
  FILE_CHUNK_MIN_SIZE,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  FILE_MAX_CHUNKS,
  fileChunkCount,
  fileChunkLength,
  fileManifestToJson,
  isValidFileName,
  sealManifestChunk,
  type FileManifest,
} from '../protocol';
import type { BlobClient } from './blob-client';
import { FileTransferError, abortedError, throwIfAborted } from './errors';
import { UploadJournal } from './journal';
import { ProgressTracker, type ProgressListener } from './progress';
import { Slots } from './slots';

export const DEFAULT_PARALLEL = 3;
export const MAX_PARALLEL = 16;
/** Restarts after the source changed under us before giving up with `file-changed`. */
const MAX_CHANGE_RESTARTS = 3;
const SEALED_OVERHEAD = 16;

export interface UploadFileOptions {
  readonly blobs: BlobClient;
  readonly roomId: string;
  readonly path: string;
  /** Goes only into the manifest; default the path's base name. */
  readonly name?: string;
  /** Goes only into the manifest; default `application/octet-stream`. */
  readonly mime?: string;
  /** Directory for resume journals (in the profile); created 0700 if missing. */
  readonly journalDir: string;
  readonly parallel?: number;
  /** Plaintext bytes per chunk, 1-4 MiB; default 4 MiB capped by the node's `blob_chunk_bytes`. */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

/**
 * Uploads `path` into `roomId`'s blobs and returns the manifest to send inside an encrypted
 * message. Throws `FileTransferError` only. On failure or cancel the journal stays, so a later
 * call with the same room and path resumes; {@link discardUpload} forgets it.
 */
export async function uploadFile(options: UploadFileOptions): Promise<FileManifest> {
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL) {
    throw new FileTransferError('bad-argument', `parallel must be 1-${MAX_PARALLEL}`);
  }
  const absolutePath = resolve(options.path);
  const name = options.name ?? basename(absolutePath);
  if (!isValidFileName(name)) throw new FileTransferError('bad-argument', 'invalid file name');
  const mime = options.mime ?? 'application/octet-stream';
  throwIfAborted(options.signal);
  const chunkSize = options.chunkSize ?? (await defaultChunkSize(options.blobs, options.signal));
  if (
    !Number.isInteger(chunkSize) ||
    chunkSize < FILE_CHUNK_MIN_SIZE ||
    chunkSize > FILE_CHUNK_DEFAULT_SIZE
  ) {
    throw new FileTransferError('bad-argument', 'chunk size must be 1-4 MiB');
  }
  for (let attempt = 0; attempt <= MAX_CHANGE_RESTARTS; attempt++) {
    const manifest = await wrap(() =>
      uploadOnce({ ...options, parallel, absolutePath, name, mime, chunkSize }),
    );
    if (manifest !== 'changed') return manifest;
  }
  throw new FileTransferError('file-changed', 'the file kept changing while it was uploaded');
}

/** Forgets the resume journal of (room, path), if any. */
export async function discardUpload(options: {
  readonly journalDir: string;
  readonly roomId: string;
  readonly path: string;
}): Promise<void> {
  const journal = await UploadJournal.load(
    options.journalDir,
    options.roomId,
    resolve(options.path),
  );
  await journal?.remove();
}

async function defaultChunkSize(blobs: BlobClient, signal?: AbortSignal): Promise<number> {
  const limits = await wrap(() => blobs.limits(signal));
  return Math.min(FILE_CHUNK_DEFAULT_SIZE, limits.blobChunkBytes - SEALED_OVERHEAD);
}

interface UploadOnceOptions extends UploadFileOptions {
  readonly parallel: number;
  readonly absolutePath: string;
  readonly name: string;
  readonly mime: string;
  readonly chunkSize: number;
}

async function uploadOnce(o: UploadOnceOptions): Promise<FileManifest | 'changed'> {
  const handle = await open(o.absolutePath, 'r');
  try {
    const before = await handle.stat({ bigint: true });
    if (!before.isFile()) throw new FileTransferError('bad-argument', 'not a regular file');
    const size = Number(before.size);
    const mtimeNs = before.mtimeNs.toString();
    if (size > o.chunkSize * FILE_MAX_CHUNKS) {
      throw new FileTransferError(
        'file-too-large',
        `file is larger than ${FILE_MAX_CHUNKS} chunks of ${o.chunkSize} bytes`,
      );
    }
    const count = fileChunkCount(size, o.chunkSize);

    let journal = await UploadJournal.load(o.journalDir, o.roomId, o.absolutePath);
    const s = journal?.state;
    const resumable =
      s !== undefined &&
      s.size === size &&
      s.mtimeNs === mtimeNs &&
      s.chunkSize === o.chunkSize &&
      s.chunks.length === count;
    if (journal !== undefined && !resumable) {
      await journal.remove();
      journal = undefined;
    }
    journal ??= await UploadJournal.create(o.journalDir, {
      roomId: o.roomId,
      path: o.absolutePath,
      size,
      mtimeNs,
      chunkSize: o.chunkSize,
      fileId: randomBytes(FILE_ID_BYTES),
      fileKey: randomBytes(FILE_KEY_BYTES),
      chunks: new Array<string | null>(count).fill(null),
    });
    const { fileKey, fileId, chunks: recorded } = journal.state;
    const recordedHashes = recorded.filter((h): h is string => h !== null);
    const onNode =
      recordedHashes.length > 0
        ? await o.blobs.have(o.roomId, recordedHashes, o.signal)
        : new Set<string>();

    const progress = new ProgressTracker('upload', size, count, o.onProgress);
    const digest = createHash('sha256');
    const hashes: string[] = [];
    const slots = new Slots(o.parallel);
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const tasks: Promise<void>[] = [];
    // One read buffer for the whole file: the plaintext is hashed and sealed synchronously right
    // after the read, so it is free again before the next read starts.
    const readBuffer = Buffer.allocUnsafeSlow(Math.min(o.chunkSize, Math.max(size, 1)));
    let failure: unknown;
    let changed = false;
    const fail = (error: unknown) => {
      failure ??= error;
      inner.abort();
    };
    try {
      for (let index = 0; index < count; index++) {
        await slots.acquire();
        if (failure !== undefined || inner.signal.aborted) {
          slots.release();
          break;
        }
        const length = fileChunkLength(size, o.chunkSize, index);
        const plain = await readExactly(handle, readBuffer, length, index * o.chunkSize);
        if (plain === undefined) {
          slots.release();
          changed = true; // shorter than it was: changed under us
          break;
        }
        digest.update(plain);
        const { sealed, hash } = sealManifestChunk(
          { fileKey, fileId, chunkCount: count },
          index,
          plain,
        );
        hashes.push(hash);
        const previous = recorded[index];
        if (previous !== null && previous !== undefined && previous !== hash) {
          slots.release();
          changed = true; // same index, different plaintext: never send it under this key
          break;
        }
        if (onNode.has(hash)) {
          slots.release();
          progress.skipped(length);
          continue;
        }
        let persisted: Promise<void> = Promise.resolve();
        if (previous === null) {
          recorded[index] = hash;
          persisted = journal.persist();
        }
        tasks.push(
          (async () => {
            try {
              await persisted;
              await o.blobs.put(o.roomId, hash, sealed, inner.signal);
              progress.transferred(length);
            } catch (error) {
              fail(error);
            } finally {
              slots.release();
            }
          })(),
        );
      }
    } catch (error) {
      fail(error);
    } finally {
      await Promise.all(tasks);
      o.signal?.removeEventListener('abort', onAbort);
    }
    if (o.signal?.aborted) throw abortedError();
    if (failure !== undefined) throw failure;
    if (changed) {
      await journal.remove();
      return 'changed';
    }
    const after = await stat(o.absolutePath, { bigint: true });
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs) {
      await journal.remove();
      return 'changed';
    }
    const manifest: FileManifest = {
      fileId,
      name: o.name,
      mime: o.mime,
      size,
      chunkSize: o.chunkSize,
      chunks: hashes,
      digest: digest.digest('hex'),
      key: fileKey,
    };
    try {
      fileManifestToJson(manifest);
    } catch (error) {
      throw new FileTransferError('bad-argument', (error as Error).message, { cause: error });
    }
    await journal.remove();
    return manifest;
  } finally {
    await handle.close();
  }
}

/** Reads exactly `length` bytes at `position`; `undefined` if the file ends first. */
async function readExactly(
  handle: FileHandle,
  into: Buffer,
  length: number,
  position: number,
): Promise<Buffer | undefined> {
  const buffer = into.subarray(0, length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) return undefined;
    done += bytesRead;
  }
  return buffer;
}

/** Maps anything thrown into FileTransferError (I/O errors keep their message). */
export async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof FileTransferError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ABORT_ERR' || (error as Error).name === 'AbortError') throw abortedError();
    throw new FileTransferError('io-error', `file I/O failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
