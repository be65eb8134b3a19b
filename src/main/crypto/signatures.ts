/**
 * Hashing, randomness, Ed25519 (RFC 8032) and X25519 (RFC 7748) over raw 32-byte keys.
 * Ed25519 private keys are 32-byte seeds (RFC 8032 §5.1.5), not Go/libsodium's 64-byte
 * seed || public layout. Verification is strict RFC 8032 on every backend.
 */
import { primitives } from './backend.js';
import { assertBytes } from './bytes.js';

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;
export const X25519_KEY_LENGTH = 32;
export const SHA256_LENGTH = 32;
export const SHA512_LENGTH = 64;

export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`randomBytes: length must be a non-negative integer, got ${length}`);
  }
  return primitives().randomBytes.generate(length);
}

export function sha256(data: Uint8Array): Uint8Array {
  assertBytes('sha256', 'data', data);
  return primitives().sha256.digest(data);
}

/** SHA-512 (FIPS 180-4): the safety-number fingerprint iterates it (docs/PROTOCOL.md §2.2). */
export function sha512(data: Uint8Array): Uint8Array {
  assertBytes('sha512', 'data', data);
  return primitives().sha512.digest(data);
}

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  assertBytes('ed25519PublicKey', 'seed', seed, ED25519_SEED_LENGTH);
  return primitives().ed25519.publicKey(seed);
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes('ed25519Sign', 'seed', seed, ED25519_SEED_LENGTH);
  assertBytes('ed25519Sign', 'message', message);
  return primitives().ed25519.sign(seed, message);
}

/**
 * Returns false (never throws) for a wrong-length key or signature: both arrive from the
 * network, so they are data to reject, not programmer errors. Non-Uint8Array still throws.
 */
export function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  assertBytes('ed25519Verify', 'publicKey', publicKey);
  assertBytes('ed25519Verify', 'message', message);
  assertBytes('ed25519Verify', 'signature', signature);
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  return primitives().ed25519.verify(publicKey, message, signature);
}

export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  assertBytes('x25519PublicKey', 'privateKey', privateKey, X25519_KEY_LENGTH);
  return primitives().x25519.publicKey(privateKey);
}

/** Throws InvalidKeyError when `publicKey` is a low-order point (all-zero shared secret). */
export function x25519SharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  assertBytes('x25519SharedSecret', 'privateKey', privateKey, X25519_KEY_LENGTH);
  assertBytes('x25519SharedSecret', 'publicKey', publicKey, X25519_KEY_LENGTH);
  return primitives().x25519.sharedSecret(privateKey, publicKey);
}
