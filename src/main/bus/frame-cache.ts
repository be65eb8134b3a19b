/**
 * The local message cache in the profile (`frames/<room id>.jsonl`): every accepted frame, as
 * the **sealed, signed bytes** received (never plaintext), with the sender's signing key and,
 * for frames read from the node's history, their stored sequence. The history reader resumes
 * after the highest cached sequence, so the cache is what lets a later process show a room's
 * history. Replayed frames are verified and opened again (the stored key must hash to the
 * frame's sender), with the room keys held now.
 *
 * One JSON object per line, appended; a damaged line (a crash mid-append) is skipped.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base64urlDecode, base64urlEncode, isRoomId } from '../protocol';

export const FRAME_CACHE_DIR = 'frames';

export interface CachedFrame {
  readonly frame: Uint8Array;
  readonly signPublic: Uint8Array;
  /** The node's stream sequence (frames read from history). */
  readonly seq?: number;
}

export class FrameCache {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly profileDir: string) {}

  private path(roomId: string): string {
    if (!isRoomId(roomId)) throw new Error('frame cache: bad room id');
    return join(this.profileDir, FRAME_CACHE_DIR, `${roomId}.jsonl`);
  }

  async read(roomId: string): Promise<CachedFrame[]> {
    let text: string;
    try {
      text = await readFile(this.path(roomId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: CachedFrame[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const value = JSON.parse(line) as { f?: unknown; k?: unknown; s?: unknown };
        const frame = typeof value.f === 'string' ? base64urlDecode(value.f) : undefined;
        const signPublic = typeof value.k === 'string' ? base64urlDecode(value.k) : undefined;
        const seq = Number.isSafeInteger(value.s) ? (value.s as number) : undefined;
        if (frame && signPublic?.length === 32) {
          out.push(seq === undefined ? { frame, signPublic } : { frame, signPublic, seq });
        }
      } catch {
        // A torn last line after a crash: skip it.
      }
    }
    return out;
  }

  /** Appends in call order per room; resolves when written. */
  append(roomId: string, entry: CachedFrame): Promise<void> {
    const path = this.path(roomId);
    const line = `${JSON.stringify({
      f: base64urlEncode(entry.frame),
      k: base64urlEncode(entry.signPublic),
      ...(entry.seq !== undefined ? { s: entry.seq } : {}),
    })}\n`;
    const previous = this.queues.get(roomId) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        await mkdir(join(this.profileDir, FRAME_CACHE_DIR), { recursive: true, mode: 0o700 });
        await appendFile(path, line, { mode: 0o600 });
      });
    this.queues.set(roomId, next);
    return next;
  }

  /** Waits for every pending append. */
  async settle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((p) => p.catch(() => {})));
  }
}
