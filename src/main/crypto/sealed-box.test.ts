import { expect, it } from 'vitest';
import {
  DecryptionError,
  InvalidKeyError,
  randomBytes,
  SEALED_BOX_OVERHEAD,
  sealedBoxOpen,
  sealedBoxSeal,
  x25519PublicKey,
} from './index.js';
import { describeEachBackend, fromHex } from './test/helpers.js';

function recipient(): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const privateKey = randomBytes(32);
  return { privateKey, publicKey: x25519PublicKey(privateKey) };
}

describeEachBackend('sealed box', () => {
  it('round-trips, adds exactly SEALED_BOX_OVERHEAD bytes and never repeats a ciphertext', () => {
    const { publicKey, privateKey } = recipient();
    const roomKey = randomBytes(32);
    const first = sealedBoxSeal(roomKey, publicKey);
    const second = sealedBoxSeal(roomKey, publicKey);
    expect(first.length).toBe(roomKey.length + SEALED_BOX_OVERHEAD);
    expect(first).not.toEqual(second);
    expect(sealedBoxOpen(first, publicKey, privateKey)).toEqual(roomKey);
    expect(sealedBoxOpen(second, publicKey, privateKey)).toEqual(roomKey);
  });

  it('seals an empty message', () => {
    const { publicKey, privateKey } = recipient();
    expect(
      sealedBoxOpen(sealedBoxSeal(new Uint8Array(0), publicKey), publicKey, privateKey),
    ).toEqual(new Uint8Array(0));
  });

  it('rejects every single-bit flip with DecryptionError', () => {
    const { publicKey, privateKey } = recipient();
    const sealed = sealedBoxSeal(randomBytes(32), publicKey);
    let rejected = 0;
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const tampered = new Uint8Array(sealed);
      tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(() => sealedBoxOpen(tampered, publicKey, privateKey)).toThrow(DecryptionError);
      rejected++;
    }
    expect(rejected).toBe(sealed.length * 8);
  });

  it('rejects truncation, extension and inputs shorter than the overhead', () => {
    const { publicKey, privateKey } = recipient();
    const sealed = sealedBoxSeal(randomBytes(32), publicKey);
    for (const length of [0, 1, SEALED_BOX_OVERHEAD - 1, SEALED_BOX_OVERHEAD, sealed.length - 1]) {
      expect(() => sealedBoxOpen(sealed.subarray(0, length), publicKey, privateKey)).toThrow(
        DecryptionError,
      );
    }
    const extended = new Uint8Array([...sealed, 0]);
    expect(() => sealedBoxOpen(extended, publicKey, privateKey)).toThrow(DecryptionError);
  });

  it('cannot be opened by another key pair, nor with the right private key and a wrong public key', () => {
    const alice = recipient();
    const mallory = recipient();
    const sealed = sealedBoxSeal(randomBytes(32), alice.publicKey);
    expect(() => sealedBoxOpen(sealed, mallory.publicKey, mallory.privateKey)).toThrow(
      DecryptionError,
    );
    // The nonce binds the recipient public key (BLAKE2b(epk || rpk)).
    expect(() => sealedBoxOpen(sealed, mallory.publicKey, alice.privateKey)).toThrow(
      DecryptionError,
    );
  });

  it('refuses to seal to a low-order public key (InvalidKeyError), and a low-order ephemeral key fails to open', () => {
    const lowOrder = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
    expect(() => sealedBoxSeal(randomBytes(32), lowOrder)).toThrow(InvalidKeyError);
    const { publicKey, privateKey } = recipient();
    const forged = new Uint8Array(SEALED_BOX_OVERHEAD + 32);
    forged.set(lowOrder, 0);
    expect(() => sealedBoxOpen(forged, publicKey, privateKey)).toThrow(DecryptionError);
  });

  it('validates argument types and key lengths', () => {
    const { publicKey, privateKey } = recipient();
    expect(() => sealedBoxSeal(randomBytes(4), publicKey.subarray(1))).toThrow(RangeError);
    expect(() => sealedBoxSeal('text' as unknown as Uint8Array, publicKey)).toThrow(TypeError);
    expect(() => sealedBoxOpen(new Uint8Array(64), publicKey, privateKey.subarray(0, 31))).toThrow(
      /sealedBoxOpen: recipientPrivate must be 32 bytes, got 31/,
    );
  });
});
