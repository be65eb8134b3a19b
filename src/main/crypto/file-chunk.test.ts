import { createCipheriv } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  DecryptionError,
  FILE_CHUNK_TAG_LENGTH,
  openFileChunk,
  randomBytes,
  sealFileChunk,
  sha256,
  type FileChunkPosition,
} from './index.js';
import { describeEachBackend, fromHex, seededBytes, toHex } from './test/helpers.js';

const CHUNK = 1000;

/** Splits `file` into CHUNK-sized pieces and seals each at its position. */
function sealFile(fileKey: Uint8Array, fileId: Uint8Array, file: Uint8Array): Uint8Array[] {
  const count = Math.max(1, Math.ceil(file.length / CHUNK));
  return Array.from({ length: count }, (_, index) =>
    sealFileChunk(
      fileKey,
      { fileId, index, last: index === count - 1 },
      file.subarray(index * CHUNK, (index + 1) * CHUNK),
    ),
  );
}

describeEachBackend('file chunks', () => {
  const fileKey = seededBytes(21, 32);
  const fileId = seededBytes(22, 16);

  it('matches the documented layout, computed independently with node:crypto', () => {
    const position: FileChunkPosition = { fileId, index: 0x0102030405, last: true };
    const plaintext = seededBytes(23, 77);
    const nonce = fromHex('000000000000000102030405');
    const aad = new Uint8Array([
      ...new TextEncoder().encode('unibus:v1:chunk'),
      0,
      ...fileId,
      ...fromHex('0000000102030405'),
      1,
    ]);
    const cipher = createCipheriv('aes-256-gcm', fileKey, nonce);
    cipher.setAAD(aad);
    const expected = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    expect(toHex(sealFileChunk(fileKey, position, plaintext))).toBe(expected.toString('hex'));
  });

  it('is deterministic, so a resumed upload re-creates the same content address', () => {
    const file = seededBytes(24, 3 * CHUNK + 5);
    const first = sealFile(fileKey, fileId, file).map((chunk) => toHex(sha256(chunk)));
    const second = sealFile(fileKey, fileId, file).map((chunk) => toHex(sha256(chunk)));
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('round-trips a multi-chunk file and an empty last chunk', () => {
    const file = seededBytes(25, 3 * CHUNK + 5);
    const sealed = sealFile(fileKey, fileId, file);
    expect(sealed.map((chunk) => chunk.length)).toEqual(
      [CHUNK, CHUNK, CHUNK, 5].map((n) => n + FILE_CHUNK_TAG_LENGTH),
    );
    const opened = sealed.map((chunk, index) =>
      openFileChunk(fileKey, { fileId, index, last: index === sealed.length - 1 }, chunk),
    );
    expect(Buffer.concat(opened)).toEqual(Buffer.from(file));
    const empty = sealFileChunk(fileKey, { fileId, index: 0, last: true }, new Uint8Array(0));
    expect(openFileChunk(fileKey, { fileId, index: 0, last: true }, empty)).toEqual(
      new Uint8Array(0),
    );
  });

  it('rejects every single-bit flip of a chunk', () => {
    const position = { fileId, index: 7, last: false };
    const sealed = sealFileChunk(fileKey, position, seededBytes(26, 48));
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const tampered = new Uint8Array(sealed);
      tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(() => openFileChunk(fileKey, position, tampered)).toThrow(DecryptionError);
    }
  });

  it('rejects a chunk presented at another index, with the other last flag, or under another file id', () => {
    const position = { fileId, index: 2, last: false };
    const sealed = sealFileChunk(fileKey, position, seededBytes(27, 64));
    for (const index of [0, 1, 3, 2 ** 32 + 2, Number.MAX_SAFE_INTEGER]) {
      expect(() => openFileChunk(fileKey, { ...position, index }, sealed)).toThrow(DecryptionError);
    }
    expect(() => openFileChunk(fileKey, { ...position, last: true }, sealed)).toThrow(
      DecryptionError,
    );
    for (let bit = 0; bit < 128; bit++) {
      const otherId = new Uint8Array(fileId);
      otherId[bit >> 3] = (otherId[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(() => openFileChunk(fileKey, { ...position, fileId: otherId }, sealed)).toThrow(
        DecryptionError,
      );
    }
  });

  it('detects truncation, reordering and splicing of whole chunks', () => {
    const file = seededBytes(28, 4 * CHUNK);
    const sealed = sealFile(fileKey, fileId, file);
    // Truncation: the receiver expects chunk 2 to be last, but chunk 2 was sealed as not-last.
    expect(() =>
      openFileChunk(fileKey, { fileId, index: 2, last: true }, sealed[2] as Uint8Array),
    ).toThrow(DecryptionError);
    // Reordering: chunk 1 delivered in slot 0.
    expect(() =>
      openFileChunk(fileKey, { fileId, index: 0, last: false }, sealed[1] as Uint8Array),
    ).toThrow(DecryptionError);
    // Splicing: the same slot of another file under the same key (ids differ).
    const otherId = randomBytes(16);
    const otherFile = sealFile(fileKey, otherId, file);
    expect(() =>
      openFileChunk(fileKey, { fileId, index: 1, last: false }, otherFile[1] as Uint8Array),
    ).toThrow(DecryptionError);
  });

  it('validates key, file id, index and last flag', () => {
    const chunk = new Uint8Array(4);
    expect(() =>
      sealFileChunk(fileKey.subarray(1), { fileId, index: 0, last: true }, chunk),
    ).toThrow(RangeError);
    expect(() =>
      sealFileChunk(fileKey, { fileId: fileId.subarray(1), index: 0, last: true }, chunk),
    ).toThrow(/sealFileChunk: fileId must be 16 bytes, got 15/);
    for (const index of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => sealFileChunk(fileKey, { fileId, index, last: true }, chunk)).toThrow(
        RangeError,
      );
    }
    expect(() =>
      sealFileChunk(fileKey, { fileId, index: 0, last: 1 as unknown as boolean }, chunk),
    ).toThrow(TypeError);
  });
});
