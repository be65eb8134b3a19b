/**
 * File manifest (docs/PROTOCOL.md §8): travels only inside an encrypted message body.
 *
 *   { "file_id": b64url(16), "name", "mime", "size", "chunk_size",
 *     "chunks": [hex(sha256(sealed chunk))...], "digest": hex(sha256(plaintext)),
 *     "key": b64url(32) }
 *
 * Chunks are sealed by the crypto module's `sealFileChunk` (AES-256-GCM, NIST SP 800-38D).
 * A file of `size` bytes has max(1, ceil(size / chunk_size)) chunks: an empty file is one
 * empty chunk, so the last-chunk flag always marks the end.
 */
import {
  DecryptionError,
  openFileChunk,
  randomBytes,
  sealFileChunk,
  sha256,
} from '../crypto/index.js';
import { base64urlDecode, base64urlEncode, hexEncode } from './encoding.js';
import { ManifestError, ProtocolArgumentError } from './errors.js';
import { codePointLength, hasExactKeys, isPlainObject, isSafeNonNegativeInteger } from './json.js';

export const FILE_ID_BYTES = 16;
export const FILE_KEY_BYTES = 32;
export const FILE_CHUNK_MIN_SIZE = 1024 * 1024;
export const FILE_CHUNK_MAX_SIZE = 4 * 1024 * 1024;
export const FILE_CHUNK_DEFAULT_SIZE = FILE_CHUNK_MAX_SIZE;
/** Keeps a manifest (~67 bytes per chunk) well inside one frame. */
export const FILE_MAX_CHUNKS = 8192;
export const FILE_NAME_MAX_CODE_POINTS = 255;
export const FILE_NAME_MAX_BYTES = 1024;

export interface FileManifest {
  readonly fileId: Uint8Array;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly chunkSize: number;
  /** Lowercase hex SHA-256 of each sealed chunk, in order: the chunks' content addresses. */
  readonly chunks: readonly string[];
  /** Lowercase hex SHA-256 of the whole plaintext. */
  readonly digest: string;
  readonly key: Uint8Array;
}

const MANIFEST_KEYS = ['file_id', 'name', 'mime', 'size', 'chunk_size', 'chunks', 'digest', 'key'];
const SHA256_HEX = /^[0-9a-f]{64}$/;
// RFC 6838 §4.2 type/subtype names, lowercase, no parameters.
const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
// Controls, lone surrogates, bidi controls (U+061C, U+200E/F, U+202A–E, U+2066–9), separators.
const NAME_FORBIDDEN = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069/\\]/u;

export function fileChunkCount(size: number, chunkSize: number): number {
  return size === 0 ? 1 : Math.ceil(size / chunkSize);
}

/** Plaintext length of chunk `index` of a file. */
export function fileChunkLength(size: number, chunkSize: number, index: number): number {
  const count = fileChunkCount(size, chunkSize);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ProtocolArgumentError('fileChunkLength: index out of range');
  }
  return index === count - 1 ? size - chunkSize * (count - 1) : chunkSize;
}

export function isValidFileName(name: unknown): name is string {
  if (typeof name !== 'string' || name === '.' || name === '..') return false;
  const n = codePointLength(name);
  if (n < 1 || n > FILE_NAME_MAX_CODE_POINTS) return false;
  if (new TextEncoder().encode(name).length > FILE_NAME_MAX_BYTES) return false;
  return !NAME_FORBIDDEN.test(name);
}

function bad(code: ConstructorParameters<typeof ManifestError>[0], message: string): never {
  throw new ManifestError(code, `file manifest: ${message}`);
}

/** Validates a parsed JSON value as a manifest. Throws ManifestError only. */
export function parseFileManifest(value: unknown): FileManifest {
  if (!isPlainObject(value) || !hasExactKeys(value, MANIFEST_KEYS)) bad('bad-shape', 'keys');
  const fileId = typeof value.file_id === 'string' ? base64urlDecode(value.file_id) : undefined;
  if (fileId?.length !== FILE_ID_BYTES) bad('bad-file-id', 'file_id must be 16 bytes base64url');
  if (!isValidFileName(value.name)) bad('bad-name', 'invalid file name');
  if (typeof value.mime !== 'string' || !MIME_PATTERN.test(value.mime)) bad('bad-mime', 'mime');
  const chunkSize = value.chunk_size;
  if (
    !isSafeNonNegativeInteger(chunkSize) ||
    chunkSize < FILE_CHUNK_MIN_SIZE ||
    chunkSize > FILE_CHUNK_MAX_SIZE
  ) {
    bad('bad-chunk-size', 'chunk_size must be 1-4 MiB');
  }
  const size = value.size;
  if (!isSafeNonNegativeInteger(size) || size > chunkSize * FILE_MAX_CHUNKS)
    bad('bad-size', 'size');
  const chunks = value.chunks;
  if (
    !Array.isArray(chunks) ||
    chunks.length !== fileChunkCount(size, chunkSize) ||
    !chunks.every((c) => typeof c === 'string' && SHA256_HEX.test(c))
  ) {
    bad('bad-chunks', 'chunks must list one lowercase sha256 hex per chunk');
  }
  if (typeof value.digest !== 'string' || !SHA256_HEX.test(value.digest))
    bad('bad-digest', 'digest');
  const key = typeof value.key === 'string' ? base64urlDecode(value.key) : undefined;
  if (key?.length !== FILE_KEY_BYTES) bad('bad-key', 'key must be 32 bytes base64url');
  return {
    fileId,
    name: value.name,
    mime: value.mime,
    size,
    chunkSize,
    chunks: [...(chunks as string[])],
    digest: value.digest,
    key,
  };
}

