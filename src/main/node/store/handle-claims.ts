/**
 * One look-alike handle per active user (docs/PROTOCOL.md §2.1, §11.5). Each of a handle's two
 * look-alike keys is claimed in the `UNIBUS_handles` bucket with a create (or a compare-and-set
 * over a claim that no longer counts), so two joins racing for "alice" and "Аlice" cannot both
 * win, on one node or a cluster. A claim counts while its user is active: revoking a user frees
 * the handle for a new identity. A claim whose user never appeared (a crash between the claim and
 * the user record) counts for one minute only, so it cannot block a name for ever.
 *
 * Users added before this index existed are found by a scan of the active users, which also
 * gives the refusal its sentence (the existing handle it looks like).
 */
import { sha256 } from '../../crypto';
import { handlesLookAlike, hexEncode, lookAlikeKeys } from '../../protocol';
import { StoreConflictError } from './errors';
import type { KvTable } from './kv-table';
import type { UserRecord } from './records';

export const HANDLES_BUCKET = 'UNIBUS_handles';
export const ORPHAN_CLAIM_MS = 60_000;
const CLAIM_ATTEMPTS = 4;

export interface HandleClaim {
  readonly sign_pub: string;
  readonly claimed_at: number;
}

export function isHandleClaim(value: unknown): value is HandleClaim {
  const v = value as Partial<HandleClaim> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.sign_pub === 'string' &&
    /^[0-9a-f]{64}$/.test(v.sign_pub) &&
    Number.isSafeInteger(v.claimed_at) &&
    (v.claimed_at as number) >= 0
  );
}

/** The refusal users see: the sentence names the handle already in use. */
export class HandleInUseError extends StoreConflictError {
  constructor(readonly existingHandle: string) {
    super(
      `Someone on this node already uses a name that looks like '${existingHandle}'. Choose another name`,
    );
  }
}

/** KV keys of a handle's two look-alike keys (hex SHA-256, so any script fits a KV key). */
export function claimKeys(handle: string): string[] {
  const keys = lookAlikeKeys(handle);
  const utf8Encode = (text: string) => new TextEncoder().encode(text);
  return [
    `case.${hexEncode(sha256(utf8Encode(keys.caseKey)))}`,
    `shape.${hexEncode(sha256(utf8Encode(keys.shapeKey)))}`,
  ];
}

export class HandleClaims {
  constructor(
    private readonly table: KvTable<HandleClaim>,
    private readonly getUser: (signPubHex: string) => Promise<UserRecord | null>,
    private readonly listUsers: () => Promise<UserRecord[]>,
  ) {}

  /** Throws HandleInUseError when `handle` looks like an active user's other than `signPubHex`. */
  async check(signPubHex: string, handle: string, now: number): Promise<void> {
    await this.scan(signPubHex, handle);
    for (const key of claimKeys(handle)) {
      const current = await this.table.get(key);
      if (current !== null) await this.stillHeld(current.value, signPubHex, handle, now);
    }
  }

  /** Claims both keys for `signPubHex`; HandleInUseError when someone else holds one. */
  async claim(signPubHex: string, handle: string, now: number): Promise<void> {
    await this.scan(signPubHex, handle);
    for (const key of claimKeys(handle)) await this.claimKey(key, signPubHex, handle, now);
  }

  private async scan(signPubHex: string, handle: string): Promise<void> {
    for (const user of await this.listUsers()) {
      if (user.status !== 'active' || user.sign_pub === signPubHex) continue;
      if (handlesLookAlike(user.handle, handle)) throw new HandleInUseError(user.handle);
    }
  }

  /** Throws when `claim` still counts for someone other than `signPubHex`. */
  private async stillHeld(
    claim: HandleClaim,
    signPubHex: string,
    handle: string,
    now: number,
  ): Promise<void> {
    if (claim.sign_pub === signPubHex) return;
    const holder = await this.getUser(claim.sign_pub);
    if (holder?.status === 'active') throw new HandleInUseError(holder.handle);
    // Another join is between its claim and its user record (or crashed there).
    if (holder === null && now - claim.claimed_at < ORPHAN_CLAIM_MS) {
      throw new HandleInUseError(handle);
    }
  }

  private async claimKey(
    key: string,
    signPubHex: string,
    handle: string,
    now: number,
  ): Promise<void> {
    const claim: HandleClaim = { sign_pub: signPubHex, claimed_at: now };
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const current = await this.table.get(key);
      try {
        if (current === null) {
          await this.table.create(key, claim);
          return;
        }
        if (current.value.sign_pub === signPubHex) return;
        await this.stillHeld(current.value, signPubHex, handle, now);
        await this.table.update(key, claim, current.revision); // the holder was revoked
        return;
      } catch (error) {
        if (error instanceof HandleInUseError || !(error instanceof StoreConflictError))
          throw error;
        // Lost a race for the key: read it again.
      }
    }
    throw new StoreConflictError(`${HANDLES_BUCKET}: too much contention for one handle`);
  }
}
