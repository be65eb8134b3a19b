import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PersistentReplayCache } from './replay-journal';

const T0 = 1_767_225_600;
const KEY = 'ab'.repeat(32);
const nonce = (n: number) => `${String(n).padStart(22, 'A')}==`;
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'unibus-replay-'));
  dirs.push(dir);
  return join(dir, 'replay');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('control plane - persistent replay cache', () => {
  it('a nonce remembered before a restart is still a replay after it', async () => {
    const dir = tempDir();
    let now = T0 * 1000;
    const first = await PersistentReplayCache.open({
      dir,
      ttlMs: 60_000,
      maxEntries: 10,
      now: () => now,
    });
    expect(await first.remember(KEY, nonce(1), T0)).toBe('fresh');
    expect(await first.remember(KEY, nonce(2), T0 + 30)).toBe('fresh');
    await first.close();
    now += 45_000;
    const second = await PersistentReplayCache.open({
      dir,
      ttlMs: 60_000,
      maxEntries: 10,
      now: () => now,
    });
    expect(second.size).toBe(2);
    expect(await second.remember(KEY, nonce(1), T0)).toBe('replayed');
    expect(await second.remember(KEY, nonce(3), T0 + 40)).toBe('fresh');
    await second.close();
    // The journal is private to the node and names no signing key.
    for (const name of readdirSync(dir)) {
      expect(readFileSync(join(dir, name), 'utf8')).not.toContain(KEY);
    }
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('writes concurrent nonces together (group commit) and every one is durable when remember resolves', async () => {
    const dir = tempDir();
    const cache = await PersistentReplayCache.open({ dir, ttlMs: 60_000, maxEntries: 1000 });
    const now = Math.floor(Date.now() / 1000);
    const verdicts = await Promise.all(
      Array.from({ length: 200 }, (_, i) => cache.remember(KEY, nonce(i), now)),
    );
    expect(new Set(verdicts)).toEqual(new Set(['fresh']));
    // Not closed: a crash now would find all 200 on disk.
    const reopened = await PersistentReplayCache.open({ dir, ttlMs: 60_000, maxEntries: 1000 });
    expect(reopened.size).toBe(200);
    await cache.close();
    await reopened.close();
  });

  it('skips a torn last line and foreign lines, and drops segments whose entries all expired', async () => {
    const dir = tempDir();
    let now = T0 * 1000;
    const opts = { dir, ttlMs: 60_000, maxEntries: 10, segmentMs: 10_000, now: () => now };
    const cache = await PersistentReplayCache.open(opts);
    expect(await cache.remember(KEY, nonce(1), T0)).toBe('fresh');
    now += 20_000; // next write starts a new segment
    expect(await cache.remember(KEY, nonce(2), T0 + 20)).toBe('fresh');
    await cache.close();
    const [latest] = readdirSync(dir).sort().reverse();
    appendFileSync(join(dir, latest!), `${T0 * 1000 + 90_000} ${'cd'.repeat(20)}`);
    writeFileSync(join(dir, 'nonces-1-0.log'), 'garbage\n', { mode: 0o600 });
    expect(readdirSync(dir)).toHaveLength(3);

    now = T0 * 1000 + 70_000; // nonce 1 (until T0 + 61 s) is gone, nonce 2 (until T0 + 80 s) not
    const reopened = await PersistentReplayCache.open(opts);
    expect(reopened.size).toBe(1);
    expect(await reopened.remember(KEY, nonce(2), T0 + 20)).toBe('replayed');
    expect(await reopened.remember(KEY, nonce(1), T0 + 60)).toBe('fresh');
    await reopened.close();
    // The expired first segment and the foreign one were deleted at load.
    expect(readdirSync(dir).filter((n) => n === 'nonces-1-0.log')).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('a failed write refuses the request and keeps the nonce refused', async () => {
    const dir = tempDir();
    const cache = await PersistentReplayCache.open({ dir, ttlMs: 60_000, maxEntries: 10 });
    const now = Math.floor(Date.now() / 1000);
    rmSync(dir, { recursive: true, force: true }); // the data dir vanished under the node
    await expect(cache.remember(KEY, nonce(1), now)).rejects.toThrow();
    expect(await cache.remember(KEY, nonce(1), now)).toBe('replayed');
    await cache.close();
  });
});
