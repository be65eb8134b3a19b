/**
 * The safety number as the renderer gets it: 12 groups, 19 words and a QR code that a scanner
 * reads back as the same 60 digits (decoded here from a rendered image); the same on both sides.
 */
import { decodeQR } from '@paulmillr/qr/decode.js';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '../crypto';
import { hexEncode } from '../protocol';
import { safetyNumberView, safetyQr, shortFingerprintOf } from './safety-views';

const key = (byte: number) => hexEncode(ed25519PublicKey(new Uint8Array(32).fill(byte)));
const NONE = { trust: 'unverified' as const, previous: null };

/** Renders modules as an RGBA image: 4 px a module, a 4-module white border. */
function image(rows: readonly string[]) {
  const scale = 4;
  const border = 4;
  const size = (rows.length + 2 * border) * scale;
  const data = new Uint8Array(size * size * 4).fill(255);
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (row[x] !== '1') continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const px = ((y + border) * scale + dy) * size + (x + border) * scale + dx;
          data.fill(0, px * 4, px * 4 + 3);
        }
      }
    }
  });
  return { width: size, height: size, data };
}

describe('safety number view', () => {
  it('is the same number for both people, with 12 groups and 19 words', () => {
    const [alice, bob] = [key(1), key(5)];
    const forBob = safetyNumberView({
      endpoint: 'ep-alice',
      handle: 'alice',
      signPub: alice,
      mySignPub: bob,
      trust: NONE,
      verifiedAt: null,
    });
    const forAlice = safetyNumberView({
      endpoint: 'ep-bob',
      handle: 'bob',
      signPub: bob,
      mySignPub: alice,
      trust: NONE,
      verifiedAt: null,
    });
    expect(forBob.groups).toEqual(forAlice.groups);
    expect(forBob.words).toEqual(forAlice.words);
    expect(forBob.groups).toHaveLength(12);
    expect(forBob.words).toHaveLength(19);
    expect(forBob.fingerprint).toBe(shortFingerprintOf(alice));
    expect(forBob.myFingerprint).toBe(forAlice.fingerprint);
    // PROTOCOL.md's safety-number vector uses these two seeds.
    expect(forBob.groups.join(' ')).toBe(
      '01771 53263 28211 27880 91298 37857 96071 74781 02702 93030 88971 80862',
    );
  });

  it('the QR code reads back as the 60 digits', () => {
    const digits = '017715326328211278809129837857960717478102702930308897180862';
    const rows = safetyQr(digits);
    expect(rows.every((r) => r.length === rows.length && /^[01]+$/.test(r))).toBe(true);
    expect(decodeQR(image(rows))).toBe(digits);
  });

  it('says which earlier key a changed name had', () => {
    const view = safetyNumberView({
      endpoint: 'ep-alice2',
      handle: 'alice',
      signPub: key(7),
      mySignPub: key(5),
      trust: {
        trust: 'changed',
        previous: {
          endpoint: 'ep-alice',
          handle: 'alice',
          sign_pub: key(1),
          fingerprint: null,
          first_seen: 1,
          verified_at: 2,
          accepted_at: 2,
        },
      },
      verifiedAt: null,
    });
    expect(view.changedFrom).toEqual({
      handle: 'alice',
      fingerprint: shortFingerprintOf(key(1)),
      wasVerified: true,
    });
  });
});
