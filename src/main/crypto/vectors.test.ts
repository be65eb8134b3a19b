/**
 * Published test vectors through the public functions, on both backends. Sources and
 * commits are recorded in test/vectors/README.md and in each file's "source" field.
 */
import { expect, it } from 'vitest';
import {
  aes256gcmOpen,
  aes256gcmSeal,
  DecryptionError,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  InvalidKeyError,
  x25519PublicKey,
  x25519SharedSecret,
  xchacha20poly1305Open,
  xchacha20poly1305Seal,
} from './index.js';
import { primitives } from './backend.js';
import { describeEachBackend, fromHex, toHex } from './test/helpers.js';
import rfc8032 from './test/vectors/rfc8032-ed25519.json';
import rfc7748 from './test/vectors/rfc7748-x25519.json';
import mcgrewViega from './test/vectors/aes256gcm-mcgrew-viega.json';
import rfc7914 from './test/vectors/rfc7914-scrypt.json';
import wycheproofEd25519 from './test/vectors/wycheproof-ed25519.json';
import wycheproofX25519 from './test/vectors/wycheproof-x25519.json';
import wycheproofXChaCha from './test/vectors/wycheproof-xchacha20poly1305.json';
import wycheproofAesGcm from './test/vectors/wycheproof-aes256gcm.json';

/**
 * Low-order points of Curve25519 (and non-canonical encodings of them), the list libsodium
 * rejects in crypto_scalarmult: 0, 1, the two points of order 8, p-1, p, p+1.
 */
const LOW_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

describeEachBackend('RFC 8032 §7.1 Ed25519', () => {
  for (const vector of rfc8032.vectors) {
    it(`${vector.name}: public key, signature and verification`, () => {
      const seed = fromHex(vector.seed);
      const message = fromHex(vector.message);
      expect(toHex(ed25519PublicKey(seed))).toBe(vector.publicKey);
      expect(toHex(ed25519Sign(seed, message))).toBe(vector.signature);
      expect(ed25519Verify(fromHex(vector.publicKey), message, fromHex(vector.signature))).toBe(
        true,
      );
    });
  }
});

describeEachBackend('Wycheproof Ed25519 (strict RFC 8032 verification)', () => {
  const publicKey = fromHex(wycheproofEd25519.publicKey);
  for (const test of wycheproofEd25519.tests) {
    it(`tcId ${test.tcId} is ${test.result}`, () => {
      const accepted = ed25519Verify(publicKey, fromHex(test.msg), fromHex(test.sig));
      expect(accepted).toBe(test.result === 'valid');
    });
  }
});

describeEachBackend('RFC 7748 X25519', () => {
  for (const vector of rfc7748.scalarMultiplication) {
    it(`${vector.name}`, () => {
      expect(toHex(x25519SharedSecret(fromHex(vector.scalar), fromHex(vector.u)))).toBe(
        vector.output,
      );
    });
  }

  it('§5.2 iterated: after 1 and after 1,000 iterations', () => {
    let k = fromHex(rfc7748.iterated.start);
    let u = fromHex(rfc7748.iterated.start);
    for (let i = 1; i <= 1000; i++) {
      const next = x25519SharedSecret(k, u);
      u = k;
      k = next;
      if (i === 1) expect(toHex(k)).toBe(rfc7748.iterated.after1);
    }
    expect(toHex(k)).toBe(rfc7748.iterated.after1000);
  });

  it('§6.1 Diffie-Hellman: both public keys and the shared secret', () => {
    const dh = rfc7748.diffieHellman;
    expect(toHex(x25519PublicKey(fromHex(dh.alicePrivate)))).toBe(dh.alicePublic);
    expect(toHex(x25519PublicKey(fromHex(dh.bobPrivate)))).toBe(dh.bobPublic);
    expect(toHex(x25519SharedSecret(fromHex(dh.alicePrivate), fromHex(dh.bobPublic)))).toBe(
      dh.shared,
    );
    expect(toHex(x25519SharedSecret(fromHex(dh.bobPrivate), fromHex(dh.alicePublic)))).toBe(
      dh.shared,
    );
  });

  for (const test of wycheproofX25519.tests) {
    it(`Wycheproof tcId ${test.tcId} (${test.result}) computes the RFC value`, () => {
      expect(toHex(x25519SharedSecret(fromHex(test.private), fromHex(test.public)))).toBe(
        test.shared,
      );
    });
  }

  for (const point of LOW_ORDER_POINTS) {
    it(`rejects low-order public key ${point.slice(0, 8)}… with InvalidKeyError`, () => {
      const privateKey = fromHex(rfc7748.diffieHellman.alicePrivate);
      expect(() => x25519SharedSecret(privateKey, fromHex(point))).toThrow(InvalidKeyError);
    });
  }
});

