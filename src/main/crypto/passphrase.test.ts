import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT_PARAMETERS,
  deriveKeyFromPassphrase,
  deriveKeyFromPassphraseAsync,
  PASSPHRASE_KEY_LENGTH,
  useCryptoBackend,
} from './index.js';
import { seededBytes, toHex } from './test/helpers.js';

const FAST = { N: 1024, r: 8, p: 1 };

afterEach(() => useCryptoBackend('auto'));

describe('passphrase - scrypt key derivation', () => {
  it('derives the same 32-byte key on the native and noble backends', () => {
    const salt = seededBytes(1, 16);
    useCryptoBackend('native');
    const nativeKey = deriveKeyFromPassphrase('correct horse battery staple', salt, FAST);
    useCryptoBackend('noble');
    const nobleKey = deriveKeyFromPassphrase('correct horse battery staple', salt, FAST);
    expect(nativeKey).toHaveLength(PASSPHRASE_KEY_LENGTH);
    expect(toHex(nobleKey)).toBe(toHex(nativeKey));
  });

  it('uses N=2^17, r=8, p=1 by default (128 MiB), on the native backend', () => {
    expect(DEFAULT_SCRYPT_PARAMETERS).toEqual({ N: 131072, r: 8, p: 1 });
    const salt = seededBytes(2, 16);
    const byDefault = deriveKeyFromPassphrase('pass', salt);
    expect(byDefault).toEqual(deriveKeyFromPassphrase('pass', salt, { N: 2 ** 17, r: 8, p: 1 }));
    expect(byDefault).not.toEqual(deriveKeyFromPassphrase('pass', salt, FAST));
  });

  it('normalizes to NFKC, so composed and decomposed accents derive the same key', () => {
    const salt = seededBytes(3, 16);
    const composed = deriveKeyFromPassphrase('caf\u00e9 \uff11', salt, FAST);
    const decomposed = deriveKeyFromPassphrase('cafe\u0301 1', salt, FAST);
    expect(decomposed).toEqual(composed);
    expect(deriveKeyFromPassphrase('cafe 1', salt, FAST)).not.toEqual(composed);
  });

  it('depends on every input: passphrase, salt and parameters', () => {
    const salt = seededBytes(4, 16);
    const base = toHex(deriveKeyFromPassphrase('a', salt, FAST));
    expect(toHex(deriveKeyFromPassphrase('b', salt, FAST))).not.toBe(base);
    expect(toHex(deriveKeyFromPassphrase('a', seededBytes(5, 16), FAST))).not.toBe(base);
    expect(toHex(deriveKeyFromPassphrase('a', salt, { N: 2048, r: 8, p: 1 }))).not.toBe(base);
  });

  it('refuses short salts, malformed parameters and parameters beyond the 1 GiB memory cap', () => {
    expect(() => deriveKeyFromPassphrase('a', new Uint8Array(15), FAST)).toThrow(
      /at least 16 bytes/,
    );
    expect(() => deriveKeyFromPassphrase(7 as unknown as string, new Uint8Array(16), FAST)).toThrow(
      TypeError,
    );
    for (const parameters of [
      { N: 1000, r: 8, p: 1 },
      { N: 1, r: 8, p: 1 },
      { N: 1024, r: 0, p: 1 },
      { N: 1024, r: 8, p: 0 },
      { N: 2 ** 21, r: 8, p: 1 },
      { N: 1024, r: 2 ** 15, p: 2 ** 15 },
    ]) {
      expect(
        () => deriveKeyFromPassphrase('a', new Uint8Array(16), parameters),
        JSON.stringify(parameters),
      ).toThrow(RangeError);
    }
  });

  it('the async variant derives the same key on both backends', async () => {
    const salt = seededBytes(6, 16);
    for (const backend of ['native', 'noble'] as const) {
      useCryptoBackend(backend);
      const expected = deriveKeyFromPassphrase('async pass', salt, FAST);
      expect(await deriveKeyFromPassphraseAsync('async pass', salt, FAST), backend).toEqual(
        expected,
      );
    }
  });

  it('the async variant keeps the event loop turning during a production-cost derivation', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const key = await deriveKeyFromPassphraseAsync('pass', seededBytes(2, 16));
      expect(key).toEqual(deriveKeyFromPassphrase('pass', seededBytes(2, 16)));
    } finally {
      clearInterval(timer);
    }
    // A blocking derivation of ~0.3 s or more would let the 5 ms timer fire at most once.
    expect(ticks).toBeGreaterThan(3);
  });

  it('the async variant throws argument errors synchronously', () => {
    expect(() => deriveKeyFromPassphraseAsync('a', new Uint8Array(8), FAST)).toThrow(
      /deriveKeyFromPassphraseAsync: salt must be at least 16 bytes/,
    );
    expect(() =>
      deriveKeyFromPassphraseAsync('a', new Uint8Array(16), { N: 3, r: 8, p: 1 }),
    ).toThrow(RangeError);
  });
});
