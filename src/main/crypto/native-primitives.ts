/**
 * Primitives from the runtime's `node:crypto` (OpenSSL in Node, BoringSSL in Electron).
 * Which of these actually work is decided by the probe in backend.ts, never assumed.
 * `node:crypto` has no raw-key import for Ed25519/X25519 on Node 20, so raw 32-byte private
 * keys are wrapped in a fixed PKCS#8 DER prefix (RFC 8410 §7) and public keys go in as JWK
 * (RFC 8037); raw public keys come back out of SPKI DER (RFC 8410 §4, fixed 12-byte prefix).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  scrypt,
  scryptSync,
  sign,
  verify,
  type CipherGCMTypes,
  type KeyObject,
} from 'node:crypto';
import { concatBytes, isAllZero, ownedCopy } from './bytes.js';
import { DecryptionError, InvalidKeyError } from './errors.js';
import { PrivateKeyObjectCache, PublicKeyObjectCache } from './key-object-cache.js';
import { scryptMemoryBytes, type AeadPrimitive, type PrimitiveSet } from './primitive-set.js';

const TAG_LENGTH = 16;
// RFC 8410: OIDs 1.3.101.112 (Ed25519) and 1.3.101.110 (X25519).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX_LENGTH = 12;

function privateKeyObject(prefix: Buffer, secret: Uint8Array): KeyObject {
  const der = concatBytes(prefix, secret);
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/**
 * Public keys are imported as JWK (RFC 8037): OpenSSL 3 decodes that about 17x faster than
 * SPKI DER (64k/s vs 3.8k/s measured), which matters for the first frame of every sender.
 * Private keys stay on PKCS#8: a wipeable buffer, never a JS string.
 */
function publicKeyObject(curve: 'Ed25519' | 'X25519', raw: Uint8Array): KeyObject {
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: curve, x }, format: 'jwk' });
}

function rawPublicKeyBytes(publicKey: KeyObject): Uint8Array {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return ownedCopy(spki.subarray(SPKI_PREFIX_LENGTH));
}

function rawPublicKey(privateKey: KeyObject): Uint8Array {
  return rawPublicKeyBytes(createPublicKey(privateKey));
}

const ed25519Signers = new PrivateKeyObjectCache(4);
const ed25519Verifiers = new PublicKeyObjectCache(1024);
const x25519Privates = new PrivateKeyObjectCache(4);
const x25519Publics = new PublicKeyObjectCache(1024);

const ed25519Signer = (seed: Uint8Array): KeyObject =>
  ed25519Signers.get(seed, (s) => privateKeyObject(ED25519_PKCS8_PREFIX, s));
const x25519Private = (key: Uint8Array): KeyObject =>
  x25519Privates.get(key, (k) => privateKeyObject(X25519_PKCS8_PREFIX, k));

function agree(privateKey: KeyObject, publicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    const peer = x25519Publics.get(publicKey, (raw) => publicKeyObject('X25519', raw));
    shared = ownedCopy(diffieHellman({ privateKey, publicKey: peer }));
  } catch {
    // OpenSSL refuses to derive an all-zero secret (low-order point).
    throw new InvalidKeyError('x25519SharedSecret: public key is of low order');
  }
  // RFC 7748 §6.1: reject the all-zero output ourselves too, whatever the library does.
  if (isAllZero(shared))
    throw new InvalidKeyError('x25519SharedSecret: public key is of low order');
  return shared;
}

function nativeAead(name: string, algorithm: 'chacha20-poly1305' | CipherGCMTypes): AeadPrimitive {
  // The two algorithms share one options shape; the cast only narrows Node's overloads.
  const algo = algorithm as CipherGCMTypes;
  return {
    seal(key, nonce, plaintext, associatedData) {
      const cipher = createCipheriv(algo, key, nonce, { authTagLength: TAG_LENGTH });
      cipher.setAAD(associatedData, { plaintextLength: plaintext.length });
      const out = new Uint8Array(plaintext.length + TAG_LENGTH);
      const body = cipher.update(plaintext);
      out.set(body, 0);
      const tail = cipher.final();
      out.set(tail, body.length);
      out.set(cipher.getAuthTag(), plaintext.length);
      return out;
    },
    open(key, nonce, sealed, associatedData) {
      if (sealed.length < TAG_LENGTH)
        throw new DecryptionError(`${name}: input shorter than the tag`);
      const ciphertextLength = sealed.length - TAG_LENGTH;
      const decipher = createDecipheriv(algo, key, nonce, { authTagLength: TAG_LENGTH });
      decipher.setAuthTag(sealed.subarray(ciphertextLength));
      decipher.setAAD(associatedData, { plaintextLength: ciphertextLength });
      // update() releases bytes before the tag is checked; they are only returned after
      // final() authenticates, and wiped otherwise.
      const out = new Uint8Array(ciphertextLength);
      const body = decipher.update(sealed.subarray(0, ciphertextLength));
      out.set(body, 0);
      try {
        out.set(decipher.final(), body.length);
      } catch {
        out.fill(0);
        body.fill(0);
        throw new DecryptionError(`${name}: authentication failed`);
      }
      return out;
    },
  };
}

export const nativePrimitives: PrimitiveSet = {
  randomBytes: { generate: (length) => ownedCopy(randomBytes(length)) },
  sha256: { digest: (data) => ownedCopy(createHash('sha256').update(data).digest()) },
  sha512: { digest: (data) => ownedCopy(createHash('sha512').update(data).digest()) },
  ed25519: {
    publicKey: (seed) => rawPublicKey(ed25519Signer(seed)),
    sign: (seed, message) => ownedCopy(sign(null, message, ed25519Signer(seed))),
    verify(publicKey, message, signature) {
      try {
        const key = ed25519Verifiers.get(publicKey, (raw) => publicKeyObject('Ed25519', raw));
        return verify(null, message, key, signature);
      } catch {
        // Malformed public key encodings are rejected by createPublicKey: not a valid signature.
        return false;
      }
    },
  },
  x25519: {
    publicKey: (privateKey) => rawPublicKey(x25519Private(privateKey)),
    sharedSecret: (privateKey, publicKey) => agree(x25519Private(privateKey), publicKey),
    ephemeralAgreement(publicKey) {
      // Generated inside OpenSSL: the ephemeral secret never exists as JS bytes, and this
      // skips the slow PKCS#8 import (sealed boxes: ~9k/s instead of ~1.5k/s).
      const ephemeral = generateKeyPairSync('x25519');
      return {
        sharedSecret: agree(ephemeral.privateKey, publicKey),
        ephemeralPublic: rawPublicKeyBytes(ephemeral.publicKey),
      };
    },
  },
  chacha20poly1305: nativeAead('chacha20poly1305', 'chacha20-poly1305'),
  aes256gcm: nativeAead('aes256gcm', 'aes-256-gcm'),
  scrypt: {
    derive: (password, salt, parameters, length) =>
      ownedCopy(
        scryptSync(password, salt, length, {
          ...parameters,
          maxmem: scryptMemoryBytes(parameters),
        }),
      ),
    // crypto.scrypt runs on libuv's thread pool: the main thread stays responsive.
    deriveAsync: (password, salt, parameters, length) =>
      new Promise((resolve, reject) => {
        const options = { ...parameters, maxmem: scryptMemoryBytes(parameters) };
        scrypt(password, salt, length, options, (error, key) => {
          if (error) reject(error);
          else resolve(ownedCopy(key));
        });
      }),
  },
};
