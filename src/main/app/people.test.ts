/**
 * What the app remembers of people's keys (people.json): trust is never "verified" unless the
 * user verified that key; a new key under a known (or look-alike) name is "changed" until the
 * user accepts or verifies it; the file is private, survives a restart, and a damaged one is
 * kept aside and costs trust, never adds it.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PEOPLE_FILE, People } from './people';

const ME = 'me-endpoint';
const KEY = (c: string) => ({ signPub: c.repeat(64), fingerprint: '11111 22222 33333 44444' });
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'unibus-people-'));
  return { dir, people: await People.open(dir) };
}

describe('People (people.json)', () => {
  it('a person seen for the first time is unverified; the user is "me"', async () => {
    const { people } = await fresh();
    people.observe('alice-1', 'alice', KEY('a'));
    expect(people.trustOf('alice-1', 'alice', ME).trust).toBe('unverified');
    expect(people.trustOf(ME, 'me', ME).trust).toBe('me');
  });

  it('verified only after verify, for that exact endpoint', async () => {
    const { people } = await fresh();
    people.observe('alice-1', 'alice', KEY('a'));
    await people.verify('alice-1', { handle: 'alice', ...KEY('a') });
    expect(people.trustOf('alice-1', 'alice', ME).trust).toBe('verified');
    await people.unverify('alice-1');
    expect(people.trustOf('alice-1', 'alice', ME).trust).toBe('unverified');
  });

  it('a new key under a verified (or look-alike) name is changed until accepted', async () => {
    const { people } = await fresh();
    people.observe('alice-1', 'alice', KEY('a'));
    await people.verify('alice-1', { handle: 'alice', ...KEY('a') });
    for (const [endpoint, handle] of [
      ['alice-2', 'alice'],
      ['alice-3', 'Alice'],
      ['alice-4', '\u0430lice'],
    ] as const) {
      const info = people.trustOf(endpoint, handle, ME);
      expect(info.trust).toBe('changed');
      expect(info.previous).toMatchObject({ endpoint: 'alice-1', handle: 'alice' });
      expect(info.previous?.verified_at).not.toBeNull();
    }
    people.observe('alice-2', 'alice', KEY('b'));
    await settle();
    expect(people.trustOf('alice-2', 'alice', ME).trust).toBe('changed');
    await people.acceptChange('alice-2', 'alice');
    expect(people.trustOf('alice-2', 'alice', ME).trust).toBe('unverified');
    // The one the user verified stays verified (its old messages are still hers).
    expect(people.trustOf('alice-1', 'alice', ME).trust).toBe('verified');
  });

  it('a new key under a name only seen before (not verified) is changed too', async () => {
    const { people } = await fresh();
    people.observe('bob-1', 'bob', KEY('c'));
    await settle();
    expect(people.trustOf('bob-2', 'Bob', ME).trust).toBe('changed');
    expect(people.trustOf('carol-1', 'carol', ME).trust).toBe('unverified');
  });

  it('is saved as a 0600 file and read back after a restart', async () => {
    const { dir, people } = await fresh();
    people.observe('alice-1', 'alice', KEY('a'));
    await people.verify('alice-1', { handle: 'alice', ...KEY('a') });
    expect(statSync(join(dir, PEOPLE_FILE)).mode & 0o777).toBe(0o600);
    const again = await People.open(dir);
    expect(again.trustOf('alice-1', 'alice', ME).trust).toBe('verified');
    expect(again.trustOf('alice-2', 'alice', ME).trust).toBe('changed');
    expect(again.record('alice-1')).toMatchObject({ sign_pub: 'a'.repeat(64) });
  });

  it('a damaged file is kept aside and nobody is verified', async () => {
    const { dir } = await fresh();
    writeFileSync(join(dir, PEOPLE_FILE), '{"v":1,"people":{"x":{"handle":1}}}');
    const people = await People.open(dir);
    expect(people.trustOf('x', 'x', ME).trust).toBe('unverified');
    expect(readdirSync(dir).some((f) => f.startsWith(`${PEOPLE_FILE}.damaged-`))).toBe(true);
    await people.verify('y', { handle: 'y', ...KEY('d') });
    expect(JSON.parse(readFileSync(join(dir, PEOPLE_FILE), 'utf8')).people.y.verified_at).toEqual(
      expect.any(Number),
    );
  });

  it('keeps concurrent writes in order (the last verdict wins on disk)', async () => {
    const { dir, people } = await fresh();
    const writes = [];
    for (let i = 0; i < 20; i++) {
      writes.push(people.verify(`p-${i}`, { handle: `p${i}`, ...KEY('e') }));
      if (i % 2 === 0) writes.push(people.unverify(`p-${i}`));
    }
    await Promise.all(writes);
    const onDisk = JSON.parse(readFileSync(join(dir, PEOPLE_FILE), 'utf8')).people;
    expect(Object.keys(onDisk)).toHaveLength(20);
    for (let i = 0; i < 20; i++) {
      expect(onDisk[`p-${i}`].verified_at === null).toBe(i % 2 === 0);
    }
  });
});
