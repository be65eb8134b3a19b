/**
 * Passphrase → 32-byte key with scrypt (RFC 7914), for the identity file fallback and
 * encrypted backups. Native `crypto.scryptSync` where available (~3× faster), @noble otherwise.
 */
import { primitives } from './backend.js';
import { assertBytes } from './bytes.js';
import type { ScryptParameters } from './primitive-set.js';

export type { ScryptParameters } from './primitive-set.js';

export const PASSPHRASE_KEY_LENGTH = 32;
export const PASSPHRASE_SALT_MIN_LENGTH = 16;
/** 2^17 · 8 · 128 B = 128 MiB, about 0.3–0.5 s on our 2-core machines (OWASP-level cost). */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = Object.freeze({
  N: 2 ** 17,
  r: 8,
  p: 1,
});
/**
 * Parameters are read back from files an attacker may have edited; cap the memory they can make
 * us allocate (1 GiB) so a tampered file cannot exhaust the machine.
 */
export const SCRYPT_MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

function checkParameters(functionName: string, parameters: ScryptParameters): void {
  const { N, r, p } = parameters;
  const isPowerOfTwo = Number.isSafeInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!isPowerOfTwo)
    throw new RangeError(`${functionName}: N must be a power of two > 1, got ${N}`);
  if (!Number.isSafeInteger(r) || r < 1)
    throw new RangeError(`${functionName}: r must be >= 1, got ${r}`);
  if (!Number.isSafeInteger(p) || p < 1)
    throw new RangeError(`${functionName}: p must be >= 1, got ${p}`);
  if (128 * N * r > SCRYPT_MAX_MEMORY_BYTES || r * p >= 2 ** 30) {
    throw new RangeError(`${functionName}: parameters exceed the memory cap`);
  }
}

/** Checks the inputs and returns the NFKC-normalized UTF-8 passphrase bytes. */
function preparePassword(
  functionName: string,
  passphrase: string,
  salt: Uint8Array,
  parameters: ScryptParameters,
): Uint8Array {
  if (typeof passphrase !== 'string') {
    throw new TypeError(`${functionName}: passphrase must be a string`);
  }
  assertBytes(functionName, 'salt', salt);
  if (salt.length < PASSPHRASE_SALT_MIN_LENGTH) {
    throw new RangeError(
      `${functionName}: salt must be at least ${PASSPHRASE_SALT_MIN_LENGTH} bytes`,
    );
  }
  checkParameters(functionName, parameters);
  // NFKC so the same passphrase typed on another OS or keyboard (composed vs decomposed
  // accents, full-width digits) derives the same key.
  return new TextEncoder().encode(passphrase.normalize('NFKC'));
}

export function deriveKeyFromPassphrase(
  passphrase: string,
  salt: Uint8Array,
  parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS,
): Uint8Array {
  const password = preparePassword('deriveKeyFromPassphrase', passphrase, salt, parameters);
  try {
    return primitives().scrypt.derive(password, salt, parameters, PASSPHRASE_KEY_LENGTH);
  } finally {
    password.fill(0);
  }
}

/**
 * Same key as deriveKeyFromPassphrase, without blocking the event loop for the ~0.3–0.5 s a
 * production-cost derivation takes (native: libuv thread pool; noble: yields every 10 ms).
 * Argument errors are thrown synchronously, before any promise exists.
 */
export function deriveKeyFromPassphraseAsync(
  passphrase: string,
  salt: Uint8Array,
  parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS,
): Promise<Uint8Array> {
  const password = preparePassword('deriveKeyFromPassphraseAsync', passphrase, salt, parameters);
  return primitives()
    .scrypt.deriveAsync(password, salt, parameters, PASSPHRASE_KEY_LENGTH)
    .finally(() => password.fill(0));
}
