/**
 * The replay cache that survives a restart (issue 12, attack 2): every fresh nonce is appended
 * to a journal in the node's data dir and made durable (fdatasync) before its request is
 * handled, so a request that was served once is refused after a restart or a crash as well.
 *
 * - Group commit: nonces that arrive while a write is in flight go out together in the next
 *   write + fdatasync, so the cost per request shrinks as the load grows.
 * - Segments: the journal is a series of files `nonces-<ms>-<n>.log`; a new one starts every
 *   `segmentMs`, and a segment is deleted once every entry in it has expired. Nothing is ever
 *   rewritten, so a crash can only leave a torn last line, which the loader skips (its request
 *   was never answered: answers wait for the write).
 * - Line: `<expiry ms> <entry id>\n`, all ASCII; the entry id is a digest of (key, nonce)
 *   (`ReplayCache.entryId`), so the journal names no signing key.
 *
 * The choice against "refuse timestamps older than start + skew" and its measured cost are in
 * docs/DECISIONS.md §17.
 */
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ReplayCache, type ReplayCacheOptions, type ReplayVerdict } from './replay-cache';

const SEGMENT = /^nonces-\d{1,15}-\d{1,9}\.log$/;
const LINE = /^(\d{1,15}) ([0-9a-f]{64})$/;

export interface ReplayJournalOptions extends ReplayCacheOptions {
  /** Directory of the journal (created 0700). */
  readonly dir: string;
  /** How long one segment file is appended to; default 60 s. */
  readonly segmentMs?: number;
}

interface Waiter {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Segment {
  readonly path: string;
  maxExpiry: number;
}

export class PersistentReplayCache {
  private readonly pending: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private current: { handle: FileHandle; segment: Segment; startedAt: number } | null = null;
  private readonly closedSegments: Segment[] = [];
  private counter = 0;
  private closed = false;
  private readonly now: () => number;

  private constructor(
    private readonly cache: ReplayCache,
    private readonly options: ReplayJournalOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Loads the unexpired entries of every segment, deletes the expired segments. */
  static async open(options: ReplayJournalOptions): Promise<PersistentReplayCache> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const journal = new PersistentReplayCache(new ReplayCache(options), options);
    await journal.load();
    return journal;
  }

  get size(): number {
    return this.cache.size;
  }

  /** 'fresh' only once the nonce is durable on disk. Throws when the journal cannot be written. */
  async remember(publicKeyHex: string, nonce: string, tsSeconds: number): Promise<ReplayVerdict> {
    if (this.closed) throw new Error('replay journal is closed');
    const expiresAt = this.cache.expiryFor(tsSeconds);
    const verdict = this.cache.remember(publicKeyHex, nonce, tsSeconds);
    if (verdict !== 'fresh') return verdict;
    // The entry stays in memory even if the write fails: the request is then refused (503) and
    // its nonce must still never be served.
    await new Promise<void>((resolve, reject) => {
      const line = `${expiresAt} ${ReplayCache.entryId(publicKeyHex, nonce)}\n`;
      this.pending.push({ line, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = null));
    });
    return 'fresh';
  }

  /** Waits for pending writes and closes the current segment. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing !== null) await this.flushing;
    await this.current?.handle.close();
    this.current = null;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const target = await this.segmentForWrite();
        await target.handle.write(batch.map((w) => w.line).join(''));
        await target.handle.datasync();
        for (const waiter of batch) {
          const expiry = Number(waiter.line.slice(0, waiter.line.indexOf(' ')));
          target.segment.maxExpiry = Math.max(target.segment.maxExpiry, expiry);
        }
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
  }

  /** The open segment, or a new one when it is older than segmentMs (then old ones are pruned). */
  private async segmentForWrite(): Promise<NonNullable<PersistentReplayCache['current']>> {
    const now = this.now();
    const segmentMs = this.options.segmentMs ?? 60_000;
    if (this.current !== null && now - this.current.startedAt < segmentMs) return this.current;
    if (this.current !== null) {
      await this.current.handle.close();
      this.closedSegments.push(this.current.segment);
      this.current = null;
    }
    await this.pruneSegments(now);
    const { path, handle } = await this.createSegmentFile(now);
    await syncDirectory(this.options.dir);
    this.current = { handle, segment: { path, maxExpiry: 0 }, startedAt: now };
    return this.current;
  }

  private async createSegmentFile(now: number): Promise<{ path: string; handle: FileHandle }> {
    for (let attempt = 0; ; attempt++) {
      const path = join(this.options.dir, `nonces-${now}-${this.counter++}.log`);
      try {
        return { path, handle: await open(path, 'ax', 0o600) };
      } catch (error) {
        // Same millisecond as a segment of an earlier run: take the next number.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw error;
      }
    }
  }

  private async pruneSegments(now: number): Promise<void> {
    for (let i = this.closedSegments.length - 1; i >= 0; i--) {
      const segment = this.closedSegments[i]!;
      if (segment.maxExpiry > now) continue;
      await rm(segment.path, { force: true });
      this.closedSegments.splice(i, 1);
    }
  }

  private async load(): Promise<void> {
    const now = this.now();
    const names = (await readdir(this.options.dir)).filter((name) => SEGMENT.test(name)).sort();
    for (const name of names) {
      const path = join(this.options.dir, name);
      const segment: Segment = { path, maxExpiry: 0 };
      for (const line of (await readFile(path, 'latin1')).split('\n')) {
        const match = LINE.exec(line);
        if (match === null) continue; // a torn last line or foreign bytes: never answered
        const expiresAt = Number(match[1]);
        segment.maxExpiry = Math.max(segment.maxExpiry, expiresAt);
        if (expiresAt > now) this.cache.restore(match[2]!, expiresAt);
      }
      this.closedSegments.push(segment);
    }
    await this.pruneSegments(now);
  }
}

/** Makes a new file's directory entry durable, so the segment itself survives a crash. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
