/**
 * Safety numbers (docs/PROTOCOL.md §2.2), on the model of Signal's numeric fingerprint: each
 * identity has a 30-digit fingerprint from an iterated SHA-512 over its signing key and endpoint
 * id; the safety number of two identities is their two fingerprints, the smaller first (60 digits
 * in 12 groups of 5), so both sides compute the same number. The word form spells the same
 * number with the BIP-39 English word list, to be read aloud.
 */
import { wordlist as BIP39_ENGLISH } from '@scure/bip39/wordlists/english.js';
import { endpointId, sha512 } from '../crypto/index.js';
import { base64urlDecode, concatBytes, utf8Encode } from './encoding.js';
import { ProtocolArgumentError } from './errors.js';

export const SAFETY_NUMBER_ITERATIONS = 5200;
export const FINGERPRINT_DIGITS = 30;
export const SAFETY_NUMBER_DIGITS = 60;
/** Words in the spoken form: 2048^19 > 10^60, so 19 base-2048 digits hold any safety number. */
export const SAFETY_NUMBER_WORDS = 19;
/** Groups of 5 digits shown next to a handle (the start of that identity's fingerprint). */
export const SHORT_FINGERPRINT_GROUPS = 4;

const LABEL = utf8Encode('unibus:v1:safety\0');
const GROUP = 5;

/** h(0) = label ‖ sign_pub ‖ endpoint id bytes; h(i) = SHA-512(h(i-1) ‖ sign_pub), i = 1…5200. */
export function fingerprintHash(signPublic: Uint8Array): Uint8Array {
  if (!(signPublic instanceof Uint8Array) || signPublic.length !== 32) {
    throw new ProtocolArgumentError('signPublic must be 32 bytes');
  }
  let hash = concatBytes(LABEL, signPublic, base64urlDecode(endpointId(signPublic))!);
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) hash = sha512(concatBytes(hash, signPublic));
  return hash;
}

/** 30 digits: six 5-byte chunks of the hash, each read big-endian modulo 100000. */
export function identityFingerprint(signPublic: Uint8Array): string {
  const hash = fingerprintHash(signPublic);
  let digits = '';
  for (let chunk = 0; chunk < FINGERPRINT_DIGITS / GROUP; chunk++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + hash[chunk * 5 + i]!;
    digits += String(value % 100_000).padStart(GROUP, '0');
  }
  return digits;
}

/** The two fingerprints, the smaller first: the same 60 digits on both sides. */
export function safetyNumber(fingerprintA: string, fingerprintB: string): string {
  for (const f of [fingerprintA, fingerprintB]) {
    if (!/^[0-9]{30}$/.test(f)) throw new ProtocolArgumentError('a fingerprint is 30 digits');
  }
  return fingerprintA <= fingerprintB ? fingerprintA + fingerprintB : fingerprintB + fingerprintA;
}

/** Digits in groups of five, as shown. */
export function digitGroups(digits: string): string[] {
  return digits.match(/[0-9]{5}/g) ?? [];
}

/** The first groups of an identity's fingerprint, shown next to its handle. */
export function shortFingerprint(fingerprint: string): string {
  return digitGroups(fingerprint).slice(0, SHORT_FINGERPRINT_GROUPS).join(' ');
}

/** The 60-digit number written in base 2048, most significant first, one BIP-39 word a digit. */
export function safetyNumberWords(safety: string): string[] {
  if (!/^[0-9]{60}$/.test(safety)) throw new ProtocolArgumentError('a safety number is 60 digits');
  let value = BigInt(safety);
  const words: string[] = [];
  for (let i = 0; i < SAFETY_NUMBER_WORDS; i++) {
    words.unshift(BIP39_ENGLISH[Number(value % 2048n)]!);
    value /= 2048n;
  }
  return words;
}
