/**
 * Sealed room keys (docs/PROTOCOL.md §7).
 *
 * A room key is 32 random bytes per epoch. It reaches each member as a libsodium sealed box
 * (`crypto_box_seal`: X25519 RFC 7748 + XSalsa20-Poly1305) of the bound plaintext
 *   "unibus:v1:roomkey" || 0x00 || room id (16) || uint32be(epoch) || key (32)      (70 bytes)
 * so a sealed key cannot be presented for another room or epoch. Because a sealed box does not
 * authenticate its sender, the record is also Ed25519-signed (RFC 8032) by the member who
 * granted it, over
 *   "unibus:v1:roomkey-grant" || 0x00 || room id (16) || uint32be(epoch) || endpoint (32)
 *     || granter (32) || sealed
 * so the node, which stores the records, cannot substitute a key it knows.
 *
 * Record (JSON, stored by the node):
 *   {"room_id","epoch","endpoint","granter","sealed": b64url,"sig": b64url}
 */
import {
  DecryptionError,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  endpointId,
  randomBytes,
  sealedBoxOpen,
  sealedBoxSeal,
} from '../crypto/index.js';
import {
  base64urlDecode,
  base64urlEncode,
  bytesEqual,
  concatBytes,
  domain,
  uint32be,
  ulidDecode,
} from './encoding.js';
import { ProtocolArgumentError, RoomKeyError } from './errors.js';
import { isValidEpoch } from './frame.js';
import { ROOM_KEY_BYTES } from './frame-seal.js';
import { endpointIdToBytes, isEndpointId, isRoomId } from './ids.js';
import { hasExactKeys, isPlainObject } from './json.js';

export const ROOM_KEY_DOMAIN = 'unibus:v1:roomkey';
export const ROOM_KEY_GRANT_DOMAIN = 'unibus:v1:roomkey-grant';
/** 48 bytes of sealed-box overhead + 70 bytes of bound plaintext. */
export const SEALED_ROOM_KEY_BYTES = 118;

export interface RoomKeyGrant {
  readonly roomId: string;
  readonly epoch: number;
  /** The member the key is sealed to. */
  readonly endpoint: string;
  /** The member who sealed and signed it. */
  readonly granter: string;
  readonly sealed: Uint8Array;
  readonly signature: Uint8Array;
}

/** A fresh random room key. */
export function newRoomKey(): Uint8Array {
  return randomBytes(ROOM_KEY_BYTES);
}

function binding(roomId: string, epoch: number): Uint8Array {
  const room = ulidDecode(roomId);
  if (!room || !isValidEpoch(epoch))
    throw new ProtocolArgumentError('room key: bad room id or epoch');
  return concatBytes(domain(ROOM_KEY_DOMAIN), room, uint32be(epoch));
}

/** The 70-byte plaintext that is sealed. */
export function roomKeyPlaintext(roomId: string, epoch: number, roomKey: Uint8Array): Uint8Array {
  if (roomKey.length !== ROOM_KEY_BYTES) throw new ProtocolArgumentError('room key: 32 bytes');
  return concatBytes(binding(roomId, epoch), roomKey);
}

export function roomKeyGrantSigningBytes(g: Omit<RoomKeyGrant, 'signature'>): Uint8Array {
  const room = ulidDecode(g.roomId);
  const endpoint = endpointIdToBytes(g.endpoint);
  const granter = endpointIdToBytes(g.granter);
  if (!room || !endpoint || !granter || !isValidEpoch(g.epoch)) {
    throw new ProtocolArgumentError('room key grant: bad fields');
  }
  return concatBytes(
    domain(ROOM_KEY_GRANT_DOMAIN),
    room,
    uint32be(g.epoch),
    endpoint,
    granter,
    g.sealed,
  );
}

/** Seals `roomKey` to one member and signs the grant. `sealedBoxNonce` is not exposed: random. */
export function createRoomKeyGrant(
  input: {
    roomId: string;
    epoch: number;
    roomKey: Uint8Array;
    member: { endpoint: string; kexPublic: Uint8Array };
  },
  granterSignSeed: Uint8Array,
): RoomKeyGrant {
  if (!isEndpointId(input.member.endpoint)) throw new ProtocolArgumentError('room key: endpoint');
  const sealed = sealedBoxSeal(
    roomKeyPlaintext(input.roomId, input.epoch, input.roomKey),
    input.member.kexPublic,
  );
  const unsigned = {
    roomId: input.roomId,
    epoch: input.epoch,
    endpoint: input.member.endpoint,
    granter: endpointId(ed25519PublicKey(granterSignSeed)),
    sealed,
  };
  return {
    ...unsigned,
    signature: ed25519Sign(granterSignSeed, roomKeyGrantSigningBytes(unsigned)),
  };
}

