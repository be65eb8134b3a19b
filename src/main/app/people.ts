/**
 * What this user knows of other people's keys, in `people.json` (0600, written atomically): who
 * was seen here under which handle, which keys the user verified by safety number, and which
 * key changes the user accepted. Never on the node: trust is the user's own judgement.
 *
 * A key is `changed` when someone with the same or a look-alike handle (PROTOCOL.md §2.1) was
 * seen here earlier with another key: the same name now belongs to another identity (a new
 * device, or someone posing as them). Messages from it are not trusted until the user accepts
 * the new key or verifies it. Only a key the user verified is ever `verified`.
 *
 * A damaged file is kept beside it (`people.json.damaged-<time>`) and the app starts from no
 * knowledge: that shows fewer people as verified, never more.
 */
import { renameSync } from 'node:fs';
import type { PersonTrust } from '../../shared/types';
import { lookAlikeKeys } from '../protocol';
import { JsonFile } from './json-file';

export const PEOPLE_FILE = 'people.json';

export interface PersonRecord {
  readonly handle: string;
  /** Lowercase hex signing key, once this peer saw the person's card. */
  readonly sign_pub: string | null;
  /** The person's short fingerprint, once computed (it costs 5200 hashes). */
  readonly fingerprint: string | null;
  readonly first_seen: number;
  readonly verified_at: number | null;
  /** The user accepted this key after it replaced a look-alike's. */
  readonly accepted_at: number | null;
}

interface PeopleFile {
  readonly v: 1;
  readonly people: Readonly<Record<string, PersonRecord>>;
}

export interface PersonTrustInfo {
  readonly trust: PersonTrust;
  /** For `changed`: the earlier person with this (look-alike) name. */
  readonly previous: (PersonRecord & { readonly endpoint: string }) | null;
}

const EMPTY: PeopleFile = { v: 1, people: {} };
const HEX_KEY = /^[0-9a-f]{64}$/;
const SHORT_FINGERPRINT = /^[0-9]{5}( [0-9]{5}){3}$/;

const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const orNull = <T>(v: unknown, ok: (x: unknown) => x is T): v is T | null => v === null || ok(v);

function isPersonRecord(value: unknown): value is PersonRecord {
  const r = value as Partial<PersonRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.handle === 'string' &&
    orNull(r.sign_pub, (v): v is string => typeof v === 'string' && HEX_KEY.test(v)) &&
    orNull(r.fingerprint, (v): v is string => typeof v === 'string' && SHORT_FINGERPRINT.test(v)) &&
    isTime(r.first_seen) &&
    orNull(r.verified_at, isTime) &&
    orNull(r.accepted_at, isTime)
  );
}

function fitPeopleFile(raw: unknown): PeopleFile | null {
  const file = raw as Partial<PeopleFile> | null;
  if (typeof file !== 'object' || file === null || file.v !== 1) return null;
  if (typeof file.people !== 'object' || file.people === null) return null;
  const people: Record<string, PersonRecord> = {};
  for (const [endpoint, record] of Object.entries(file.people)) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(endpoint) || !isPersonRecord(record)) return null;
    people[endpoint] = record;
  }
  return { v: 1, people };
}

