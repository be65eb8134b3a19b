/**
 * Safety numbers (PROTOCOL.md §2.2): the document's vector recomputed independently with
 * node:crypto (not our crypto module), plus the properties a person relies on: both sides see
 * the same number, different keys give different numbers, the word form round-trips.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '../crypto/index.js';
import {
  digitGroups,
  identityFingerprint,
  safetyNumber,
  safetyNumberWords,
  shortFingerprint,
} from './safety-number.js';
import { parseVectorBlocks } from './test/doc-vectors.js';

const DOC = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
const vector = parseVectorBlocks(DOC).find((b) => b.name === 'safety-number')!.fields;
const field = (key: string) => vector.get(key)!;

/** §2.2 from the text alone, with node:crypto. */
function independentFingerprint(signPub: Buffer): string {
  const endpoint = createHash('sha256')
    .update(Buffer.concat([Buffer.from('unibus:v1:endpoint\0'), signPub]))
    .digest();
  let hash = Buffer.concat([Buffer.from('unibus:v1:safety\0'), signPub, endpoint]);
  for (let i = 0; i < 5200; i++) hash = createHash('sha512').update(hash).update(signPub).digest();
  let digits = '';
  for (let j = 0; j < 6; j++) digits += String(hash.readUIntBE(5 * j, 5) % 100000).padStart(5, '0');
  return digits;
}

describe('safety numbers (PROTOCOL.md §2.2)', () => {
  it('node:crypto reproduces the documented fingerprints and number', () => {
    const alice = Buffer.from(field('alice_sign_pub_hex'), 'hex');
    const bob = Buffer.from(ed25519PublicKey(Buffer.from(field('bob_sign_seed_hex'), 'hex')));
    const fa = independentFingerprint(alice);
    const fb = independentFingerprint(bob);
    expect(digitGroups(fa).join(' ')).toBe(field('alice_fingerprint'));
    expect(digitGroups(fb).join(' ')).toBe(field('bob_fingerprint'));
    const sorted = [fa, fb].sort().join('');
    expect(sorted).toBe(field('qr_payload'));
    expect(digitGroups(sorted).join(' ')).toBe(field('safety_number'));
  });

  it('the words are the number in base 2048 over the BIP-39 English list', () => {
    expect(wordlist).toHaveLength(2048);
    expect([wordlist[0], wordlist[2047]]).toEqual(['abandon', 'zoo']);
    const words = field('words').split(' ');
    expect(words).toHaveLength(19);
    const value = words.reduce((n, w) => n * 2048n + BigInt(wordlist.indexOf(w)), 0n);
    expect(value.toString().padStart(60, '0')).toBe(field('qr_payload'));
  });

  it('both sides compute the same number; another key changes it', () => {
    const [a, b, c] = [1, 2, 3].map(() => ed25519PublicKey(new Uint8Array(randomBytes(32))));
    const [fa, fb, fc] = [a!, b!, c!].map(identityFingerprint);
    expect(safetyNumber(fa!, fb!)).toBe(safetyNumber(fb!, fa!));
    expect(safetyNumber(fa!, fc!)).not.toBe(safetyNumber(fa!, fb!));
    expect(safetyNumber(fa!, fb!)).toMatch(/^[0-9]{60}$/);
  });

  it('the short fingerprint is the first four groups of the identity fingerprint', () => {
    const f = identityFingerprint(Buffer.from(field('alice_sign_pub_hex'), 'hex'));
    expect(shortFingerprint(f)).toBe(field('alice_short_fingerprint'));
    expect(shortFingerprint(f)).toMatch(/^[0-9]{5}( [0-9]{5}){3}$/);
  });

  it('word form: 19 words for the smallest and the largest number', () => {
    expect(safetyNumberWords('0'.repeat(60))).toEqual(Array(19).fill('abandon'));
    expect(safetyNumberWords('9'.repeat(60))).toHaveLength(19);
  });

  it('refuses what is not a key, a fingerprint or a number', () => {
    expect(() => identityFingerprint(new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => safetyNumber('1'.repeat(29), '2'.repeat(30))).toThrow(/30 digits/);
    expect(() => safetyNumberWords('1'.repeat(59))).toThrow(/60 digits/);
  });
});