/** True when `granterSignPublic` belongs to `grant.granter` and signed this grant. */
export function verifyRoomKeyGrant(grant: RoomKeyGrant, granterSignPublic: Uint8Array): boolean {
  if (granterSignPublic.length !== 32 || endpointId(granterSignPublic) !== grant.granter)
    return false;
  let bytes: Uint8Array;
  try {
    bytes = roomKeyGrantSigningBytes(grant);
  } catch {
    return false;
  }
  return ed25519Verify(granterSignPublic, bytes, grant.signature);
}

/**
 * Verifies the grant signature, opens the sealed box and checks the binding. The caller decides
 * whether `granterSignPublic` may grant keys in this room (an owner or a current member).
 * Throws RoomKeyError only.
 */
export function openRoomKeyGrant(
  grant: RoomKeyGrant,
  expected: { roomId: string; epoch: number },
  recipient: { kexPublic: Uint8Array; kexPrivate: Uint8Array },
  granterSignPublic: Uint8Array,
): Uint8Array {
  if (grant.roomId !== expected.roomId)
    throw new RoomKeyError('wrong-room', 'room key: wrong room');
  if (grant.epoch !== expected.epoch)
    throw new RoomKeyError('wrong-epoch', 'room key: wrong epoch');
  if (!verifyRoomKeyGrant(grant, granterSignPublic)) {
    throw new RoomKeyError('bad-signature', 'room key: grant signature invalid');
  }
  let plaintext: Uint8Array;
  try {
    plaintext = sealedBoxOpen(grant.sealed, recipient.kexPublic, recipient.kexPrivate);
  } catch (error) {
    if (error instanceof DecryptionError || error instanceof RangeError) {
      throw new RoomKeyError('decrypt-failed', 'room key: sealed box does not open');
    }
    throw error;
  }
  const prefix = binding(expected.roomId, expected.epoch);
  if (
    plaintext.length !== prefix.length + ROOM_KEY_BYTES ||
    !bytesEqual(plaintext.subarray(0, prefix.length), prefix)
  ) {
    throw new RoomKeyError('bad-binding', 'room key: sealed for another room or epoch');
  }
  return plaintext.slice(prefix.length);
}

/** JSON record the node stores and serves. */
export function roomKeyGrantToJson(g: RoomKeyGrant): Record<string, string | number> {
  return {
    room_id: g.roomId,
    epoch: g.epoch,
    endpoint: g.endpoint,
    granter: g.granter,
    sealed: base64urlEncode(g.sealed),
    sig: base64urlEncode(g.signature),
  };
}

const GRANT_KEYS = ['room_id', 'epoch', 'endpoint', 'granter', 'sealed', 'sig'];

/** Strict shape check of a stored record (not of its signature). Throws RoomKeyError only. */
export function parseRoomKeyGrant(value: unknown): RoomKeyGrant {
  const fail = (what: string): never => {
    throw new RoomKeyError('bad-record', `room key record: ${what}`);
  };
  if (!isPlainObject(value) || !hasExactKeys(value, GRANT_KEYS)) return fail('keys');
  if (!isRoomId(value.room_id)) return fail('room_id');
  if (!isValidEpoch(value.epoch)) return fail('epoch');
  if (!isEndpointId(value.endpoint) || !isEndpointId(value.granter)) return fail('endpoint');
  const sealed = typeof value.sealed === 'string' ? base64urlDecode(value.sealed) : undefined;
  if (sealed?.length !== SEALED_ROOM_KEY_BYTES) return fail('sealed');
  const signature = typeof value.sig === 'string' ? base64urlDecode(value.sig) : undefined;
  if (signature?.length !== 64) return fail('sig');
  return {
    roomId: value.room_id,
    epoch: value.epoch,
    endpoint: value.endpoint,
    granter: value.granter,
    sealed,
    signature,
  };
}
