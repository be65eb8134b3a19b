/**
 * NATS nkeys for bus users (https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/nkey_auth):
 * the user's Ed25519 key *is* their nkey, so one identity authenticates on both planes.
 *
 *   public "U…" = base32(prefix 'U' (20<<3) || publicKey(32) || crc16)           → 56 chars
 *   seed  "SU…" = base32(seed prefix 'S' (18<<3) | 'U'>>5, ('U'&31)<<3 || seed(32) || crc16) → 58 chars
 *   crc16 = CRC-16/XMODEM (poly 0x1021, init 0) over the preceding bytes, little-endian.
 * Implemented here (not imported from nats.js) so the crypto module owns its wire formats;
 * tests check byte equality against @nats-io/nkeys.
 */
import { base32Decode, base32Encode } from './base32.js';
import { assertBytes, concatBytes } from './bytes.js';
import { InvalidKeyError } from './errors.js';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SEED_LENGTH } from './signatures.js';

const PREFIX_BYTE_SEED = 18 << 3; // 'S'
const PREFIX_BYTE_USER = 20 << 3; // 'U'

/**
 * Public nkeys of the other roles the data plane uses (auth callout, docs/PROTOCOL.md §12):
 * an account ('A', 0 << 3) issues user JWTs, a server ('N', 13 << 3) signs authorization
 * requests. Same layout as a user key: base32(prefix || publicKey(32) || crc16).
 */
export type NkeyRole = 'user' | 'account' | 'server';
const ROLE_PREFIX: Record<NkeyRole, number> = {
  user: PREFIX_BYTE_USER,
  account: 0 << 3,
  server: 13 << 3,
};
export const NKEY_USER_PUBLIC_LENGTH = 56;
export const NKEY_USER_SEED_LENGTH = 58;

function crc16Xmodem(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

function withChecksum(payload: Uint8Array): Uint8Array {
  const crc = crc16Xmodem(payload);
  return concatBytes(payload, new Uint8Array([crc & 0xff, crc >>> 8]));
}

/** The 'SU…' seed string nats.js `nkeyAuthenticator` expects (as UTF-8 bytes). Secret. */
export function nkeyUserSeed(ed25519Seed: Uint8Array): string {
  assertBytes('nkeyUserSeed', 'ed25519Seed', ed25519Seed, ED25519_SEED_LENGTH);
  const prefix = new Uint8Array([
    PREFIX_BYTE_SEED | (PREFIX_BYTE_USER >> 5),
    (PREFIX_BYTE_USER & 31) << 3,
  ]);
  const raw = withChecksum(concatBytes(prefix, ed25519Seed));
  try {
    return base32Encode(raw);
  } finally {
    raw.fill(0);
  }
}

/** The 'U…' public nkey used as the nats-server user name (ARCHITECTURE "one nkey user per bus user"). */
export function nkeyUserPublic(signPublic: Uint8Array): string {
  return nkeyPublic('user', signPublic);
}

/** The public nkey of `role` for an Ed25519 public key ("U…", "A…" or "N…", 56 characters). */
export function nkeyPublic(role: NkeyRole, publicKey: Uint8Array): string {
  assertBytes('nkeyPublic', 'publicKey', publicKey, ED25519_PUBLIC_KEY_LENGTH);
  const prefix = new Uint8Array([ROLE_PREFIX[role]]);
  return base32Encode(withChecksum(concatBytes(prefix, publicKey)));
}

/** Inverse of nkeyPublic for one role; InvalidKeyError on a wrong prefix, length, alphabet or CRC. */
export function publicKeyFromNkey(role: NkeyRole, nkey: string): Uint8Array {
  return decodePublic(
    nkey,
    ROLE_PREFIX[role],
    `not ${role === 'account' ? 'an' : 'a'} ${role} nkey`,
  );
}

/** Inverse of nkeyUserPublic. Throws InvalidKeyError on a wrong prefix, length, alphabet or CRC. */
export function signPublicFromNkey(nkey: string): Uint8Array {
  return decodePublic(nkey, PREFIX_BYTE_USER, 'not a user nkey');
}

function decodePublic(nkey: string, prefixByte: number, wrongPrefix: string): Uint8Array {
  if (typeof nkey !== 'string') throw new TypeError('signPublicFromNkey: nkey must be a string');
  if (nkey.length !== NKEY_USER_PUBLIC_LENGTH) {
    throw new InvalidKeyError(
      `signPublicFromNkey: expected ${NKEY_USER_PUBLIC_LENGTH} characters, got ${nkey.length}`,
    );
  }
  const raw = base32Decode(nkey);
  if (raw === undefined || raw.length !== 1 + ED25519_PUBLIC_KEY_LENGTH + 2) {
    throw new InvalidKeyError('signPublicFromNkey: not base32');
  }
  if (raw[0] !== prefixByte) throw new InvalidKeyError(`signPublicFromNkey: ${wrongPrefix}`);
  const payload = raw.subarray(0, 1 + ED25519_PUBLIC_KEY_LENGTH);
  const crc = (raw[33] as number) | ((raw[34] as number) << 8);
  if (crc !== crc16Xmodem(payload))
    throw new InvalidKeyError('signPublicFromNkey: checksum mismatch');
  return raw.slice(1, 1 + ED25519_PUBLIC_KEY_LENGTH);
}
