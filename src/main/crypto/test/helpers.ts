/** Shared test helpers: hex codecs and running a suite once per forced backend. */
import { afterAll, beforeAll, describe } from 'vitest';
import { useCryptoBackend, type CryptoBackendName } from '../index.js';

export const BACKENDS: readonly CryptoBackendName[] = ['native', 'noble'];

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Runs `suite` under each backend, restoring the default ('auto') afterwards. */
export function describeEachBackend(
  title: string,
  suite: (backend: CryptoBackendName) => void,
): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(() => useCryptoBackend(backend));
      afterAll(() => useCryptoBackend('auto'));
      suite(backend);
    });
  }
}

/** Deterministic pseudo-random bytes for reproducible property inputs (not for keys in production). */
export function seededBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}
