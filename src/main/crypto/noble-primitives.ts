/**
 * Pure-JS primitives from @noble/* (audited, constant-time where it matters). Used for every
 * primitive on the 'noble' backend, and on the native backend for whatever the runtime's
 * `node:crypto` lacks (Electron's BoringSSL has no chacha20-poly1305).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { gcm } from '@noble/ciphers/aes.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { scrypt, scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { isAllZero, wipe } from './bytes.js';
import { DecryptionError, InvalidKeyError } from './errors.js';
import { scryptMemoryBytes, type AeadPrimitive, type PrimitiveSet } from './primitive-set.js';

function nobleAead(name: string, cipher: typeof chacha20poly1305 | typeof gcm): AeadPrimitive {
  return {
    seal: (key, nonce, plaintext, associatedData) =>
      cipher(key, nonce, associatedData).encrypt(plaintext),
    open(key, nonce, sealed, associatedData) {
      try {
        return cipher(key, nonce, associatedData).decrypt(sealed);
      } catch {
        throw new DecryptionError(`${name}: authentication failed`);
      }
    },
  };
}

function nobleSharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(privateKey, publicKey);
  } catch {
    throw new InvalidKeyError('x25519SharedSecret: public key is of low order');
  }
  // RFC 7748 §6.1: an all-zero output means a low-order input point; reject it.
  if (isAllZero(shared))
    throw new InvalidKeyError('x25519SharedSecret: public key is of low order');
  return shared;
}

export const noblePrimitives: PrimitiveSet = {
  randomBytes: { generate: (length) => randomBytes(length) },
  sha256: { digest: (data) => sha256(data) },
  sha512: { digest: (data) => sha512(data) },
  ed25519: {
    publicKey: (seed) => ed25519.getPublicKey(seed),
    sign: (seed, message) => ed25519.sign(message, seed),
    verify(publicKey, message, signature) {
      try {
        // zip215: false = strict RFC 8032 §5.1.7 (canonical encodings, cofactorless), the
        // rule OpenSSL and Go's crypto/ed25519 apply, so both backends and Go peers agree.
        return ed25519.verify(signature, message, publicKey, { zip215: false });
      } catch {
        return false;
      }
    },
  },
  x25519: {
    publicKey: (privateKey) => x25519.getPublicKey(privateKey),
    sharedSecret: nobleSharedSecret,
    ephemeralAgreement(publicKey) {
      const ephemeralPrivate = randomBytes(32);
      try {
        return {
          sharedSecret: nobleSharedSecret(ephemeralPrivate, publicKey),
          ephemeralPublic: x25519.getPublicKey(ephemeralPrivate),
        };
      } finally {
        wipe(ephemeralPrivate);
      }
    },
  },
  chacha20poly1305: nobleAead('chacha20poly1305', chacha20poly1305),
  aes256gcm: nobleAead('aes256gcm', gcm),
  scrypt: {
    derive: (password, salt, parameters, length) =>
      scrypt(password, salt, {
        ...parameters,
        dkLen: length,
        maxmem: scryptMemoryBytes(parameters),
      }),
    // scryptAsync yields to the event loop every 10 ms (noble's asyncTick default).
    deriveAsync: (password, salt, parameters, length) =>
      scryptAsync(password, salt, {
        ...parameters,
        dkLen: length,
        maxmem: scryptMemoryBytes(parameters),
      }),
  },
};
