import { describe, expect, it } from 'vitest';
import { ed25519Sign, sealedBoxSeal, x25519PublicKey } from '../crypto/index.js';
import { RoomKeyError } from './errors.js';
import {
  SEALED_ROOM_KEY_BYTES,
  createRoomKeyGrant,
  newRoomKey,
  openRoomKeyGrant,
  parseRoomKeyGrant,
  roomKeyGrantSigningBytes,
  roomKeyGrantToJson,
  roomKeyPlaintext,
  verifyRoomKeyGrant,
  type RoomKeyGrant,
} from './room-key.js';
import {
  ALICE,
  ALICE_SEED,
  ALICE_SIGN_PUBLIC,
  BOB,
  BOB_KEX_PRIVATE,
  BOB_KEX_PUBLIC,
  BOB_SEED,
  BOB_SIGN_PUBLIC,
  OTHER_ROOM,
  ROOM,
  ROOM_KEY,
  fill,
} from './test/fixtures.js';

const bob = { kexPublic: BOB_KEX_PUBLIC, kexPrivate: BOB_KEX_PRIVATE };
const grant = createRoomKeyGrant(
  {
    roomId: ROOM,
    epoch: 3,
    roomKey: ROOM_KEY,
    member: { endpoint: BOB, kexPublic: BOB_KEX_PUBLIC },
  },
  ALICE_SEED,
);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RoomKeyError);
    return (error as RoomKeyError).code;
  }
}

describe('sealed room keys', () => {
  it('grant → JSON → parse → open gives the key', () => {
    expect(grant.sealed).toHaveLength(SEALED_ROOM_KEY_BYTES);
    expect(grant.granter).toBe(ALICE);
    const record = JSON.parse(JSON.stringify(roomKeyGrantToJson(grant))) as unknown;
    const parsed = parseRoomKeyGrant(record);
    expect(parsed).toEqual(grant);
    expect(openRoomKeyGrant(parsed, { roomId: ROOM, epoch: 3 }, bob, ALICE_SIGN_PUBLIC)).toEqual(
      ROOM_KEY,
    );
    expect(verifyRoomKeyGrant(parsed, ALICE_SIGN_PUBLIC)).toBe(true);
    expect(newRoomKey()).toHaveLength(32);
  });

  it('refuses a grant presented for another room or epoch', () => {
    expect(
      codeOf(() =>
        openRoomKeyGrant(grant, { roomId: OTHER_ROOM, epoch: 3 }, bob, ALICE_SIGN_PUBLIC),
      ),
    ).toBe('wrong-room');
    expect(
      codeOf(() => openRoomKeyGrant(grant, { roomId: ROOM, epoch: 2 }, bob, ALICE_SIGN_PUBLIC)),
    ).toBe('wrong-epoch');
  });

  it('a node that relabels a sealed key (and re-signs as a member) trips the binding', () => {
    // bob (a member) re-signs alice's sealed box under another room id: signature fine, binding not.
    const relabeled = createRoomKeyGrant(
      {
        roomId: OTHER_ROOM,
        epoch: 3,
        roomKey: ROOM_KEY,
        member: { endpoint: BOB, kexPublic: BOB_KEX_PUBLIC },
      },
      BOB_SEED,
    );
    const swapped: RoomKeyGrant = { ...relabeled, sealed: grant.sealed };
    const resigned = createRoomKeyGrant(
      {
        roomId: OTHER_ROOM,
        epoch: 3,
        roomKey: ROOM_KEY,
        member: { endpoint: BOB, kexPublic: BOB_KEX_PUBLIC },
      },
      BOB_SEED,
    );
    expect(
      openRoomKeyGrant(resigned, { roomId: OTHER_ROOM, epoch: 3 }, bob, BOB_SIGN_PUBLIC),
    ).toEqual(ROOM_KEY);
    expect(
      codeOf(() =>
        openRoomKeyGrant(swapped, { roomId: OTHER_ROOM, epoch: 3 }, bob, BOB_SIGN_PUBLIC),
      ),
    ).toBe('bad-signature');
  });

  it('binding is checked after the box opens (a granter signing a key sealed for epoch 4)', () => {
    const sealed = sealedBoxSeal(roomKeyPlaintext(ROOM, 4, ROOM_KEY), BOB_KEX_PUBLIC);
    const unsigned = { roomId: ROOM, epoch: 3, endpoint: BOB, granter: ALICE, sealed };
    const signed: RoomKeyGrant = {
      ...unsigned,
      signature: ed25519Sign(ALICE_SEED, roomKeyGrantSigningBytes(unsigned)),
    };
    expect(verifyRoomKeyGrant(signed, ALICE_SIGN_PUBLIC)).toBe(true);
    expect(
      codeOf(() => openRoomKeyGrant(signed, { roomId: ROOM, epoch: 3 }, bob, ALICE_SIGN_PUBLIC)),
    ).toBe('bad-binding');
  });

  it('a key the node forged (no granter signature) or sealed to someone else is refused', () => {
    const forged = {
      ...grant,
      sealed: sealedBoxSeal(roomKeyPlaintext(ROOM, 3, fill(9, 32)), BOB_KEX_PUBLIC),
    };
    expect(
      codeOf(() => openRoomKeyGrant(forged, { roomId: ROOM, epoch: 3 }, bob, ALICE_SIGN_PUBLIC)),
    ).toBe('bad-signature');
    expect(
      codeOf(() => openRoomKeyGrant(grant, { roomId: ROOM, epoch: 3 }, bob, BOB_SIGN_PUBLIC)),
    ).toBe('bad-signature');
    const otherKex = fill(0x33, 32);
    const wrongRecipient = { kexPublic: x25519PublicKey(otherKex), kexPrivate: otherKex };
    expect(
      codeOf(() =>
        openRoomKeyGrant(grant, { roomId: ROOM, epoch: 3 }, wrongRecipient, ALICE_SIGN_PUBLIC),
      ),
    ).toBe('decrypt-failed');
  });

  it('parseRoomKeyGrant validates the record shape', () => {
    const record = roomKeyGrantToJson(grant);
    expect(codeOf(() => parseRoomKeyGrant({ ...record, extra: 1 }))).toBe('bad-record');
    expect(codeOf(() => parseRoomKeyGrant({ ...record, epoch: 0 }))).toBe('bad-record');
    expect(codeOf(() => parseRoomKeyGrant({ ...record, room_id: 'r' }))).toBe('bad-record');
    expect(codeOf(() => parseRoomKeyGrant({ ...record, endpoint: 'x' }))).toBe('bad-record');
    expect(codeOf(() => parseRoomKeyGrant({ ...record, sealed: 'AAAA' }))).toBe('bad-record');
    expect(codeOf(() => parseRoomKeyGrant({ ...record, sig: 'AAAA' }))).toBe('bad-record');
    expect(codeOf(() => parseRoomKeyGrant(null))).toBe('bad-record');
  });
});
