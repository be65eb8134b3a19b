/** SHA-512 against the FIPS 180-2 Appendix C examples, on both backends. */
import { afterAll, describe, expect, it } from 'vitest';
import { cryptoImplementations, sha512, useCryptoBackend } from './index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe.each(['native', 'noble'] as const)('sha512 on the %s backend', (backend) => {
  afterAll(() => useCryptoBackend('auto'));

  it('reproduces FIPS 180-2 C.1 ("abc") and C.2 (two-block message)', () => {
    useCryptoBackend(backend);
    expect(cryptoImplementations().sha512).toBe(backend);
    expect(hex(sha512(ascii('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a' +
        '2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    const twoBlocks =
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno' +
      'ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
    expect(hex(sha512(ascii(twoBlocks)))).toBe(
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018' +
        '501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    );
  });

  it('refuses what is not bytes', () => {
    useCryptoBackend(backend);
    expect(() => sha512('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
