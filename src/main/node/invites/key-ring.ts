/**
 * The node's invite signing keys with rotation (seed 003, P-20): exactly one primary key signs;
 * retired keys still verify while they are loaded; dropping a key revokes every token it
 * signed. Key ids are unique and non-empty; construction fails otherwise.
 */
import { randomBytes } from '../../crypto';
import { base64urlEncode } from '../../protocol';
import { InviteTokenError, signingPublicKey, type SigningKey } from './token';

export class InviteKeyRing {
  private readonly publicKeys: ReadonlyMap<string, Uint8Array>;

  constructor(
    private readonly keys: readonly SigningKey[],
    readonly primaryKid: string,
  ) {
    const kids = new Set<string>();
    for (const key of keys) {
      if (key.kid === '' || kids.has(key.kid)) {
        throw new InviteTokenError('InviteKeyRing: key ids must be unique and non-empty');
      }
      if (key.seed.length !== 32) throw new InviteTokenError('InviteKeyRing: keys are 32 bytes');
      kids.add(key.kid);
    }
    if (!kids.has(primaryKid)) throw new InviteTokenError('InviteKeyRing: primary key missing');
    this.publicKeys = new Map(keys.map((key) => [key.kid, signingPublicKey(key)]));
  }

  static generate(): InviteKeyRing {
    const key = newSigningKey();
    return new InviteKeyRing([key], key.kid);
  }

  get primary(): SigningKey {
    return this.keys.find((key) => key.kid === this.primaryKid)!;
  }

  publicKeyFor(kid: string): Uint8Array | undefined {
    return this.publicKeys.get(kid);
  }

  /** A new primary key; the old ones keep verifying until `retire`d. */
  rotate(): InviteKeyRing {
    const key = newSigningKey();
    return new InviteKeyRing([...this.keys, key], key.kid);
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

  get allKeys(): readonly SigningKey[] {
    return this.keys;
  }
}

function newSigningKey(): SigningKey {
  return { kid: base64urlEncode(randomBytes(6)), seed: randomBytes(32) };
}
