/**
 * The identity's use of the crypto module: key generation, endpoint id, and the passphrase KDF
 * with the bounds we accept from files. All primitives come from `src/main/crypto`.
 */
import {
  DEFAULT_SCRYPT_PARAMETERS,
  deriveKeyFromPassphrase,
  ed25519PublicKey,
  x25519PublicKey,
  type IdentityKeyPairs,
  type ScryptParameters,
} from '../crypto';

export { constantTimeEqual, endpointId, generateIdentityKeyPairs } from '../crypto';
export type { IdentityKeyPairs } from '../crypto';

/** scrypt cost parameters (RFC 7914 §2). */
export type ScryptParams = ScryptParameters;

/** Production scrypt parameters: N = 2^17, r = 8, p = 1 (128 MiB). */
export const PRODUCTION_SCRYPT_PARAMS: ScryptParams = DEFAULT_SCRYPT_PARAMETERS;

/** Bounds accepted when reading parameters from a file, so a crafted file cannot exhaust memory. */
const MAX_LOG2_N = 20;
const MAX_R = 16;
const MAX_P = 16;

/** Re-derives both public keys from the two stored private values. */
export function keyPairsFromSecrets(
  signSeed: Uint8Array,
  kexPrivate: Uint8Array,
): IdentityKeyPairs {
  return {
    signSeed,
    signPublic: ed25519PublicKey(signSeed),
    kexPrivate,
    kexPublic: x25519PublicKey(kexPrivate),
  };
}

/** Throws RangeError unless the parameters are sane and within the accepted bounds. */
export function assertScryptParams(params: ScryptParams): void {
  const { N, r, p } = params;
  const log2N = Math.log2(N);
  if (!Number.isInteger(log2N) || log2N < 1 || log2N > MAX_LOG2_N) {
    throw new RangeError(`scrypt: N must be a power of two in [2, 2^${MAX_LOG2_N}]`);
  }
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) throw new RangeError('scrypt: bad r');
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) throw new RangeError('scrypt: bad p');
  if (128 * N * r > 1024 * 1024 * 1024) throw new RangeError('scrypt: parameters exceed 1 GiB');
}

/**
 * scrypt (RFC 7914) via crypto/index `deriveKeyFromPassphrase` (NFKC-normalized passphrase,
 * 32-byte key). It is synchronous and blocks the event loop for the derivation (~0.3–0.5 s at
 * production cost); the async signature here lets us move it off-thread without touching
 * callers. TODO(crypto): use an async export once crypto/index offers one.
 */
export async function scryptKey(
  passphrase: string,
  salt: Uint8Array,
  params: ScryptParams,
): Promise<Uint8Array> {
  assertScryptParams(params);
  return deriveKeyFromPassphrase(passphrase, salt, params);
}
