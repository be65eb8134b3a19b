/**
 * The contract each backend fulfils, grouped by what a runtime either has natively or not.
 * Arguments are already validated by the public functions (lengths, types), so backends only
 * do the math. `open` functions throw `DecryptionError` on authentication failure; X25519
 * throws `InvalidKeyError` for a low-order peer key (all-zero shared secret).
 */

export interface ScryptParameters {
  /** CPU/memory cost, a power of two greater than 1. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
}

export interface EphemeralAgreement {
  readonly ephemeralPublic: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

export interface AeadPrimitive {
  /** Returns ciphertext || 16-byte tag. */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData: Uint8Array,
  ): Uint8Array;
  open(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    associatedData: Uint8Array,
  ): Uint8Array;
}

export interface PrimitiveSet {
  readonly randomBytes: { generate(length: number): Uint8Array };
  readonly sha256: { digest(data: Uint8Array): Uint8Array };
  readonly sha512: { digest(data: Uint8Array): Uint8Array };
  readonly ed25519: {
    publicKey(seed: Uint8Array): Uint8Array;
    sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  };
  readonly x25519: {
    publicKey(privateKey: Uint8Array): Uint8Array;
    sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
    /** Fresh single-use key pair agreed with `publicKey`; the ephemeral secret is discarded. */
    ephemeralAgreement(publicKey: Uint8Array): EphemeralAgreement;
  };
  /** IETF ChaCha20-Poly1305 (RFC 8439 §2.8), 12-byte nonce. */
  readonly chacha20poly1305: AeadPrimitive;
  /** AES-256-GCM (NIST SP 800-38D), 12-byte nonce, 16-byte tag. */
  readonly aes256gcm: AeadPrimitive;
  readonly scrypt: {
    derive(
      password: Uint8Array,
      salt: Uint8Array,
      parameters: ScryptParameters,
      length: number,
    ): Uint8Array;
    /** Same result as `derive`, without blocking the event loop for the whole derivation. */
    deriveAsync(
      password: Uint8Array,
      salt: Uint8Array,
      parameters: ScryptParameters,
      length: number,
    ): Promise<Uint8Array>;
  };
}

export type PrimitiveName = keyof PrimitiveSet;

export const PRIMITIVE_NAMES: readonly PrimitiveName[] = [
  'randomBytes',
  'sha256',
  'sha512',
  'ed25519',
  'x25519',
  'chacha20poly1305',
  'aes256gcm',
  'scrypt',
];

/** Memory scrypt needs for (N, r): 128·N·r bytes for V plus working space; used as maxmem. */
export function scryptMemoryBytes({ N, r, p }: ScryptParameters): number {
  return 128 * N * r + 128 * r * p + 1024 * 1024;
}
