import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityCardError } from './errors.js';
import { base64urlEncode } from './encoding.js';
import {
  encodeIdentityCard,
  handleProblem,
  isValidHandle,
  parseIdentityCard,
} from './identity-card.js';
import { ALICE, ALICE_SIGN_PUBLIC, BOB, BOB_KEX_PUBLIC, BOB_SIGN_PUBLIC } from './test/fixtures.js';

const card = encodeIdentityCard({
  handle: 'alice',
  signPublic: ALICE_SIGN_PUBLIC,
  kexPublic: BOB_KEX_PUBLIC,
});
const json = JSON.parse(card) as Record<string, unknown>;

function codeOf(input: string | Uint8Array): string | undefined {
  try {
    parseIdentityCard(input);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityCardError);
    return (error as IdentityCardError).code;
  }
}
const variant = (patch: Record<string, unknown>): string => JSON.stringify({ ...json, ...patch });

describe('identity card', () => {
  it('round-trips from a string or UTF-8 bytes, in any key order', () => {
    const parsed = parseIdentityCard(card);
    expect(parsed).toMatchObject({ v: 1, id: ALICE, handle: 'alice' });
    expect(parsed.signPublic).toEqual(ALICE_SIGN_PUBLIC);
    expect(parsed.kexPublic).toEqual(BOB_KEX_PUBLIC);
    expect(parseIdentityCard(new TextEncoder().encode(card)).id).toBe(ALICE);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(json).reverse()));
    expect(parseIdentityCard(reordered).id).toBe(ALICE);
  });

  it('rejects every malformed card with a typed code', () => {
    expect(codeOf('not json')).toBe('bad-json');
    expect(codeOf(new Uint8Array([0xff]))).toBe('bad-json');
    expect(codeOf('[]')).toBe('bad-shape');
    expect(codeOf(variant({ extra: 1 }))).toBe('bad-shape');
    expect(codeOf(JSON.stringify({ ...json, kex_pub: undefined }))).toBe('bad-shape');
    expect(codeOf(variant({ v: 2 }))).toBe('bad-version');
    expect(codeOf(variant({ v: '1' }))).toBe('bad-version');
    expect(codeOf(variant({ handle: '' }))).toBe('bad-handle');
    expect(codeOf(variant({ sign_pub: base64urlEncode(new Uint8Array(31)) }))).toBe('bad-key');
    expect(codeOf(variant({ kex_pub: (json.kex_pub as string) + 'A' }))).toBe('bad-key');
    expect(codeOf(variant({ kex_pub: Buffer.from(BOB_KEX_PUBLIC).toString('base64') }))).toBe(
      'bad-key',
    );
    expect(codeOf(variant({ id: BOB }))).toBe('id-mismatch');
    // A card carrying bob's signing key but alice's id.
    expect(codeOf(variant({ sign_pub: base64urlEncode(BOB_SIGN_PUBLIC) }))).toBe('id-mismatch');
    expect(codeOf(variant({ handle: 'a'.repeat(2000) }))).toBe('too-long');
    expect(codeOf('{"__proto__":{"v":1}}')).toBe('bad-shape');
  });

  it('handle rules: NFC, 1-32 code points, letters/digits/marks and _ . -', () => {
    for (const ok of [
      'alice',
      'Bob_2',
      'a.b-c',
      'José',
      'Zoë',
      '山田',
      'ñandú',
      'x'.repeat(32),
      'مريم',
    ]) {
      expect(isValidHandle(ok), ok).toBe(true);
    }
    for (const bad of [
      '',
      ' alice',
      'alice bob',
      '.alice',
      '_a',
      'x'.repeat(33),
      'Jose\u0301', // NFD
      'alice\u202egnp', // bidi override
      'al\u200bice', // zero-width space
      'alice\n',
      'a/b',
      'a@b',
      '\ud800',
    ]) {
      expect(isValidHandle(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(handleProblem('Jose\u0301')).toMatch(/NFC/);
    expect(handleProblem(7)).toMatch(/string/);
  });

  it('parse never throws anything but IdentityCardError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.constant(card.slice(0, 100))),
        (s) => {
          codeOf(s);
        },
      ),
    );
  });

  it('encodeIdentityCard refuses bad input', () => {
    expect(() =>
      encodeIdentityCard({
        handle: 'a b',
        signPublic: ALICE_SIGN_PUBLIC,
        kexPublic: BOB_KEX_PUBLIC,
      }),
    ).toThrow();
    expect(() =>
      encodeIdentityCard({ handle: 'a', signPublic: new Uint8Array(3), kexPublic: BOB_KEX_PUBLIC }),
    ).toThrow();
  });
});
