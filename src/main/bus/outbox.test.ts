import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newUlid } from '../protocol';
import { OUTBOX_FILE, Outbox, OutboxError } from './outbox';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'unibus-outbox-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('outbox', () => {
  it('persists sealed frames atomically (0600) and reloads them in order', async () => {
    const profile = dir();
    const roomId = newUlid();
    const outbox = await Outbox.open(profile);
    const entries = Array.from({ length: 50 }, (_, i) => ({
      id: newUlid(Date.now() + i),
      roomId,
      frame: new Uint8Array([i, 1, 2, 3]),
      createdAt: Date.now(),
    }));
    // Concurrent adds share coalesced writes; every add resolves once durable.
    await Promise.all(entries.map((e) => outbox.add(e)));
    expect(statSync(join(profile, OUTBOX_FILE)).mode & 0o777).toBe(0o600);
    const reopened = await Outbox.open(profile);
    expect(reopened.list().map((e) => e.id)).toEqual(entries.map((e) => e.id));
    expect([...reopened.list()[7]!.frame]).toEqual([7, 1, 2, 3]);

    await reopened.remove(entries.slice(0, 49).map((e) => e.id));
    expect((await Outbox.open(profile)).list().map((e) => e.id)).toEqual([entries[49]!.id]);
    expect(JSON.parse(readFileSync(join(profile, OUTBOX_FILE), 'utf8')).entries).toHaveLength(1);
  });

  it('refuses a damaged file instead of silently dropping queued messages', async () => {
    const profile = dir();
    writeFileSync(join(profile, OUTBOX_FILE), '{"v":1,"entries":[{"id":"nope"}]}');
    await expect(Outbox.open(profile)).rejects.toThrow(OutboxError);
    writeFileSync(join(profile, OUTBOX_FILE), 'not json');
    await expect(Outbox.open(profile)).rejects.toThrow(/damaged/);
  });
});
