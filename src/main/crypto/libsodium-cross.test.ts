/**
 * Cross-checks against an independent implementation, libsodium (libsodium-wrappers, dev
 * dependency), on both backends: random inputs in both directions, plus every transcribed
 * vector re-computed by libsodium so a transcription error cannot hide.
 */
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  randomBytes,
  sealedBoxOpen,
  sealedBoxSeal,
  x25519PublicKey,
  x25519SharedSecret,
  xchacha20poly1305Open,
  xchacha20poly1305Seal,
} from './index.js';
import { describeEachBackend, fromHex, toHex } from './test/helpers.js';
import rfc8032 from './test/vectors/rfc8032-ed25519.json';
import rfc7748 from './test/vectors/rfc7748-x25519.json';
import wycheproofEd25519 from './test/vectors/wycheproof-ed25519.json';
import wycheproofX25519 from './test/vectors/wycheproof-x25519.json';
import wycheproofXChaCha from './test/vectors/wycheproof-xchacha20poly1305.json';

const RANDOM_CASES = 500;

beforeAll(async () => {
  await sodium.ready;
});

/** Message lengths cycle through 0, 1, block edges and a few larger sizes. */
function messageLength(i: number): number {
  const lengths = [0, 1, 15, 16, 17, 63, 64, 65, 255, 1024, 4099];
  return lengths[i % lengths.length] as number;
}

describe('transcribed vectors agree with libsodium', () => {
  it('RFC 8032: libsodium derives the same public keys and signatures', () => {
    for (const vector of rfc8032.vectors) {
      const keyPair = sodium.crypto_sign_seed_keypair(fromHex(vector.seed));
      expect(toHex(keyPair.publicKey)).toBe(vector.publicKey);
      expect(toHex(sodium.crypto_sign_detached(fromHex(vector.message), keyPair.privateKey))).toBe(
        vector.signature,
      );
    }
  });

  it('Wycheproof Ed25519: libsodium reaches the same verdicts', () => {
    const publicKey = fromHex(wycheproofEd25519.publicKey);
    for (const test of wycheproofEd25519.tests) {
      const signature = fromHex(test.sig);
      const verdict =
        signature.length === 64 &&
        sodium.crypto_sign_verify_detached(signature, fromHex(test.msg), publicKey);
      expect(verdict, `tcId ${test.tcId}`).toBe(test.result === 'valid');
    }
  });

  it('RFC 7748 and Wycheproof X25519: libsodium computes the same outputs', () => {
    for (const vector of rfc7748.scalarMultiplication) {
      expect(toHex(sodium.crypto_scalarmult(fromHex(vector.scalar), fromHex(vector.u)))).toBe(
        vector.output,
      );
    }
    const dh = rfc7748.diffieHellman;
    expect(toHex(sodium.crypto_scalarmult_base(fromHex(dh.alicePrivate)))).toBe(dh.alicePublic);
    expect(toHex(sodium.crypto_scalarmult(fromHex(dh.alicePrivate), fromHex(dh.bobPublic)))).toBe(
      dh.shared,
    );
    for (const test of wycheproofX25519.tests) {
      expect(
        toHex(sodium.crypto_scalarmult(fromHex(test.private), fromHex(test.public))),
        `tcId ${test.tcId}`,
      ).toBe(test.shared);
    }
  });

  it('Wycheproof XChaCha20-Poly1305: libsodium produces the same ciphertexts', () => {
    for (const test of wycheproofXChaCha.tests) {
      const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        fromHex(test.msg),
        fromHex(test.aad),
        null,
        fromHex(test.iv),
        fromHex(test.key),
      );
      expect(toHex(sealed), `tcId ${test.tcId}`).toBe(test.ct + test.tag);
    }
  });
});

describeEachBackend('libsodium interoperability', () => {
  it(`sealed box, ${RANDOM_CASES} random messages each way`, () => {
    const recipient = sodium.crypto_box_keypair();
    for (let i = 0; i < RANDOM_CASES; i++) {
      const message = randomBytes(messageLength(i));
      const ours = sealedBoxSeal(message, recipient.publicKey);
      expect(sodium.crypto_box_seal_open(ours, recipient.publicKey, recipient.privateKey)).toEqual(
        message,
      );
      const theirs = sodium.crypto_box_seal(message, recipient.publicKey);
      expect(sealedBoxOpen(theirs, recipient.publicKey, recipient.privateKey)).toEqual(message);
    }
  });

  it(`XChaCha20-Poly1305-IETF, ${RANDOM_CASES} random inputs each way`, () => {
    for (let i = 0; i < RANDOM_CASES; i++) {
      const key = randomBytes(32);
      const nonce = randomBytes(24);
      const aad = randomBytes(i % 40);
      const message = randomBytes(messageLength(i));
      const ours = xchacha20poly1305Seal(key, nonce, message, aad);
      const theirs = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        message,
        aad,
        null,
        nonce,
        key,
      );
      expect(ours).toEqual(theirs);
      expect(
        sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ours, aad, nonce, key),
      ).toEqual(message);
      expect(xchacha20poly1305Open(key, nonce, theirs, aad)).toEqual(message);
    }
  });

  it(`Ed25519, ${RANDOM_CASES} random keys and messages each way (libsodium secret key = seed || public)`, () => {
    for (let i = 0; i < RANDOM_CASES; i++) {
      const seed = randomBytes(32);
      const message = randomBytes(messageLength(i));
      const theirKeys = sodium.crypto_sign_seed_keypair(seed);
      const publicKey = ed25519PublicKey(seed);
      expect(publicKey).toEqual(theirKeys.publicKey);
      const ours = ed25519Sign(seed, message);
      expect(ours).toEqual(sodium.crypto_sign_detached(message, theirKeys.privateKey));
      expect(sodium.crypto_sign_verify_detached(ours, message, publicKey)).toBe(true);
      expect(
        ed25519Verify(
          publicKey,
          message,
          sodium.crypto_sign_detached(message, theirKeys.privateKey),
        ),
      ).toBe(true);
    }
  });

  it(`X25519, ${RANDOM_CASES} random key pairs agree with crypto_scalarmult`, () => {
    for (let i = 0; i < RANDOM_CASES; i++) {
      const ourPrivate = randomBytes(32);
      const theirs = sodium.crypto_box_keypair();
      expect(x25519PublicKey(ourPrivate)).toEqual(sodium.crypto_scalarmult_base(ourPrivate));
      expect(x25519SharedSecret(ourPrivate, theirs.publicKey)).toEqual(
        sodium.crypto_scalarmult(theirs.privateKey, x25519PublicKey(ourPrivate)),
      );
    }
  });
});
