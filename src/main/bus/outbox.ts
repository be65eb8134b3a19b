/**
 * The offline outbox, persisted in the profile (`outbox.json`, written atomically, 0600). It
 * holds **sealed, signed frames** (never plaintext): a message is sealed once, when the user
 * sends it, and the same bytes are published until the node stores them. Resending after a
 * reconnect or a restart is therefore exactly-once on the wire (JetStream de-duplicates by
 * message id within the stream's 2-minute window) and for readers (receivers de-duplicate by
 * message id).
 *
 * Writes are coalesced: while one write is in flight, later changes wait for the next one, and
 * every `add`/`remove` resolves only once a write containing it is durable.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeSecretFileAtomic } from '../base/atomic-file';
import { base64urlDecode, base64urlEncode, isMessageId, isRoomId } from '../protocol';

export const OUTBOX_FILE = 'outbox.json';

export interface OutboxEntry {
  readonly id: string;
  readonly roomId: string;
  readonly frame: Uint8Array;
  readonly createdAt: number;
}

interface StoredEntry {
  id: string;
  room_id: string;
  frame: string;
  created_at: number;
}

export class OutboxError extends Error {
  override readonly name = 'OutboxError';
}

export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private writing: Promise<void> | null = null;
  private pending: Promise<void> | null = null;

  private constructor(private readonly path: string) {}

  static async open(profileDir: string): Promise<Outbox> {
    await mkdir(profileDir, { recursive: true, mode: 0o700 });
    await removeStaleTempFiles(profileDir, [OUTBOX_FILE]); // left by a crash mid-write
    const outbox = new Outbox(join(profileDir, OUTBOX_FILE));
    let text: string | undefined;
    try {
      text = await readFile(outbox.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new OutboxError(`${OUTBOX_FILE} is damaged (not JSON); move it aside to continue`);
      }
      const list = (value as { v?: unknown; entries?: unknown } | null)?.entries;
      if (!Array.isArray(list)) throw new OutboxError(`${OUTBOX_FILE} is damaged`);
      for (const raw of list as StoredEntry[]) {
        const frame = typeof raw?.frame === 'string' ? base64urlDecode(raw.frame) : undefined;
        if (
          !isMessageId(raw?.id) ||
          !isRoomId(raw?.room_id) ||
          !frame ||
          typeof raw.created_at !== 'number'
        ) {
          throw new OutboxError(`${OUTBOX_FILE} is damaged (bad entry)`);
        }
        outbox.entries.set(raw.id, {
          id: raw.id,
          roomId: raw.room_id,
          frame,
          createdAt: raw.created_at,
        });
      }
    }
    return outbox;
  }

  /** Entries in the order they were added (message ids are ULIDs, so also time order). */
  list(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  async add(entry: OutboxEntry): Promise<void> {
    this.entries.set(entry.id, entry);
    await this.persist();
  }

  async remove(ids: readonly string[]): Promise<void> {
    let changed = false;
    for (const id of ids) changed = this.entries.delete(id) || changed;
    if (changed) await this.persist();
  }

  /** Resolves once a write that includes every change made before this call is durable. */
  private persist(): Promise<void> {
    if (this.pending) return this.pending;
    const previous = this.writing ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        this.pending = null;
        this.writing = next;
        try {
          await writeSecretFileAtomic(this.path, this.serialize());
        } finally {
          if (this.writing === next) this.writing = null;
        }
      });
    this.pending = next;
    return next;
  }

  private serialize(): string {
    const entries: StoredEntry[] = this.list().map((e) => ({
      id: e.id,
      room_id: e.roomId,
      frame: base64urlEncode(e.frame),
      created_at: e.createdAt,
    }));
    return `${JSON.stringify({ v: 1, entries })}\n`;
  }
}
