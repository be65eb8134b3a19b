/**
 * The node's invite signing keys with rotation (seed 003, P-20; issue 12, Build 6): exactly one
 * primary key signs; a key that was replaced keeps verifying until the end of its grace period
 * (`retiresAt`), then its tokens are refused as signed by a retired key; dropping a key revokes
 * every token it signed. Key ids are unique and non-empty; construction fails otherwise.
 */
import { randomBytes } from '../../crypto';
import { base64urlEncode } from '../../protocol';
import { InviteTokenError, signingPublicKey, type SigningKey } from './token';

export interface RingKey extends SigningKey {
  /** Unix seconds from which tokens signed by this key are refused; absent while it is current. */
  readonly retiresAt?: number;
}

export interface RingKeyView {
  readonly kid: string;
  readonly primary: boolean;
  /** Unix seconds; null for a key without an end (the primary). */
  readonly retires_at: number | null;
}

export class InviteKeyRing {
  private readonly publicKeys: ReadonlyMap<string, Uint8Array>;

  constructor(
    private readonly keys: readonly RingKey[],
    readonly primaryKid: string,
  ) {
    const kids = new Set<string>();
    for (const key of keys) {
      if (key.kid === '' || kids.has(key.kid)) {
        throw new InviteTokenError('InviteKeyRing: key ids must be unique and non-empty');
      }
      if (key.seed.length !== 32) throw new InviteTokenError('InviteKeyRing: keys are 32 bytes');
      if (key.retiresAt !== undefined && !Number.isSafeInteger(key.retiresAt)) {
        throw new InviteTokenError('InviteKeyRing: retiresAt must be unix seconds');
      }
      kids.add(key.kid);
    }
    if (!kids.has(primaryKid)) throw new InviteTokenError('InviteKeyRing: primary key missing');
    if (keys.find((key) => key.kid === primaryKid)?.retiresAt !== undefined) {
      throw new InviteTokenError('InviteKeyRing: the primary key cannot be retiring');
    }
    this.publicKeys = new Map(keys.map((key) => [key.kid, signingPublicKey(key)]));
  }

  static generate(): InviteKeyRing {
    const key = newSigningKey();
    return new InviteKeyRing([key], key.kid);
  }

  get primary(): SigningKey {
    return this.keys.find((key) => key.kid === this.primaryKid)!;
  }

  /** The public key of `kid`, retired or not (a retired key's tokens are told apart afterwards). */
  publicKeyFor(kid: string): Uint8Array | undefined {
    return this.publicKeys.get(kid);
  }

  /** Whether tokens of `kid` are past their key's grace period at `nowSeconds`. */
  isRetired(kid: string, nowSeconds: number): boolean {
    const retiresAt = this.keys.find((key) => key.kid === kid)?.retiresAt;
    return retiresAt !== undefined && retiresAt <= nowSeconds;
  }

  /**
   * A new primary key. Without `grace` the old keys keep verifying until `retire`d; with it the
   * old primary is refused from `nowSeconds + graceSeconds` on, and keys whose grace period is
   * already over are dropped.
   */
  rotate(grace?: { readonly nowSeconds: number; readonly graceSeconds: number }): InviteKeyRing {
    const key = newSigningKey();
    if (grace === undefined) return new InviteKeyRing([...this.keys, key], key.kid);
    const kept = this.keys
      .filter((k) => k.retiresAt === undefined || k.retiresAt > grace.nowSeconds)
      .map((k) =>
        k.kid === this.primaryKid ? { ...k, retiresAt: grace.nowSeconds + grace.graceSeconds } : k,
      );
    return new InviteKeyRing([...kept, key], key.kid);
  }

  /** Drops a non-primary key: tokens it signed stop verifying. */
  retire(kid: string): InviteKeyRing {
    if (kid === this.primaryKid)
      throw new InviteTokenError('InviteKeyRing: cannot retire the primary key');
    return new InviteKeyRing(
      this.keys.filter((key) => key.kid !== kid),
      this.primaryKid,
    );
  }

  get allKeys(): readonly RingKey[] {
    return this.keys;
  }

  /** What an admin may see: ids and dates, never a seed. */
  view(): RingKeyView[] {
    return this.keys.map((key) => ({
      kid: key.kid,
      primary: key.kid === this.primaryKid,
      retires_at: key.retiresAt ?? null,
    }));
  }
}

function newSigningKey(): SigningKey {
  return { kid: base64urlEncode(randomBytes(6)), seed: randomBytes(32) };
}
