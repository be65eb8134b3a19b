/**
 * Typed errors of the crypto module. None of them ever carries key material or plaintext:
 * messages name the function and the failed check only, because they may reach logs.
 * Wrong argument types and lengths are programmer errors and use the built-in `TypeError` /
 * `RangeError` (see bytes.ts), like noble's `abytes`.
 */

/** An AEAD tag, sealed box or file chunk failed to authenticate (wrong key, tampered, truncated). */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

/** A key is well-formed in length but unusable: low-order X25519 point, bad nkey prefix or CRC. */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}
