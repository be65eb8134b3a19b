import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  base64urlDecode,
  base64urlEncode,
  hexDecode,
  hexEncode,
  ulidDecode,
  ulidEncode,
  utf8Decode,
} from './encoding.js';
import { newUlid, ulidTime } from './ids.js';

const bytes = fc.uint8Array({ maxLength: 80 });

describe('base64 / base64url / hex (RFC 4648)', () => {
  it('match Buffer and round-trip', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const buf = Buffer.from(b);
        expect(base64Encode(b)).toBe(buf.toString('base64'));
        expect(base64urlEncode(b)).toBe(buf.toString('base64url'));
        expect(hexEncode(b)).toBe(buf.toString('hex'));
        expect(base64Decode(base64Encode(b))).toEqual(b);
        expect(base64urlDecode(base64urlEncode(b))).toEqual(b);
        expect(hexDecode(hexEncode(b))).toEqual(b);
      }),
    );
  });

  it('RFC 4648 §10 test vectors', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of cases) {
      expect(base64Encode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(base64urlEncode(new TextEncoder().encode(plain))).toBe(encoded.replace(/=/g, ''));
    }
  });

  it('reject non-canonical spellings', () => {
    for (const bad of [
      'Zg',
      'Zg=',
      'Zh==',
      'Zm9=',
      'Z===',
      'Zm9v\n',
      ' Zm9v',
      'Zm-v',
      'Zm9v====',
    ]) {
      expect(base64Decode(bad), bad).toBeUndefined();
    }
    for (const bad of ['Zg==', 'Zh', 'Zm9', 'Z', 'Zm+v', 'Zm/v', 'Zm9v\n']) {
      expect(base64urlDecode(bad), bad).toBeUndefined();
    }
    for (const bad of ['0', 'AB', 'ab ', 'zz', 'éé']) expect(hexDecode(bad), bad).toBeUndefined();
  });

  it('decoders never throw on arbitrary strings and only accept what they would encode', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const a = base64Decode(s);
        if (a) expect(base64Encode(a)).toBe(s);
        const b = base64urlDecode(s);
        if (b) expect(base64urlEncode(b)).toBe(s);
        const c = hexDecode(s);
        if (c) expect(hexEncode(c)).toBe(s);
        const d = ulidDecode(s);
        if (d) expect(ulidEncode(d)).toBe(s);
      }),
    );
  });
});

describe('UTF-8', () => {
  it('rejects invalid sequences', () => {
    expect(utf8Decode(new Uint8Array([0xc0, 0x80]))).toBeUndefined();
    expect(utf8Decode(new Uint8Array([0xed, 0xa0, 0x80]))).toBeUndefined();
    expect(utf8Decode(new Uint8Array([0xe2, 0x82, 0xac]))).toBe('€');
  });
});

describe('ULID', () => {
  it('round-trips 16 bytes and keeps time order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const text = ulidEncode(b);
        expect(text).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
        expect(ulidDecode(text)).toEqual(b);
      }),
    );
    expect(ulidEncode(new Uint8Array(16).fill(0xff))).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(ulidDecode('8ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBeUndefined();
    expect(ulidDecode('01arz3ndektsv4rrffq69g5fav')).toBeUndefined();
    expect(ulidDecode('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBeDefined();
  });

  it('encodes time as in the ULID spec example', () => {
    // https://github.com/ulid/spec: 01ARZ3NDEK encodes 1469922850259 ms.
    expect(ulidTime('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(1469922850259);
    const id = newUlid(1469922850259, new Uint8Array(10));
    expect(id).toBe('01ARZ3NDEK0000000000000000');
    expect(newUlid(1, new Uint8Array(10)) < newUlid(2, new Uint8Array(10).fill(255))).toBe(true);
    expect(() => newUlid(2 ** 48)).toThrow(RangeError);
  });
});
