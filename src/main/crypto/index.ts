/**
 * @module crypto — the one public entry of unibus crypto.
 *
 * Pure functions over Uint8Array. No file, network or process I/O; `node:crypto` is the only
 * `node:` import. Native primitives are used where the runtime has them and pass a known-answer
 * probe, `@noble/*` otherwise (see backend.ts). Callers never choose a backend except tests
 * and benchmarks, via `useCryptoBackend`. README.md in this folder lists constructions,
 * backends and the sources of the test vectors.
 */
export { DecryptionError, InvalidKeyError } from './errors.js';
export { constantTimeEqual } from './bytes.js';
export { base32Encode } from './base32.js';
export {
  cryptoBackend,
  cryptoImplementations,
  probeCryptoCapabilities,
  useCryptoBackend,
  type CryptoBackendChoice,
  type CryptoBackendName,
  type CryptoBackendOptions,
  type CryptoCapabilities,
  type CryptoImplementations,
} from './backend.js';
export type { PrimitiveName } from './primitive-set.js';
export {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SEED_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  SHA256_LENGTH,
  SHA512_LENGTH,
  X25519_KEY_LENGTH,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  randomBytes,
  sha256,
  sha512,
  x25519PublicKey,
  x25519SharedSecret,
} from './signatures.js';
export {
  AEAD_TAG_LENGTH,
  AES256GCM_KEY_LENGTH,
  AES256GCM_NONCE_LENGTH,
  XCHACHA_KEY_LENGTH,
  XCHACHA_NONCE_LENGTH,
  aes256gcmOpen,
  aes256gcmSeal,
  xchacha20poly1305Open,
  xchacha20poly1305Seal,
} from './aead.js';
export { SEALED_BOX_OVERHEAD, sealedBoxOpen, sealedBoxSeal } from './sealed-box.js';
export {
  FILE_CHUNK_ID_LENGTH,
  FILE_CHUNK_KEY_LENGTH,
  FILE_CHUNK_MAX_INDEX,
  FILE_CHUNK_NONCE_LENGTH,
  FILE_CHUNK_TAG_LENGTH,
  openFileChunk,
  sealFileChunk,
  type FileChunkPosition,
} from './file-chunk.js';
export {
  NKEY_USER_PUBLIC_LENGTH,
  NKEY_USER_SEED_LENGTH,
  nkeyPublic,
  nkeyUserPublic,
  nkeyUserSeed,
  publicKeyFromNkey,
  signPublicFromNkey,
  type NkeyRole,
} from './nkeys.js';
export {
  ENDPOINT_ID_LENGTH,
  endpointId,
  generateIdentityKeyPairs,
  type IdentityKeyPairs,
} from './identity-keys.js';
export {
  DEFAULT_SCRYPT_PARAMETERS,
  PASSPHRASE_KEY_LENGTH,
  PASSPHRASE_SALT_MIN_LENGTH,
  deriveKeyFromPassphrase,
  deriveKeyFromPassphraseAsync,
  type ScryptParameters,
} from './passphrase.js';
