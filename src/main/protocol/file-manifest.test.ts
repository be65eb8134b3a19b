import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../crypto/index.js';
import { ManifestError } from './errors.js';
import {
  FILE_CHUNK_MIN_SIZE,
  fileChunkCount,
  fileChunkLength,
  fileManifestToJson,
  isValidFileName,
  openFileInMemory,
  openManifestChunk,
  parseFileManifest,
  sealFileInMemory,
  type FileManifest,
} from './file-manifest.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).code;
  }
}

const MiB = 1024 * 1024;
const data = randomBytes(2 * MiB + 5);
const { manifest, sealedChunks } = sealFileInMemory({
  name: 'photo.jpg',
  mime: 'image/jpeg',
  data,
  chunkSize: MiB,
});

describe('file manifests', () => {
  it('chunk arithmetic: empty file is one empty chunk', () => {
    expect(fileChunkCount(0, MiB)).toBe(1);
    expect(fileChunkCount(MiB, MiB)).toBe(1);
    expect(fileChunkCount(MiB + 1, MiB)).toBe(2);
    expect(fileChunkLength(MiB + 1, MiB, 1)).toBe(1);
    expect(fileChunkLength(0, MiB, 0)).toBe(0);
    expect(() => fileChunkLength(10, MiB, 1)).toThrow();
  });

  it('multi-chunk file round-trips through JSON', () => {
    expect(manifest.chunks).toHaveLength(3);
    expect(sealedChunks[2]).toHaveLength(5 + 16);
    const parsed = parseFileManifest(JSON.parse(JSON.stringify(fileManifestToJson(manifest))));
    expect(parsed).toEqual(manifest);
    expect(Buffer.from(openFileInMemory(parsed, sealedChunks)).equals(Buffer.from(data))).toBe(
      true,
    );
    const empty = sealFileInMemory({
      name: 'e',
      mime: 'application/octet-stream',
      data: new Uint8Array(0),
    });
    expect(openFileInMemory(empty.manifest, empty.sealedChunks)).toHaveLength(0);
  });

  it('refuses reordered, truncated, spliced or tampered chunks', () => {
    expect(codeOf(() => openManifestChunk(manifest, 0, sealedChunks[1]!))).toBe(
      'chunk-hash-mismatch',
    );
    expect(codeOf(() => openFileInMemory(manifest, sealedChunks.slice(0, 2)))).toBe('bad-chunks');
    const t = sealedChunks[0]!.slice();
    t[3]! ^= 1;
    expect(codeOf(() => openManifestChunk(manifest, 0, t))).toBe('chunk-hash-mismatch');
    // A manifest that lists swapped hashes (a sender lying about order) fails the AEAD.
    const swapped: FileManifest = {
      ...manifest,
      chunks: [manifest.chunks[1]!, manifest.chunks[0]!, manifest.chunks[2]!],
    };
    expect(codeOf(() => openManifestChunk(swapped, 0, sealedChunks[1]!))).toBe('decrypt-failed');
    // Truncating the manifest to two chunks makes chunk 1 "last": the AEAD refuses it.
    const truncated = { ...manifest, size: 2 * MiB, chunks: manifest.chunks.slice(0, 2) };
    expect(codeOf(() => openManifestChunk(truncated, 1, sealedChunks[1]!))).toBe('decrypt-failed');
    // Another file's chunk (other file id and key) under this manifest.
    const other = sealFileInMemory({ name: 'x', mime: 'text/plain', data: data.subarray(0, 10) });
    const spliced = {
      ...manifest,
      chunks: [...manifest.chunks.slice(0, 2), other.manifest.chunks[0]!],
    };
    expect(codeOf(() => openManifestChunk(spliced, 2, other.sealedChunks[0]!))).toBe(
      'decrypt-failed',
    );
    const wrongDigest = { ...manifest, digest: '0'.repeat(64) };
    expect(codeOf(() => openFileInMemory(wrongDigest, sealedChunks))).toBe('digest-mismatch');
    expect(codeOf(() => openManifestChunk(manifest, 3, sealedChunks[0]!))).toBe('bad-index');
  });

  it('validates every field', () => {
    const json = fileManifestToJson(manifest);
    const cases: [Record<string, unknown>, string][] = [
      [{ file_id: 'AAAA' }, 'bad-file-id'],
      [{ name: '../etc/passwd' }, 'bad-name'],
      [{ name: '..' }, 'bad-name'],
      [{ name: 'a\u202egpj.exe' }, 'bad-name'],
      [{ name: '' }, 'bad-name'],
      [{ mime: 'Image/JPEG' }, 'bad-mime'],
      [{ mime: 'text/plain; charset=utf-8' }, 'bad-mime'],
      [{ chunk_size: FILE_CHUNK_MIN_SIZE - 1 }, 'bad-chunk-size'],
      [{ chunk_size: 4 * MiB + 1 }, 'bad-chunk-size'],
      [{ size: -1 }, 'bad-size'],
      [{ size: 1.5 }, 'bad-size'],
      [{ size: 2 * MiB }, 'bad-chunks'],
      [{ chunks: ['A'.repeat(64), ...manifest.chunks.slice(1)] }, 'bad-chunks'],
      [{ digest: 'x' }, 'bad-digest'],
      [{ key: 'AAAA' }, 'bad-key'],
      [{ extra: true }, 'bad-shape'],
    ];
    for (const [patch, code] of cases) {
      expect(
        codeOf(() => parseFileManifest({ ...json, ...patch })),
        JSON.stringify(patch),
      ).toBe(code);
    }
    expect(isValidFileName('résumé final (2).pdf')).toBe(true);
    expect(isValidFileName('a\\b')).toBe(false);
  });

  it('parse never throws anything but ManifestError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        codeOf(() => parseFileManifest(v));
      }),
    );
  });
});
