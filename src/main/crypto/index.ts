/**
 * @module crypto — the one public entry of unibus crypto.
 *
 * Pure functions over Uint8Array. No file, network or process I/O.
 * Native `node:crypto` is used where the runtime has the primitive, `@noble/*` otherwise
 * (see backend.ts). Callers never choose a backend except tests, via `useCryptoBackend`.
 *
 * NOTE: this first version is noble-only; the native backend, probe, sealed box, file chunks
 * and nkeys are being filled in behind these same signatures.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;
export const X25519_KEY_LENGTH = 32;
export const XCHACHA_KEY_LENGTH = 32;
export const XCHACHA_NONCE_LENGTH = 24;
export const AEAD_TAG_LENGTH = 16;

/** Thrown when an AEAD tag, sealed box or chunk fails to authenticate. Never carries key material. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

export function randomBytes(length: number): Uint8Array {
  return nobleRandomBytes(length);
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed);
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, seed);
}

export function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(privateKey);
}

export function x25519SharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(privateKey, publicKey);
}

export function xchacha20poly1305Seal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  return xchacha20poly1305(key, nonce, associatedData).encrypt(plaintext);
}

export function xchacha20poly1305Open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  try {
    return xchacha20poly1305(key, nonce, associatedData).decrypt(sealed);
  } catch {
    throw new DecryptionError('xchacha20poly1305Open: authentication failed');
  }
}
