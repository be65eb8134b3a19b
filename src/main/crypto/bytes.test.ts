import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asciiBytes,
  assertBytes,
  concatBytes,
  constantTimeEqual,
  uint64BigEndian,
} from './bytes.js';
import { toHex } from './test/helpers.js';

describe('bytes - helpers', () => {
  it('constantTimeEqual agrees with a plain comparison', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(constantTimeEqual(a, new Uint8Array(a))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('assertBytes names the function and argument, never the value', () => {
    expect(() => assertBytes('f', 'key', new Uint8Array(3), 4)).toThrow(
      new RangeError('f: key must be 4 bytes, got 3'),
    );
    expect(() => assertBytes('f', 'key', 'secret', 4)).toThrow(
      new TypeError('f: key must be a Uint8Array'),
    );
  });

  it('uint64BigEndian encodes safe integers exactly', () => {
    expect(toHex(uint64BigEndian(0))).toBe('0000000000000000');
    expect(toHex(uint64BigEndian(0x0102030405))).toBe('0000000102030405');
    expect(toHex(uint64BigEndian(Number.MAX_SAFE_INTEGER))).toBe('001fffffffffffff');
  });

  it('concatBytes and asciiBytes', () => {
    expect(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3]))).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect(asciiBytes('AZ')).toEqual(new Uint8Array([0x41, 0x5a]));
    expect(() => asciiBytes('é')).toThrow(RangeError);
  });
});
