/**
 * HChaCha20 and HSalsa20: the 32-byte subkey derivations that extend ChaCha20 and Salsa20 to
 * 24-byte nonces. No runtime has them natively, so they always come from @noble/ciphers.
 * - HChaCha20: draft-irtf-cfrg-xchacha-03 §2.2 (XChaCha20 = HChaCha20 subkey + ChaCha20).
 * - HSalsa20: "Extending the Salsa20 nonce" (Bernstein, 2011) §2; NaCl's crypto_box_beforenm
 *   is HSalsa20(key = X25519 shared secret, input = 16 zero bytes).
 */
import { hchacha } from '@noble/ciphers/chacha.js';
import { hsalsa } from '@noble/ciphers/salsa.js';
import { asciiBytes, assertBytes } from './bytes.js';

type CoreFunction = typeof hchacha;

// "expand 32-byte k", the constant both ciphers use for 256-bit keys.
const SIGMA = words(asciiBytes('expand 32-byte k'));

/** Host-endian 32-bit words over a private copy (noble's cores take words, as noble itself passes them). */
function words(bytes: Uint8Array): Uint32Array {
  const copy = new Uint8Array(bytes);
  return new Uint32Array(copy.buffer, 0, copy.length / 4);
}

function deriveSubkey(
  core: CoreFunction,
  name: string,
  key: Uint8Array,
  input: Uint8Array,
): Uint8Array {
  assertBytes(name, 'key', key, 32);
  assertBytes(name, 'input', input, 16);
  const keyWords = words(key);
  const out = new Uint32Array(8);
  core(SIGMA, keyWords, words(input), out);
  keyWords.fill(0);
  return new Uint8Array(out.buffer);
}

export function hchacha20(key: Uint8Array, input: Uint8Array): Uint8Array {
  return deriveSubkey(hchacha, 'hchacha20', key, input);
}

export function hsalsa20(key: Uint8Array, input: Uint8Array): Uint8Array {
  return deriveSubkey(hsalsa, 'hsalsa20', key, input);
}