export class People {
  /** Endpoints by look-alike key, so a lookup never walks every record. */
  private readonly byKey = new Map<string, Set<string>>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly file: JsonFile<PeopleFile>) {
    for (const [endpoint, record] of Object.entries(file.current.people)) {
      this.index(endpoint, record.handle);
    }
  }

  static async open(profileDir: string): Promise<People> {
    const file = await JsonFile.open(profileDir, PEOPLE_FILE, EMPTY, fitPeopleFile, (path) => {
      renameSync(path, `${path}.damaged-${Date.now()}`);
    });
    return new People(file);
  }

  record(endpoint: string): PersonRecord | undefined {
    return Object.prototype.hasOwnProperty.call(this.file.current.people, endpoint)
      ? this.file.current.people[endpoint]
      : undefined;
  }

  /** Notes that `endpoint` was seen as `handle` (first sight only); saved in the background. */
  observe(
    endpoint: string,
    handle: string,
    key: { signPub: string; fingerprint: string } | null = null,
  ): void {
    const known = this.record(endpoint);
    if (known !== undefined && (key === null || known.sign_pub !== null)) return;
    const update = this.update(endpoint, (current) => {
      if (current !== undefined) {
        if (key === null || current.sign_pub !== null) return null;
        return { ...current, sign_pub: key.signPub, fingerprint: key.fingerprint };
      }
      return {
        handle,
        sign_pub: key?.signPub ?? null,
        fingerprint: key?.fingerprint ?? null,
        first_seen: Date.now(),
        verified_at: null,
        accepted_at: null,
      };
    });
    void update.catch(() => {}); // knowledge only: noted again on the next sight
  }

  trustOf(endpoint: string, handle: string, me: string): PersonTrustInfo {
    if (endpoint === me) return { trust: 'me', previous: null };
    const record = this.record(endpoint);
    if (record?.verified_at != null) return { trust: 'verified', previous: null };
    if (record?.accepted_at != null) return { trust: 'unverified', previous: null };
    const seen = record?.first_seen ?? Number.POSITIVE_INFINITY;
    let previous: PersonTrustInfo['previous'] = null;
    for (const other of this.lookAlikes(handle)) {
      const earlier = this.record(other);
      if (other === endpoint || other === me || earlier === undefined) continue;
      if (earlier.first_seen >= seen) continue;
      if (previous === null || (previous.verified_at === null && earlier.verified_at !== null)) {
        previous = { ...earlier, endpoint: other };
      }
    }
    return previous === null
      ? { trust: 'unverified', previous: null }
      : { trust: 'changed', previous };
  }

  /** The user compared the safety number of this exact key: disk first, then memory. */
  verify(
    endpoint: string,
    person: { handle: string; signPub: string; fingerprint: string },
    now = Date.now(),
  ): Promise<void> {
    return this.update(endpoint, (known) => ({
      handle: person.handle,
      sign_pub: person.signPub,
      fingerprint: person.fingerprint,
      first_seen: known?.first_seen ?? now,
      verified_at: now,
      accepted_at: known?.accepted_at ?? now,
    }));
  }

  unverify(endpoint: string): Promise<void> {
    return this.update(endpoint, (known) =>
      known === undefined || known.verified_at === null ? null : { ...known, verified_at: null },
    );
  }

  /** The user saw the change warning and accepts this key without verifying it. */
  acceptChange(endpoint: string, handle: string, now = Date.now()): Promise<void> {
    return this.update(endpoint, (known) => ({
      handle: known?.handle ?? handle,
      sign_pub: known?.sign_pub ?? null,
      fingerprint: known?.fingerprint ?? null,
      first_seen: known?.first_seen ?? now,
      verified_at: known?.verified_at ?? null,
      accepted_at: now,
    }));
  }

  /**
   * Changes one record, in a queue: each change sees the result of the one before it, so an
   * older state never lands after a newer one. `change` returns null for "nothing to do".
   */
  private update(
    endpoint: string,
    change: (known: PersonRecord | undefined) => PersonRecord | null,
  ): Promise<void> {
    const run = this.saving.then(async () => {
      const record = change(this.record(endpoint));
      if (record === null) return;
      const current = this.file.current;
      await this.file.save({ v: 1, people: { ...current.people, [endpoint]: record } });
      this.index(endpoint, record.handle);
    });
    this.saving = run.catch(() => {});
    return run;
  }

  private index(endpoint: string, handle: string): void {
    for (const key of keysOf(handle)) {
      let set = this.byKey.get(key);
      if (set === undefined) this.byKey.set(key, (set = new Set()));
      set.add(endpoint);
    }
  }

  private lookAlikes(handle: string): Set<string> {
    const found = new Set<string>();
    for (const key of keysOf(handle)) for (const e of this.byKey.get(key) ?? []) found.add(e);
    return found;
  }
}

const keyCache = new Map<string, string[]>();

function keysOf(handle: string): string[] {
  let keys = keyCache.get(handle);
  if (keys === undefined) {
    const { caseKey, shapeKey } = lookAlikeKeys(handle);
    keys = [`c:${caseKey}`, `s:${shapeKey}`];
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(handle, keys);
  }
  return keys;
}