describeEachBackend('XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §A.3.1 + Wycheproof)', () => {
  for (const test of wycheproofXChaCha.tests) {
    it(`tcId ${test.tcId}: seal matches, open recovers, a flipped tag fails`, () => {
      const key = fromHex(test.key);
      const nonce = fromHex(test.iv);
      const aad = fromHex(test.aad);
      const sealed = xchacha20poly1305Seal(key, nonce, fromHex(test.msg), aad);
      expect(toHex(sealed)).toBe(test.ct + test.tag);
      expect(toHex(xchacha20poly1305Open(key, nonce, sealed, aad))).toBe(test.msg);
      sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 0x01;
      expect(() => xchacha20poly1305Open(key, nonce, sealed, aad)).toThrow(DecryptionError);
    });
  }
});

describeEachBackend('AES-256-GCM (McGrew-Viega test cases 13-16)', () => {
  for (const vector of mcgrewViega.vectors) {
    it(`${vector.name}: seal matches, open recovers, a changed AAD fails`, () => {
      const key = fromHex(vector.key);
      const iv = fromHex(vector.iv);
      const aad = fromHex(vector.aad);
      const sealed = aes256gcmSeal(key, iv, fromHex(vector.plaintext), aad);
      expect(toHex(sealed)).toBe(vector.ciphertext + vector.tag);
      expect(toHex(aes256gcmOpen(key, iv, sealed, aad))).toBe(vector.plaintext);
      const otherAad = new Uint8Array([...aad, 0]);
      expect(() => aes256gcmOpen(key, iv, sealed, otherAad)).toThrow(DecryptionError);
    });
  }
});

describeEachBackend('Wycheproof AES-256-GCM (96-bit IV, 128-bit tag)', () => {
  for (const test of wycheproofAesGcm.tests) {
    it(`tcId ${test.tcId}: seal matches, open recovers, a flipped ciphertext bit fails`, () => {
      const key = fromHex(test.key);
      const iv = fromHex(test.iv);
      const aad = fromHex(test.aad);
      const sealed = aes256gcmSeal(key, iv, fromHex(test.msg), aad);
      expect(toHex(sealed)).toBe(test.ct + test.tag);
      expect(toHex(aes256gcmOpen(key, iv, sealed, aad))).toBe(test.msg);
      sealed[0] = (sealed[0] as number) ^ 0x80;
      expect(() => aes256gcmOpen(key, iv, sealed, aad)).toThrow(DecryptionError);
    });
  }
});

describeEachBackend(
  'RFC 7914 §12 scrypt (backend primitive; the public API enforces a 16-byte salt)',
  () => {
    for (const vector of rfc7914.vectors) {
      it(`N=${vector.N} r=${vector.r} p=${vector.p}: first 32 bytes match`, () => {
        const encoder = new TextEncoder();
        const { N, r, p } = vector;
        const derived = primitives().scrypt.derive(
          encoder.encode(vector.password),
          encoder.encode(vector.salt),
          { N, r, p },
          32,
        );
        expect(toHex(derived)).toBe(vector.output.slice(0, 64));
      });
    }
  },
);
