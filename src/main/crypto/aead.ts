/**
 * Authenticated encryption used by the protocol:
 * - XChaCha20-Poly1305 for messages (draft-irtf-cfrg-xchacha-03 §2.3): 24-byte random nonces
 *   are safe, which closes seed finding H10 (12-byte random nonces under a long-lived room key).
 * - AES-256-GCM for file chunks (NIST SP 800-38D), native in Node and in Electron.
 * Outputs are ciphertext || 16-byte tag; a failed open throws DecryptionError.
 */
import { hchacha20 } from './arx-subkeys.js';
import { primitives } from './backend.js';
import { assertBytes, wipe } from './bytes.js';

export const XCHACHA_KEY_LENGTH = 32;
export const XCHACHA_NONCE_LENGTH = 24;
export const AES256GCM_KEY_LENGTH = 32;
export const AES256GCM_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;

function checkAeadArguments(
  name: string,
  keyLength: number,
  nonceLength: number,
  key: Uint8Array,
  nonce: Uint8Array,
  data: Uint8Array,
  associatedData: Uint8Array,
): void {
  assertBytes(name, 'key', key, keyLength);
  assertBytes(name, 'nonce', nonce, nonceLength);
  assertBytes(name, 'data', data);
  assertBytes(name, 'associatedData', associatedData);
}

/**
 * draft-irtf-cfrg-xchacha-03 §2.3: subkey = HChaCha20(key, nonce[0..16]); the IETF
 * ChaCha20-Poly1305 nonce is 4 zero bytes || nonce[16..24]. The subkey step is @noble; the
 * bulk AEAD is native where the runtime has chacha20-poly1305 (~13× faster at 1 MiB).
 */
function withXChaChaSubkey<T>(
  key: Uint8Array,
  nonce: Uint8Array,
  run: (subkey: Uint8Array, ietfNonce: Uint8Array) => T,
): T {
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const ietfNonce = new Uint8Array(12);
  ietfNonce.set(nonce.subarray(16, 24), 4);
  try {
    return run(subkey, ietfNonce);
  } finally {
    wipe(subkey);
  }
}

export function xchacha20poly1305Seal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  checkAeadArguments(
    'xchacha20poly1305Seal',
    XCHACHA_KEY_LENGTH,
    XCHACHA_NONCE_LENGTH,
    key,
    nonce,
    plaintext,
    associatedData,
  );
  return withXChaChaSubkey(key, nonce, (subkey, ietfNonce) =>
    primitives().chacha20poly1305.seal(subkey, ietfNonce, plaintext, associatedData),
  );
}

export function xchacha20poly1305Open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  checkAeadArguments(
    'xchacha20poly1305Open',
    XCHACHA_KEY_LENGTH,
    XCHACHA_NONCE_LENGTH,
    key,
    nonce,
    sealed,
    associatedData,
  );
  return withXChaChaSubkey(key, nonce, (subkey, ietfNonce) =>
    primitives().chacha20poly1305.open(subkey, ietfNonce, sealed, associatedData),
  );
}

/** AES-256-GCM with a caller-chosen nonce: the caller guarantees (key, nonce) never repeats. */
export function aes256gcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  checkAeadArguments(
    'aes256gcmSeal',
    AES256GCM_KEY_LENGTH,
    AES256GCM_NONCE_LENGTH,
    key,
    nonce,
    plaintext,
    associatedData,
  );
  return primitives().aes256gcm.seal(key, nonce, plaintext, associatedData);
}

export function aes256gcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  checkAeadArguments(
    'aes256gcmOpen',
    AES256GCM_KEY_LENGTH,
    AES256GCM_NONCE_LENGTH,
    key,
    nonce,
    sealed,
    associatedData,
  );
  return primitives().aes256gcm.open(key, nonce, sealed, associatedData);
}
