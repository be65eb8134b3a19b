import { afterEach, describe, expect, it } from 'vitest';
import {
  cryptoBackend,
  cryptoImplementations,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  probeCryptoCapabilities,
  useCryptoBackend,
  x25519PublicKey,
  x25519SharedSecret,
} from './index.js';
import { PRIMITIVE_NAMES } from './primitive-set.js';
import { seededBytes } from './test/helpers.js';

afterEach(() => useCryptoBackend('auto'));

describe('backend - probe and selection', () => {
  it("finds every primitive natively on Node 20's OpenSSL and probes only once", () => {
    const capabilities = probeCryptoCapabilities();
    for (const name of PRIMITIVE_NAMES) expect(capabilities[name], name).toBe(true);
    expect(probeCryptoCapabilities()).toBe(capabilities);
    expect(Object.isFrozen(capabilities)).toBe(true);
  });

  it("defaults to 'auto': native wherever the probe passed", () => {
    expect(cryptoBackend()).toBe('native');
    expect(Object.values(cryptoImplementations()).every((source) => source === 'native')).toBe(
      true,
    );
  });

  it("'noble' forces @noble for every primitive", () => {
    useCryptoBackend('noble');
    expect(cryptoBackend()).toBe('noble');
    expect(Object.values(cryptoImplementations()).every((source) => source === 'noble')).toBe(true);
  });

  it('withoutNative only ever removes native primitives, and resets with the next call', () => {
    useCryptoBackend('auto', { withoutNative: ['ed25519', 'x25519'] });
    expect(cryptoImplementations()).toMatchObject({
      ed25519: 'noble',
      x25519: 'noble',
      sha256: 'native',
    });
    useCryptoBackend('noble', { withoutNative: [] });
    expect(cryptoImplementations().sha256).toBe('noble');
    useCryptoBackend('native');
    expect(cryptoImplementations().ed25519).toBe('native');
  });

  it('refuses an unknown backend name', () => {
    expect(() => useCryptoBackend('openssl' as 'native')).toThrow(RangeError);
  });
});

describe('backend - native KeyObject caches stay correct past their capacity', () => {
  it('signs with the right key when more signing keys are used than cache slots', () => {
    useCryptoBackend('native');
    const seeds = Array.from({ length: 12 }, (_, i) => seededBytes(1000 + i, 32));
    const message = new TextEncoder().encode('cache');
    for (let round = 0; round < 3; round++) {
      for (const seed of seeds) {
        const signature = ed25519Sign(seed, message);
        expect(ed25519Verify(ed25519PublicKey(seed), message, signature)).toBe(true);
        useCryptoBackend('noble');
        expect(ed25519Sign(seed, message)).toEqual(signature);
        useCryptoBackend('native');
      }
    }
  });

  it('verifies against the right public key when more senders than LRU entries are seen', () => {
    useCryptoBackend('native');
    const message = new TextEncoder().encode('many senders');
    const signers = Array.from({ length: 1100 }, (_, i) => seededBytes(5000 + i, 32));
    const publicKeys = signers.map((seed) => ed25519PublicKey(seed));
    const signatures = signers.map((seed) => ed25519Sign(seed, message));
    for (let i = 0; i < signers.length; i++) {
      expect(ed25519Verify(publicKeys[i] as Uint8Array, message, signatures[i] as Uint8Array)).toBe(
        true,
      );
      const other = publicKeys[(i + 1) % signers.length] as Uint8Array;
      expect(ed25519Verify(other, message, signatures[i] as Uint8Array)).toBe(false);
    }
  });

  it('derives X25519 secrets with the right private key across cache evictions', () => {
    useCryptoBackend('native');
    const privates = Array.from({ length: 10 }, (_, i) => seededBytes(9000 + i, 32));
    const publics = privates.map((key) => x25519PublicKey(key));
    for (let i = 0; i < privates.length; i++) {
      const j = (i + 3) % privates.length;
      expect(x25519SharedSecret(privates[i] as Uint8Array, publics[j] as Uint8Array)).toEqual(
        x25519SharedSecret(privates[j] as Uint8Array, publics[i] as Uint8Array),
      );
    }
  });
});