/** The JSON object form (snake_case, fixed key order). Validates by round-trip. */
export function fileManifestToJson(m: FileManifest): Record<string, unknown> {
  const json = {
    file_id: base64urlEncode(m.fileId),
    name: m.name,
    mime: m.mime,
    size: m.size,
    chunk_size: m.chunkSize,
    chunks: [...m.chunks],
    digest: m.digest,
    key: base64urlEncode(m.key),
  };
  try {
    parseFileManifest(json);
  } catch (error) {
    throw new ProtocolArgumentError(`fileManifestToJson: ${(error as Error).message}`);
  }
  return json;
}

/** Seals chunk `index` of a file; returns the sealed bytes and their content address. */
export function sealManifestChunk(
  file: { fileKey: Uint8Array; fileId: Uint8Array; chunkCount: number },
  index: number,
  plaintext: Uint8Array,
): { sealed: Uint8Array; hash: string } {
  const position = { fileId: file.fileId, index, last: index === file.chunkCount - 1 };
  const sealed = sealFileChunk(file.fileKey, position, plaintext);
  return { sealed, hash: hexEncode(sha256(sealed)) };
}

/**
 * Verifies a downloaded chunk against the manifest (content address, then AEAD, then length)
 * and returns its plaintext. Throws ManifestError only.
 */
export function openManifestChunk(m: FileManifest, index: number, sealed: Uint8Array): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= m.chunks.length) bad('bad-index', 'index');
  if (hexEncode(sha256(sealed)) !== m.chunks[index]) bad('chunk-hash-mismatch', `chunk ${index}`);
  let plaintext: Uint8Array;
  try {
    plaintext = openFileChunk(
      m.key,
      { fileId: m.fileId, index, last: index === m.chunks.length - 1 },
      sealed,
    );
  } catch (error) {
    if (error instanceof DecryptionError) bad('decrypt-failed', `chunk ${index}`);
    throw error;
  }
  if (plaintext.length !== fileChunkLength(m.size, m.chunkSize, index)) {
    bad('chunk-length-mismatch', `chunk ${index}`);
  }
  return plaintext;
}

/** Whole-file helper for small files and tests: seals every chunk and builds the manifest. */
export function sealFileInMemory(input: {
  name: string;
  mime: string;
  data: Uint8Array;
  chunkSize?: number;
  fileKey?: Uint8Array;
  fileId?: Uint8Array;
}): { manifest: FileManifest; sealedChunks: Uint8Array[] } {
  const chunkSize = input.chunkSize ?? FILE_CHUNK_DEFAULT_SIZE;
  const fileKey = input.fileKey ?? randomBytes(FILE_KEY_BYTES);
  const fileId = input.fileId ?? randomBytes(FILE_ID_BYTES);
  const chunkCount = fileChunkCount(input.data.length, chunkSize);
  const sealedChunks: Uint8Array[] = [];
  const chunks: string[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const slice = input.data.subarray(
      i * chunkSize,
      Math.min((i + 1) * chunkSize, input.data.length),
    );
    const { sealed, hash } = sealManifestChunk({ fileKey, fileId, chunkCount }, i, slice);
    sealedChunks.push(sealed);
    chunks.push(hash);
  }
  const manifest: FileManifest = {
    fileId,
    name: input.name,
    mime: input.mime,
    size: input.data.length,
    chunkSize,
    chunks,
    digest: hexEncode(sha256(input.data)),
    key: fileKey,
  };
  fileManifestToJson(manifest); // validates
  return { manifest, sealedChunks };
}

/** Opens every chunk in order and checks the whole-file digest. Throws ManifestError only. */
export function openFileInMemory(m: FileManifest, sealedChunks: readonly Uint8Array[]): Uint8Array {
  if (sealedChunks.length !== m.chunks.length) bad('bad-chunks', 'chunk count');
  const out = new Uint8Array(m.size);
  let offset = 0;
  sealedChunks.forEach((sealed, i) => {
    const plain = openManifestChunk(m, i, sealed);
    out.set(plain, offset);
    offset += plain.length;
  });
  if (hexEncode(sha256(out)) !== m.digest) bad('digest-mismatch', 'whole-file digest');
  return out;
}
