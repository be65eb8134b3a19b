import { createAccount, fromPublic, fromSeed } from '@nats-io/nkeys';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  ed25519PublicKey,
  ed25519Sign,
  InvalidKeyError,
  NKEY_USER_PUBLIC_LENGTH,
  NKEY_USER_SEED_LENGTH,
  nkeyPublic,
  nkeyUserPublic,
  nkeyUserSeed,
  publicKeyFromNkey,
  signPublicFromNkey,
} from './index.js';
import { base32Decode, base32Encode } from './base32.js';
import { describeEachBackend, seededBytes } from './test/helpers.js';

describeEachBackend('nkeys', () => {
  it('match @nats-io/nkeys for 25 keys: same U… public, SU… seed, and signatures', () => {
    const encoder = new TextEncoder();
    for (let i = 0; i < 25; i++) {
      const seed = seededBytes(40 + i, 32);
      const signPublic = ed25519PublicKey(seed);
      const seedString = nkeyUserSeed(seed);
      expect(seedString).toMatch(/^SU[A-Z2-7]+$/);
      expect(seedString).toHaveLength(NKEY_USER_SEED_LENGTH);
      const theirPair = fromSeed(encoder.encode(seedString));
      const publicNkey = nkeyUserPublic(signPublic);
      expect(publicNkey).toHaveLength(NKEY_USER_PUBLIC_LENGTH);
      expect(theirPair.getPublicKey()).toBe(publicNkey);
      // The server-nonce challenge is signed with raw Ed25519: one identity on both planes.
      const challenge = seededBytes(900 + i, 11);
      expect(theirPair.sign(challenge)).toEqual(ed25519Sign(seed, challenge));
      expect(fromPublic(publicNkey).verify(challenge, ed25519Sign(seed, challenge))).toBe(true);
      expect(signPublicFromNkey(publicNkey)).toEqual(signPublic);
    }
  });
});

it('nkeys - signPublicFromNkey refuses other prefixes, bad checksums, lengths and alphabets', () => {
  const valid = nkeyUserPublic(ed25519PublicKey(seededBytes(7, 32)));
  expect(() => signPublicFromNkey(createAccount().getPublicKey())).toThrow(InvalidKeyError);
  expect(() => signPublicFromNkey(nkeyUserSeed(seededBytes(7, 32)))).toThrow(InvalidKeyError);
  expect(() => signPublicFromNkey(valid.slice(0, -1))).toThrow(InvalidKeyError);
  expect(() => signPublicFromNkey(`${valid}A`)).toThrow(InvalidKeyError);
  expect(() => signPublicFromNkey(`${valid.slice(0, -1)}1`)).toThrow(/not base32/);
  expect(() => signPublicFromNkey(valid.toLowerCase())).toThrow(InvalidKeyError);
  expect(() => signPublicFromNkey(42 as unknown as string)).toThrow(TypeError);
  // Change one character in the key body: the CRC-16 catches it.
  for (let position = 1; position < valid.length - 4; position++) {
    const replacement = valid[position] === 'A' ? 'B' : 'A';
    const corrupted = valid.slice(0, position) + replacement + valid.slice(position + 1);
    expect(() => signPublicFromNkey(corrupted), `position ${position}`).toThrow(
      /checksum|not a user/,
    );
  }
});

it('nkeys - base32 round-trips any bytes (RFC 4648, no padding)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    }),
    { numRuns: 300 },
  );
  // RFC 4648 §10 vectors with the padding removed.
  const encoder = new TextEncoder();
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  for (const [text, encoded] of vectors) expect(base32Encode(encoder.encode(text))).toBe(encoded);
});

describeEachBackend('nkeys of other roles', () => {
  it('account (A…) and server (N…) keys match @nats-io/nkeys and decode back', () => {
    const account = createAccount();
    for (let i = 0; i < 10; i++) {
      const seed = seededBytes(300 + i, 32);
      const pub = ed25519PublicKey(seed);
      const a = nkeyPublic('account', pub);
      const n = nkeyPublic('server', pub);
      expect(a).toMatch(/^A[A-Z2-7]{55}$/);
      expect(n).toMatch(/^N[A-Z2-7]{55}$/);
      // @nats-io/nkeys verifies with the decoded key: a signature by our seed checks out.
      const message = seededBytes(700 + i, 20);
      expect(fromPublic(a).verify(message, ed25519Sign(seed, message))).toBe(true);
      expect(fromPublic(n).verify(message, ed25519Sign(seed, message))).toBe(true);
      expect(publicKeyFromNkey('account', a)).toEqual(pub);
      expect(publicKeyFromNkey('server', n)).toEqual(pub);
      expect(nkeyPublic('user', pub)).toBe(nkeyUserPublic(pub));
      expect(() => publicKeyFromNkey('account', n)).toThrow(/not an account nkey/);
      expect(() => publicKeyFromNkey('server', a)).toThrow(/not a server nkey/);
      expect(() => publicKeyFromNkey('user', a)).toThrow(InvalidKeyError);
    }
    expect(publicKeyFromNkey('account', account.getPublicKey())).toHaveLength(32);
  });
});
