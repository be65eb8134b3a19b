/**
 * The upload journal: what a restarted process needs to resume an upload without ever sealing
 * two different plaintexts under the same (file key, chunk index) — the GCM nonce.
 *
 * One file per (room, absolute source path) in the profile's journal directory, written with
 * `writeSecretFileAtomic` (created 0600 by the open call itself, fsync, rename, directory
 * fsync), because it holds the file key. We keep it as a 0600 secret file rather than encrypting
 * it: the key protects exactly the plaintext of the source file, which sits next to it on the
 * same disk, readable by the same user; whoever can read the journal can read the file itself,
 * so encryption would add a profile key to manage without protecting anything more. The journal
 * never holds plaintext, and it is removed when the upload completes or the file changed.
 *
 * The invariant: before a chunk is PUT, its sealed hash is recorded here (durably). On resume, a
 * chunk whose re-sealed hash differs from its record means the file changed: the upload starts
 * over with a new file key and file id, so no nonce is ever used with two plaintexts.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeSecretFileAtomic } from '../base/atomic-file';
import { base64urlDecode, base64urlEncode, FILE_ID_BYTES, FILE_KEY_BYTES } from '../protocol';

const JOURNAL_VERSION = 1;
const HASH = /^[0-9a-f]{64}$/;

export interface UploadJournalState {
  readonly roomId: string;
  readonly path: string;
  readonly size: number;
  /** `stat.mtimeNs` as decimal text. */
  readonly mtimeNs: string;
  readonly chunkSize: number;
  readonly fileId: Uint8Array;
  readonly fileKey: Uint8Array;
  /** Sealed-chunk hash per index for every chunk that may have been sent; null otherwise. */
  readonly chunks: (string | null)[];
}

export function journalFileName(roomId: string, absolutePath: string): string {
  const id = createHash('sha256').update(`${roomId}\0${absolutePath}`).digest('hex');
  return `upload-${id.slice(0, 40)}.json`;
}

export class UploadJournal {
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private removed = false;

  private constructor(
    readonly file: string,
    readonly state: UploadJournalState,
  ) {}

  /** Reads the journal for (room, path); `undefined` when absent or unreadable. */
  static async load(
    journalDir: string,
    roomId: string,
    absolutePath: string,
  ): Promise<UploadJournal | undefined> {
    const name = journalFileName(roomId, absolutePath);
    const file = join(journalDir, name);
    let text: string;
    try {
      // A crash mid-write left at most a temp file beside the journal: clear it on the way in.
      await removeStaleTempFiles(journalDir, [name]);
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state = parseJournal(text);
    // A journal that is not ours or is damaged is dropped: starting over with a fresh key is
    // always safe, guessing at a damaged record is not.
    if (state === undefined || state.roomId !== roomId || state.path !== absolutePath) {
      return undefined;
    }
    return new UploadJournal(file, state);
  }

  static async create(journalDir: string, state: UploadJournalState): Promise<UploadJournal> {
    await mkdir(journalDir, { recursive: true, mode: 0o700 });
    const name = journalFileName(state.roomId, state.path);
    await removeStaleTempFiles(journalDir, [name]);
    const journal = new UploadJournal(join(journalDir, name), state);
    await journal.persist();
    return journal;
  }

  /**
   * Writes the current state durably. Concurrent callers coalesce: a call made while a write
   * runs is satisfied by the next write, which starts after the running one and includes
   * everything recorded before it starts.
   */
  persist(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    if (this.writing === undefined) {
      this.writing = this.writeNow().finally(() => (this.writing = undefined));
      return this.writing;
    }
    this.queued = this.writing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.persist();
      });
    return this.queued;
  }

  async remove(): Promise<void> {
    this.removed = true;
    await this.writing?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
    await rm(this.file, { force: true });
  }

  private async writeNow(): Promise<void> {
    if (this.removed) return;
    const s = this.state;
    const json = {
      v: JOURNAL_VERSION,
      kind: 'upload',
      room_id: s.roomId,
      path: s.path,
      size: s.size,
      mtime_ns: s.mtimeNs,
      chunk_size: s.chunkSize,
      file_id: base64urlEncode(s.fileId),
      key: base64urlEncode(s.fileKey),
      chunks: s.chunks,
    };
    await writeSecretFileAtomic(this.file, JSON.stringify(json));
  }
}

function parseJournal(text: string): UploadJournalState | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || v['v'] !== JOURNAL_VERSION || v['kind'] !== 'upload')
    return undefined;
  const fileId = typeof v['file_id'] === 'string' ? base64urlDecode(v['file_id']) : undefined;
  const fileKey = typeof v['key'] === 'string' ? base64urlDecode(v['key']) : undefined;
  const chunks = v['chunks'];
  if (
    typeof v['room_id'] !== 'string' ||
    typeof v['path'] !== 'string' ||
    !Number.isSafeInteger(v['size']) ||
    typeof v['mtime_ns'] !== 'string' ||
    !Number.isSafeInteger(v['chunk_size']) ||
    fileId?.length !== FILE_ID_BYTES ||
    fileKey?.length !== FILE_KEY_BYTES ||
    !Array.isArray(chunks) ||
    !chunks.every((c) => c === null || (typeof c === 'string' && HASH.test(c)))
  ) {
    return undefined;
  }
  return {
    roomId: v['room_id'],
    path: v['path'],
    size: v['size'] as number,
    mtimeNs: v['mtime_ns'],
    chunkSize: v['chunk_size'] as number,
    fileId,
    fileKey,
    chunks: chunks as (string | null)[],
  };
}
