/** Shared fixed inputs for protocol tests (the same ones docs/PROTOCOL.md uses). */
import { ed25519PublicKey, endpointId, x25519PublicKey } from '../../crypto/index.js';

export const fill = (byte: number, length: number): Uint8Array => new Uint8Array(length).fill(byte);

export const ALICE_SEED = fill(1, 32);
export const ALICE_SIGN_PUBLIC = ed25519PublicKey(ALICE_SEED);
export const ALICE = endpointId(ALICE_SIGN_PUBLIC);
export const BOB_SEED = fill(8, 32);
export const BOB_SIGN_PUBLIC = ed25519PublicKey(BOB_SEED);
export const BOB = endpointId(BOB_SIGN_PUBLIC);
export const BOB_KEX_PRIVATE = fill(5, 32);
export const BOB_KEX_PUBLIC = x25519PublicKey(BOB_KEX_PRIVATE);
export const ROOM = '01JD0000000000000000000000';
export const OTHER_ROOM = '01JD0000000000000000000001';
export const ROOM_KEY = fill(4, 32);
export const ROOM_KEY_2 = fill(0x44, 32);
export const MESSAGE_ID = '01KDVDNA00M00G40R40M30E209';
export const TIMESTAMP = 1_767_225_600_000;
