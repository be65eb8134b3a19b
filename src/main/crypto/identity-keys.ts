/**
 * Identity key material (ARCHITECTURE "Identity"): an Ed25519 signing key (also the NATS nkey)
 * and an X25519 key-exchange key (receives sealed room keys), plus the endpoint id derived
 * from the signing key.
 */
import { asciiBytes, assertBytes, concatBytes } from './bytes.js';
import {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SEED_LENGTH,
  ed25519PublicKey,
  randomBytes,
  sha256,
  X25519_KEY_LENGTH,
  x25519PublicKey,
} from './signatures.js';

export const ENDPOINT_ID_LENGTH = 43;

export interface IdentityKeyPairs {
  readonly signSeed: Uint8Array;
  readonly signPublic: Uint8Array;
  readonly kexPrivate: Uint8Array;
  readonly kexPublic: Uint8Array;
}

/** Two independent random keys: a compromise of one algorithm's use does not affect the other. */
export function generateIdentityKeyPairs(): IdentityKeyPairs {
  const signSeed = randomBytes(ED25519_SEED_LENGTH);
  const kexPrivate = randomBytes(X25519_KEY_LENGTH);
  return {
    signSeed,
    signPublic: ed25519PublicKey(signSeed),
    kexPrivate,
    kexPublic: x25519PublicKey(kexPrivate),
  };
}

const ENDPOINT_ID_LABEL = concatBytes(asciiBytes('unibus:v1:endpoint'), new Uint8Array([0]));

/**
 * Endpoint id = base64url without padding (RFC 4648 §5) of
 * SHA-256("unibus:v1:endpoint" || 0x00 || signPublic): 43 characters, URL-safe, no '.', so it
 * is usable as a NATS subject token and a KV key. The label keeps this hash from colliding
 * with any other SHA-256 of a public key in the protocol.
 */
export function endpointId(signPublic: Uint8Array): string {
  assertBytes('endpointId', 'signPublic', signPublic, ED25519_PUBLIC_KEY_LENGTH);
  const digest = sha256(concatBytes(ENDPOINT_ID_LABEL, signPublic));
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('base64url');
}
