import { describe, expect, it } from 'vitest';
import { ed25519Sign, endpointId } from '../crypto/index.js';
import { decodeFrame, encodeFrame, type Frame } from './frame.js';
import {
  frameAssociatedData,
  frameSigningBytes,
  openFrame,
  sealFrame,
  type OpenFrameOptions,
} from './frame-seal.js';
import { ulidTime } from './ids.js';
import {
  ALICE,
  ALICE_SEED,
  ALICE_SIGN_PUBLIC,
  BOB,
  BOB_SEED,
  BOB_SIGN_PUBLIC,
  OTHER_ROOM,
  ROOM,
  ROOM_KEY,
  ROOM_KEY_2,
} from './test/fixtures.js';

const text = new TextEncoder().encode('{"text":"hi"}');
const keys = new Map([
  [1, ROOM_KEY],
  [2, ROOM_KEY_2],
]);
const members = new Map([
  [ALICE, ALICE_SIGN_PUBLIC],
  [BOB, BOB_SIGN_PUBLIC],
]);
const options: OpenFrameOptions = {
  expectedRoomId: ROOM,
  roomKeysByEpoch: keys,
  senderSignPublic: (sender) => members.get(sender),
};

function seal(epoch = 1, seed = ALICE_SEED, key = ROOM_KEY): Uint8Array {
  return sealFrame({ type: 'message', roomId: ROOM, epoch, plaintext: text }, key, seed);
}

/** Re-signs a modified frame as `seed` (an attacker who is a member and holds K). */
function resign(f: Frame, seed: Uint8Array): Uint8Array {
  return encodeFrame({ ...f, signature: ed25519Sign(seed, frameSigningBytes(f, f.ciphertext)) });
}

describe('sealFrame / openFrame', () => {
  it('round-trips; defaults give a fresh ULID matching the timestamp and a random nonce', () => {
    const a = seal();
    const b = seal();
    const opened = openFrame(a, options);
    expect(opened.ok && new TextDecoder().decode(opened.plaintext)).toBe('{"text":"hi"}');
    const fa = decodeFrame(a);
    expect(ulidTime(fa.messageId)).toBe(fa.timestamp);
    expect(fa.nonce).not.toEqual(decodeFrame(b).nonce);
    expect(openFrame(fa, { ...options, senderSignPublic: ALICE_SIGN_PUBLIC }).ok).toBe(true);
    expect(openFrame(seal(2, BOB_SEED, ROOM_KEY_2), options).ok).toBe(true);
  });

  it('keys as a plain record work too', () => {
    expect(openFrame(seal(), { ...options, roomKeysByEpoch: { 1: ROOM_KEY } }).ok).toBe(true);
    expect(
      openFrame(seal(2, ALICE_SEED, ROOM_KEY_2), { ...options, roomKeysByEpoch: { 1: ROOM_KEY } }),
    ).toMatchObject({
      ok: false,
      reason: 'unknown-epoch',
    });
  });

  it('drops malformed bytes, wrong room, unsigned, unknown sender, wrong key', () => {
    expect(openFrame(new Uint8Array(10), options)).toEqual({ ok: false, reason: 'malformed' });
    expect(openFrame(seal(), { ...options, expectedRoomId: OTHER_ROOM })).toMatchObject({
      reason: 'wrong-room',
    });
    const f = decodeFrame(seal());
    expect(openFrame(encodeFrame({ ...f, signature: null }), options)).toMatchObject({
      reason: 'unsigned',
    });
    expect(openFrame(seal(), { ...options, senderSignPublic: () => undefined })).toMatchObject({
      reason: 'unknown-sender',
    });
    expect(openFrame(seal(), { ...options, senderSignPublic: BOB_SIGN_PUBLIC })).toMatchObject({
      reason: 'sender-mismatch',
    });
    expect(openFrame(seal(1, ALICE_SEED, ROOM_KEY_2), options)).toMatchObject({
      reason: 'decrypt-failed',
    });
  });

  it("R-N3: a forged sender with absent, random or another member's signature is dropped", () => {
    // mallory (bob, a member holding K) claims to be alice.
    const bobFrame = decodeFrame(seal(1, BOB_SEED));
    const forged: Frame = { ...bobFrame, sender: ALICE };
    expect(openFrame(encodeFrame({ ...forged, signature: null }), options)).toMatchObject({
      reason: 'unsigned',
    });
    expect(
      openFrame(encodeFrame({ ...forged, signature: new Uint8Array(64).fill(7) }), options),
    ).toMatchObject({
      reason: 'bad-signature',
    });
    expect(openFrame(resign(forged, BOB_SEED), options)).toMatchObject({ reason: 'bad-signature' });
    // Even bob's signature with his own key registered under alice's endpoint is refused.
    expect(
      openFrame(resign(forged, BOB_SEED), { ...options, senderSignPublic: () => BOB_SIGN_PUBLIC }),
    ).toMatchObject({ reason: 'sender-mismatch' });
  });

  it('the AD binds room, epoch, sender, message id and type: a re-signed moved frame fails to decrypt', () => {
    const f = decodeFrame(seal());
    const moves: Partial<Frame>[] = [
      { roomId: OTHER_ROOM },
      { epoch: 2 },
      { type: 'edit' },
      { messageId: '01KDVDNA00M00G40R40M30E20A' },
      { timestamp: f.timestamp + 1 },
    ];
    for (const change of moves) {
      const moved = resign({ ...f, ...change }, ALICE_SEED);
      const expected = change.roomId ?? ROOM;
      const result = openFrame(moved, {
        ...options,
        expectedRoomId: expected,
        roomKeysByEpoch: new Map([
          [1, ROOM_KEY],
          [2, ROOM_KEY],
        ]),
      });
      expect(result, JSON.stringify(change)).toMatchObject({ ok: false, reason: 'decrypt-failed' });
    }
    // The sender is bound too: bob re-signs alice's ciphertext as his own.
    const stolen = resign({ ...f, sender: BOB }, BOB_SEED);
    expect(openFrame(stolen, options)).toMatchObject({ reason: 'decrypt-failed' });
  });

  it('AD and signing bytes are domain-separated and differ', () => {
    const f = decodeFrame(seal());
    const ad = new TextDecoder().decode(frameAssociatedData(f).subarray(0, 19));
    const sb = new TextDecoder().decode(frameSigningBytes(f, f.ciphertext).subarray(0, 16));
    expect(ad).toBe('unibus:v1:frame-ad\0');
    expect(sb).toBe('unibus:v1:frame\0');
    expect(endpointId(ALICE_SIGN_PUBLIC)).toBe(f.sender);
  });

  it('refuses to seal with bad arguments', () => {
    const base = { type: 'message' as const, roomId: ROOM, epoch: 1, plaintext: text };
    expect(() => sealFrame({ ...base, epoch: 0 }, ROOM_KEY, ALICE_SEED)).toThrow();
    expect(() => sealFrame({ ...base, roomId: 'room-1' }, ROOM_KEY, ALICE_SEED)).toThrow();
    expect(() => sealFrame({ ...base, nonce: new Uint8Array(12) }, ROOM_KEY, ALICE_SEED)).toThrow();
    expect(() => sealFrame(base, new Uint8Array(16), ALICE_SEED)).toThrow();
    expect(() => sealFrame({ ...base, timestamp: 2 ** 48 }, ROOM_KEY, ALICE_SEED)).toThrow();
  });
});
