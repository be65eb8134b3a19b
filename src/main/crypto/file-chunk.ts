/**
 * File chunk encryption (ARCHITECTURE.md "Files"): AES-256-GCM under a fresh per-file key.
 *   nonce = 00 00 00 00 || uint64be(index)
 *   AAD   = "unibus:v1:chunk" || 0x00 || fileId(16) || uint64be(index) || uint8(last ? 1 : 0)
 *   out   = ciphertext || tag(16)
 * Binding index and the last flag in the AAD makes reordering, splicing across files and
 * truncation (dropping the final chunks, or presenting a middle chunk as last) fail to open.
 *
 * Deterministic on purpose: resume re-encrypts a chunk to the same bytes (and so the same
 * content address). The price: the same (fileKey, index) must NEVER seal different plaintext
 * (GCM nonce reuse leaks the XOR of plaintexts and the authentication key). If the source
 * file may have changed between attempts, the caller must start over with a new file key.
 */
import { aes256gcmOpen, aes256gcmSeal, AES256GCM_KEY_LENGTH } from './aead.js';
import { asciiBytes, assertBytes, concatBytes, uint64BigEndian } from './bytes.js';

export const FILE_CHUNK_KEY_LENGTH = AES256GCM_KEY_LENGTH;
export const FILE_CHUNK_ID_LENGTH = 16;
export const FILE_CHUNK_NONCE_LENGTH = 12;
export const FILE_CHUNK_TAG_LENGTH = 16;
/** Largest index that uint64be(index) encodes exactly from a JS number. */
export const FILE_CHUNK_MAX_INDEX = Number.MAX_SAFE_INTEGER;

const CHUNK_AAD_LABEL = concatBytes(asciiBytes('unibus:v1:chunk'), new Uint8Array([0]));

/** Where a chunk sits in its file. All three fields are authenticated. */
export interface FileChunkPosition {
  /** 16 bytes identifying the file. */
  readonly fileId: Uint8Array;
  /** 0-based chunk counter. */
  readonly index: number;
  /** True only for the file's final chunk. */
  readonly last: boolean;
}

function checkPosition(functionName: string, position: FileChunkPosition): void {
  assertBytes(functionName, 'fileId', position.fileId, FILE_CHUNK_ID_LENGTH);
  const { index, last } = position;
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`${functionName}: index must be an integer in [0, 2^53-1], got ${index}`);
  }
  if (typeof last !== 'boolean') throw new TypeError(`${functionName}: last must be a boolean`);
}

export function fileChunkNonce(index: number): Uint8Array {
  const nonce = new Uint8Array(FILE_CHUNK_NONCE_LENGTH);
  nonce.set(uint64BigEndian(index), 4);
  return nonce;
}

export function fileChunkAssociatedData({ fileId, index, last }: FileChunkPosition): Uint8Array {
  return concatBytes(
    CHUNK_AAD_LABEL,
    fileId,
    uint64BigEndian(index),
    new Uint8Array([last ? 1 : 0]),
  );
}

export function sealFileChunk(
  fileKey: Uint8Array,
  position: FileChunkPosition,
  plaintext: Uint8Array,
): Uint8Array {
  assertBytes('sealFileChunk', 'fileKey', fileKey, FILE_CHUNK_KEY_LENGTH);
  assertBytes('sealFileChunk', 'plaintext', plaintext);
  checkPosition('sealFileChunk', position);
  return aes256gcmSeal(
    fileKey,
    fileChunkNonce(position.index),
    plaintext,
    fileChunkAssociatedData(position),
  );
}

/** Throws DecryptionError when the chunk is tampered or is not the chunk at `position`. */
export function openFileChunk(
  fileKey: Uint8Array,
  position: FileChunkPosition,
  sealed: Uint8Array,
): Uint8Array {
  assertBytes('openFileChunk', 'fileKey', fileKey, FILE_CHUNK_KEY_LENGTH);
  assertBytes('openFileChunk', 'sealed', sealed);
  checkPosition('openFileChunk', position);
  return aes256gcmOpen(
    fileKey,
    fileChunkNonce(position.index),
    sealed,
    fileChunkAssociatedData(position),
  );
}
