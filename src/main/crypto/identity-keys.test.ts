import { createHash } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { beforeAll, expect, it } from 'vitest';
import { ENDPOINT_ID_LENGTH, endpointId, generateIdentityKeyPairs } from './index.js';
import { describeEachBackend, fromHex } from './test/helpers.js';

beforeAll(async () => {
  await sodium.ready;
});

describeEachBackend('identity keys', () => {
  it('generates independent 32-byte keys whose public halves match libsodium', () => {
    const first = generateIdentityKeyPairs();
    const second = generateIdentityKeyPairs();
    for (const value of Object.values(first)) expect(value).toHaveLength(32);
    expect(first.signSeed).not.toEqual(second.signSeed);
    expect(first.signSeed).not.toEqual(first.kexPrivate);
    expect(first.signPublic).toEqual(sodium.crypto_sign_seed_keypair(first.signSeed).publicKey);
    expect(first.kexPublic).toEqual(sodium.crypto_scalarmult_base(first.kexPrivate));
  });

  it('endpointId = base64url(SHA-256("unibus:v1:endpoint" || 0x00 || signPublic)), 43 URL-safe chars', () => {
    const signPublic = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from('unibus:v1:endpoint\0', 'ascii'), signPublic]))
      .digest('base64url');
    const id = endpointId(signPublic);
    expect(id).toBe(expected);
    // Golden value for the RFC 8032 TEST 1 public key: changing it breaks every peer's id.
    expect(id).toBe('lna9Z64pqwMYzOj3eTxoakDnSsMCh7zRe-ZzUggpAzk');
    expect(id).toHaveLength(ENDPOINT_ID_LENGTH);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('endpointId differs for different keys and checks its input length', () => {
    const { signPublic } = generateIdentityKeyPairs();
    const other = new Uint8Array(signPublic);
    other[0] = (other[0] as number) ^ 1;
    expect(endpointId(other)).not.toBe(endpointId(signPublic));
    expect(() => endpointId(signPublic.subarray(1))).toThrow(
      /endpointId: signPublic must be 32 bytes, got 31/,
    );
  });
});
