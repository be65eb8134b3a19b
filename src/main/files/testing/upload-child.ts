/**
 * Child process for the kill-and-restart tests and the bench: uploads one file with the files
 * module and reports on stdout, one JSON object per line:
 *   {"type":"progress",...TransferProgress, "stats": BlobClientStats}
 *   {"type":"done","manifest":<manifest json>,"stats":BlobClientStats,"ms":number}
 *   {"type":"error","code":..., "message":...}
 * Input: UNIBUS_FILES_CHILD (JSON: peer, roomId, path, journalDir, parallel?, chunkSize?).
 */
import { fileManifestToJson } from '../../protocol';
import { FileTransferError, uploadFile } from '../index';
import { blobClientFor, type PeerConfig } from './node-fixture';

interface ChildInput {
  readonly peer: PeerConfig;
  readonly roomId: string;
  readonly path: string;
  readonly journalDir: string;
  readonly parallel?: number;
  readonly chunkSize?: number;
}

const input = JSON.parse(process.env['UNIBUS_FILES_CHILD'] ?? '{}') as ChildInput;
const blobs = blobClientFor(input.peer);
const line = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
const started = performance.now();
try {
  const manifest = await uploadFile({
    blobs,
    roomId: input.roomId,
    path: input.path,
    journalDir: input.journalDir,
    ...(input.parallel === undefined ? {} : { parallel: input.parallel }),
    ...(input.chunkSize === undefined ? {} : { chunkSize: input.chunkSize }),
    onProgress: (p) => line({ type: 'progress', ...p, stats: blobs.stats }),
  });
  line({
    type: 'done',
    manifest: fileManifestToJson(manifest),
    stats: blobs.stats,
    ms: performance.now() - started,
  });
} catch (error) {
  const code = error instanceof FileTransferError ? error.code : 'unknown';
  line({ type: 'error', code, message: (error as Error).message });
  process.exitCode = 1;
} finally {
  blobs.close();
}
