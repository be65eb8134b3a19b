import { afterEach, describe, expect, it } from 'vitest';
import {
  aes256gcmOpen,
  aes256gcmSeal,
  cryptoImplementations,
  DecryptionError,
  randomBytes,
  useCryptoBackend,
  xchacha20poly1305Open,
  xchacha20poly1305Seal,
} from './index.js';
import { describeEachBackend, seededBytes } from './test/helpers.js';

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}

describeEachBackend('XChaCha20-Poly1305', () => {
  const key = seededBytes(1, 32);
  const nonce = seededBytes(2, 24);
  const aad = new TextEncoder().encode('room:r1|epoch:3|sender:e|msg:m|type:text');
  const message = seededBytes(3, 61);

  it('rejects every single-bit flip of the sealed output', () => {
    const sealed = xchacha20poly1305Seal(key, nonce, message, aad);
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      expect(() => xchacha20poly1305Open(key, nonce, flipBit(sealed, bit), aad)).toThrow(
        DecryptionError,
      );
    }
  });

  it('rejects every single-bit flip of the key, the nonce and the associated data', () => {
    const sealed = xchacha20poly1305Seal(key, nonce, message, aad);
    for (let bit = 0; bit < 256; bit++) {
      expect(() => xchacha20poly1305Open(flipBit(key, bit), nonce, sealed, aad)).toThrow(
        DecryptionError,
      );
    }
    for (let bit = 0; bit < 192; bit++) {
      expect(() => xchacha20poly1305Open(key, flipBit(nonce, bit), sealed, aad)).toThrow(
        DecryptionError,
      );
    }
    for (let bit = 0; bit < aad.length * 8; bit++) {
      expect(() => xchacha20poly1305Open(key, nonce, sealed, flipBit(aad, bit))).toThrow(
        DecryptionError,
      );
    }
  });

  it('rejects truncated input, including inputs shorter than the tag', () => {
    const sealed = xchacha20poly1305Seal(key, nonce, message, aad);
    for (const length of [0, 1, 15, 16, sealed.length - 1]) {
      expect(() => xchacha20poly1305Open(key, nonce, sealed.subarray(0, length), aad)).toThrow(
        DecryptionError,
      );
    }
  });

  it('checks key and nonce lengths with RangeError and types with TypeError', () => {
    expect(() => xchacha20poly1305Seal(key.subarray(1), nonce, message, aad)).toThrow(
      /xchacha20poly1305Seal: key must be 32 bytes, got 31/,
    );
    expect(() => xchacha20poly1305Seal(key, nonce.subarray(12), message, aad)).toThrow(RangeError);
    expect(() => xchacha20poly1305Open(key, nonce, [1, 2] as unknown as Uint8Array, aad)).toThrow(
      TypeError,
    );
  });
});

describeEachBackend('AES-256-GCM', () => {
  it('rejects every single-bit flip of the sealed output', () => {
    const key = seededBytes(4, 32);
    const nonce = seededBytes(5, 12);
    const sealed = aes256gcmSeal(key, nonce, seededBytes(6, 40), new Uint8Array(0));
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      expect(() => aes256gcmOpen(key, nonce, flipBit(sealed, bit), new Uint8Array(0))).toThrow(
        DecryptionError,
      );
    }
  });

  it('checks the 12-byte nonce length', () => {
    expect(() =>
      aes256gcmSeal(randomBytes(32), randomBytes(16), new Uint8Array(1), new Uint8Array(0)),
    ).toThrow(/aes256gcmSeal: nonce must be 12 bytes, got 16/);
  });
});

describe('backends agree on every AEAD output', () => {
  afterEach(() => useCryptoBackend('auto'));

  it('native and noble produce identical XChaCha20-Poly1305 and AES-256-GCM output on 200 inputs', () => {
    for (let i = 0; i < 200; i++) {
      const key = seededBytes(100 + i, 32);
      const xNonce = seededBytes(300 + i, 24);
      const gNonce = seededBytes(500 + i, 12);
      const aad = seededBytes(700 + i, i % 33);
      const message = seededBytes(900 + i, (i * 37) % 3000);
      useCryptoBackend('native');
      const nativeX = xchacha20poly1305Seal(key, xNonce, message, aad);
      const nativeG = aes256gcmSeal(key, gNonce, message, aad);
      useCryptoBackend('noble');
      expect(xchacha20poly1305Seal(key, xNonce, message, aad)).toEqual(nativeX);
      expect(aes256gcmSeal(key, gNonce, message, aad)).toEqual(nativeG);
      expect(xchacha20poly1305Open(key, xNonce, nativeX, aad)).toEqual(message);
    }
  });

  it("a runtime without native chacha20-poly1305 (Electron's BoringSSL) falls back to noble for that primitive only", () => {
    useCryptoBackend('native');
    const key = seededBytes(11, 32);
    const nonce = seededBytes(12, 24);
    const message = seededBytes(13, 1000);
    const nativeSealed = xchacha20poly1305Seal(key, nonce, message, new Uint8Array(0));

    // Simulates BoringSSL: the probe result is overridden to "chacha20-poly1305 missing".
    useCryptoBackend('native', { withoutNative: ['chacha20poly1305'] });
    const implementations = cryptoImplementations();
    expect(implementations.chacha20poly1305).toBe('noble');
    expect(implementations.ed25519).toBe('native');
    expect(implementations.aes256gcm).toBe('native');
    expect(xchacha20poly1305Seal(key, nonce, message, new Uint8Array(0))).toEqual(nativeSealed);
    expect(xchacha20poly1305Open(key, nonce, nativeSealed, new Uint8Array(0))).toEqual(message);
  });
});
