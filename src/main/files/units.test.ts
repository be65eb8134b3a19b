/** Unit tests for the pieces under the transfers: journal, progress, slots. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UploadJournal, journalFileName } from './journal';
import { ProgressTracker, type TransferProgress } from './progress';
import { Slots } from './slots';

const dir = mkdtempSync(join(tmpdir(), 'unibus-files-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const state = (path: string) => ({
  roomId: '01JROOM0000000000000000000',
  path,
  size: 10,
  mtimeNs: '123',
  chunkSize: 1024 * 1024,
  fileId: new Uint8Array(16).fill(1),
  fileKey: new Uint8Array(32).fill(2),
  chunks: [null] as (string | null)[],
});

describe('UploadJournal', () => {
  it('is a 0600 file that round-trips and coalesces concurrent writes', async () => {
    const s = state('/data/a.bin');
    const journal = await UploadJournal.create(dir, s);
    expect(statSync(journal.file).mode & 0o777).toBe(0o600);
    s.chunks[0] = 'a'.repeat(64);
    await Promise.all([journal.persist(), journal.persist(), journal.persist()]);
    const loaded = await UploadJournal.load(dir, s.roomId, s.path);
    expect(loaded?.state).toEqual(s);
    expect(JSON.parse(readFileSync(journal.file, 'utf8')).key).toBe(
      Buffer.from(s.fileKey).toString('base64url'),
    );
    await loaded!.remove();
    expect(await UploadJournal.load(dir, s.roomId, s.path)).toBeUndefined();
  });

  it('ignores a damaged journal or one written for another path (start over, new key)', async () => {
    const s = state('/data/b.bin');
    const file = join(dir, journalFileName(s.roomId, s.path));
    writeFileSync(file, '{"v":1,"kind":"upload","key":');
    expect(await UploadJournal.load(dir, s.roomId, s.path)).toBeUndefined();
    const other = await UploadJournal.create(dir, state('/data/c.bin'));
    writeFileSync(file, readFileSync(other.file));
    expect(await UploadJournal.load(dir, s.roomId, s.path)).toBeUndefined();
    expect(await UploadJournal.load(dir, s.roomId, '/data/c.bin')).toBeDefined();
    const otherJson = JSON.parse(readFileSync(other.file, 'utf8')) as Record<string, unknown>;
    writeFileSync(other.file, JSON.stringify({ ...otherJson, chunks: ['not-a-hash'] }));
    expect(await UploadJournal.load(dir, s.roomId, '/data/c.bin')).toBeUndefined();
  });
});

describe('ProgressTracker', () => {
  it('reports bytes, a windowed rate and an ETA; skipped chunks do not inflate the rate', () => {
    let now = 0;
    const events: TransferProgress[] = [];
    const t = new ProgressTracker(
      'upload',
      4000,
      4,
      (p) => events.push(p),
      () => now,
    );
    t.skipped(1000);
    expect(events[0]).toMatchObject({
      bytesDone: 1000,
      chunksSkipped: 1,
      rateBytesPerSecond: 0,
      etaSeconds: null,
    });
    now = 1000;
    t.transferred(1000);
    expect(events[1]).toMatchObject({ bytesDone: 2000, rateBytesPerSecond: 1000, etaSeconds: 2 });
    now = 2000;
    t.transferred(1000);
    now = 3000;
    t.transferred(1000);
    expect(events[3]).toMatchObject({ bytesDone: 4000, chunksDone: 4, etaSeconds: 0 });
    expect(events[3]!.rateBytesPerSecond).toBe(1000);
  });

  it('a throwing listener does not break the transfer', () => {
    const t = new ProgressTracker('download', 10, 1, () => {
      throw new Error('ui gone');
    });
    expect(() => t.transferred(10)).not.toThrow();
  });
});

describe('Slots', () => {
  it('admits at most n holders and serves waiters in order', async () => {
    const slots = new Slots(2);
    const order: number[] = [];
    await slots.acquire();
    await slots.acquire();
    const third = slots.acquire().then(() => order.push(3));
    const fourth = slots.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(order).toEqual([]);
    slots.release();
    await third;
    slots.release();
    await fourth;
    expect(order).toEqual([3, 4]);
  });
});
