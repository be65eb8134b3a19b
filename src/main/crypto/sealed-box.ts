/**
 * Anonymous sealed boxes, byte-compatible with libsodium's crypto_box_seal / _open
 * (https://doc.libsodium.org/public-key_cryptography/sealed_boxes). Room keys are sealed to
 * each member's X25519 key; the node stores them and can never open them.
 *
 * sealed = epk || crypto_box(m, nonce, rpk, esk), where
 *   nonce = BLAKE2b-192(epk || rpk)                      (unkeyed, 24-byte output)
 *   box key = HSalsa20(X25519(esk, rpk), 0^16)           (crypto_box_beforenm)
 *   crypto_box = XSalsa20-Poly1305 secretbox: tag(16) || ciphertext
 * X25519 runs natively where available; BLAKE2b, HSalsa20 and XSalsa20 are @noble.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { hsalsa20 } from './arx-subkeys.js';
import { assertBytes, concatBytes, wipe } from './bytes.js';
import { DecryptionError } from './errors.js';
import { primitives } from './backend.js';
import { x25519SharedSecret, X25519_KEY_LENGTH } from './signatures.js';

/** Bytes a sealed box adds to its message: ephemeral public key + Poly1305 tag. */
export const SEALED_BOX_OVERHEAD = 32 + 16;

const ZERO_16 = new Uint8Array(16);

function sealedBoxNonce(ephemeralPublic: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  return blake2b(concatBytes(ephemeralPublic, recipientPublic), { dkLen: 24 });
}

/** crypto_box_beforenm: HSalsa20 of the X25519 secret; the raw secret is wiped at once. */
function boxKeyFromShared(shared: Uint8Array): Uint8Array {
  try {
    return hsalsa20(shared, ZERO_16);
  } finally {
    wipe(shared);
  }
}

/** Throws InvalidKeyError if `recipientPublic` is a low-order point. */
export function sealedBoxSeal(message: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  assertBytes('sealedBoxSeal', 'message', message);
  assertBytes('sealedBoxSeal', 'recipientPublic', recipientPublic, X25519_KEY_LENGTH);
  // A fresh ephemeral key per box (libsodium does the same): the sender keeps no secret.
  const { ephemeralPublic, sharedSecret } = primitives().x25519.ephemeralAgreement(recipientPublic);
  const key = boxKeyFromShared(sharedSecret);
  try {
    const boxed = xsalsa20poly1305(key, sealedBoxNonce(ephemeralPublic, recipientPublic)).encrypt(
      message,
    );
    return concatBytes(ephemeralPublic, boxed);
  } finally {
    wipe(key);
  }
}

/** Throws DecryptionError for anything that does not open: short, tampered, wrong recipient. */
export function sealedBoxOpen(
  sealed: Uint8Array,
  recipientPublic: Uint8Array,
  recipientPrivate: Uint8Array,
): Uint8Array {
  assertBytes('sealedBoxOpen', 'sealed', sealed);
  assertBytes('sealedBoxOpen', 'recipientPublic', recipientPublic, X25519_KEY_LENGTH);
  assertBytes('sealedBoxOpen', 'recipientPrivate', recipientPrivate, X25519_KEY_LENGTH);
  if (sealed.length < SEALED_BOX_OVERHEAD) {
    throw new DecryptionError('sealedBoxOpen: input shorter than a sealed box');
  }
  const ephemeralPublic = sealed.subarray(0, 32);
  let key: Uint8Array;
  try {
    key = boxKeyFromShared(x25519SharedSecret(recipientPrivate, ephemeralPublic));
  } catch {
    // A low-order ephemeral key is a forgery, not a caller bug (libsodium also refuses it).
    throw new DecryptionError('sealedBoxOpen: authentication failed');
  }
  try {
    return xsalsa20poly1305(key, sealedBoxNonce(ephemeralPublic, recipientPublic)).decrypt(
      sealed.subarray(32),
    );
  } catch {
    throw new DecryptionError('sealedBoxOpen: authentication failed');
  } finally {
    wipe(key);
  }
}
