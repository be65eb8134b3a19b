/**
 * The identity secret as handed to a key store: 0x01 || Ed25519 seed (32) || X25519 private (32).
 * The leading version byte lets a later format coexist.
 */
import { keyPairsFromSecrets, type IdentityKeyPairs } from './keys';
import { FormatError } from './encoding';

const SECRET_BLOB_VERSION = 1;
const KEY_LENGTH = 32;
export const SECRET_BLOB_LENGTH = 1 + 2 * KEY_LENGTH;

export function encodeSecretBlob(keys: IdentityKeyPairs): Uint8Array {
  const blob = new Uint8Array(SECRET_BLOB_LENGTH);
  blob[0] = SECRET_BLOB_VERSION;
  blob.set(keys.signSeed, 1);
  blob.set(keys.kexPrivate, 1 + KEY_LENGTH);
  return blob;
}

/** Decodes a blob and re-derives the public keys. Throws FormatError on a bad blob. */
export function decodeSecretBlob(blob: Uint8Array): IdentityKeyPairs {
  if (blob.length !== SECRET_BLOB_LENGTH || blob[0] !== SECRET_BLOB_VERSION) {
    throw new FormatError('identity secret has an unknown layout');
  }
  return keyPairsFromSecrets(blob.slice(1, 1 + KEY_LENGTH), blob.slice(1 + KEY_LENGTH));
}
