/**
 * Room metadata (name, topic), encrypted under the room key; the node stores it opaque
 * (docs/PROTOCOL.md §9).
 *
 *   blob = 0x01 || uint32be(epoch) || nonce (24) || XChaCha20-Poly1305 ciphertext
 *   AD   = "unibus:v1:meta" || 0x00 || room id (16) || blob[0..5)
 *   plaintext = UTF-8 JSON {"name": "...", "topic": "..."}
 *
 * XChaCha20-Poly1305: draft-irtf-cfrg-xchacha-03 / RFC 8439. Stored as base64url (RFC 4648 §5).
 */
import { randomBytes, xchacha20poly1305Open, xchacha20poly1305Seal } from '../crypto/index.js';
import { concatBytes, domain, uint32be, ulidDecode, utf8Encode } from './encoding.js';
import { ProtocolArgumentError, RoomMetaError } from './errors.js';
import { isValidEpoch } from './frame.js';
import { ROOM_KEY_BYTES } from './frame-seal.js';
import { codePointLength, hasExactKeys, isPlainObject, parseJsonBytes } from './json.js';

export const ROOM_META_DOMAIN = 'unibus:v1:meta';
export const ROOM_META_VERSION = 1;
export const ROOM_NAME_MAX_CODE_POINTS = 100;
export const ROOM_TOPIC_MAX_CODE_POINTS = 1000;
const HEADER_BYTES = 5;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** Generous bound for stored blobs: the JSON of the longest name and topic, 4 bytes each. */
export const ROOM_META_MAX_BYTES = 8192;

export interface RoomMeta {
  readonly name: string;
  readonly topic: string;
}

const NAME_FORBIDDEN = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
// Same as names, except that the topic may contain line feeds.
const TOPIC_FORBIDDEN = (topic: string): boolean => NAME_FORBIDDEN.test(topic.replaceAll('\n', ''));

/** The reason a name/topic pair is invalid, or undefined. */
export function roomMetaProblem(meta: {
  name: unknown;
  topic: unknown;
}): 'bad-name' | 'bad-topic' | undefined {
  const { name, topic } = meta;
  if (typeof name !== 'string' || NAME_FORBIDDEN.test(name)) return 'bad-name';
  const n = codePointLength(name);
  if (n < 1 || n > ROOM_NAME_MAX_CODE_POINTS || name.trim() !== name) return 'bad-name';
  if (typeof topic !== 'string' || TOPIC_FORBIDDEN(topic)) return 'bad-topic';
  if (codePointLength(topic) > ROOM_TOPIC_MAX_CODE_POINTS) return 'bad-topic';
  return undefined;
}

function associatedData(roomId: string, header: Uint8Array): Uint8Array {
  const room = ulidDecode(roomId);
  if (!room) throw new ProtocolArgumentError('room meta: roomId must be a ULID');
  return concatBytes(domain(ROOM_META_DOMAIN), room, header);
}

export function sealRoomMeta(
  input: { roomId: string; epoch: number; meta: RoomMeta; nonce?: Uint8Array },
  roomKey: Uint8Array,
): Uint8Array {
  if (roomMetaProblem(input.meta)) throw new ProtocolArgumentError('room meta: bad name or topic');
  if (!isValidEpoch(input.epoch)) throw new ProtocolArgumentError('room meta: bad epoch');
  if (roomKey.length !== ROOM_KEY_BYTES) throw new ProtocolArgumentError('room meta: 32-byte key');
  const nonce = input.nonce ?? randomBytes(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new ProtocolArgumentError('room meta: 24-byte nonce');
  const header = concatBytes(new Uint8Array([ROOM_META_VERSION]), uint32be(input.epoch));
  const plaintext = utf8Encode(JSON.stringify({ name: input.meta.name, topic: input.meta.topic }));
  const ct = xchacha20poly1305Seal(roomKey, nonce, plaintext, associatedData(input.roomId, header));
  return concatBytes(header, nonce, ct);
}

/** Epoch a stored blob was sealed under (to pick the key), or undefined when malformed. */
export function roomMetaEpoch(blob: Uint8Array): number | undefined {
  if (blob.length < HEADER_BYTES + NONCE_BYTES + TAG_BYTES || blob.length > ROOM_META_MAX_BYTES) {
    return undefined;
  }
  if (blob[0] !== ROOM_META_VERSION) return undefined;
  const epoch = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(1);
  return isValidEpoch(epoch) ? epoch : undefined;
}

/** Throws RoomMetaError only. */
export function openRoomMeta(
  blob: Uint8Array,
  roomId: string,
  roomKeysByEpoch: ReadonlyMap<number, Uint8Array>,
): RoomMeta & { epoch: number } {
  const epoch = roomMetaEpoch(blob);
  if (epoch === undefined || !ulidDecode(roomId))
    throw new RoomMetaError('malformed', 'room meta: malformed');
  const key = roomKeysByEpoch.get(epoch);
  if (!key) throw new RoomMetaError('unknown-epoch', 'room meta: no key for epoch');
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305Open(
      key,
      blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES),
      blob.subarray(HEADER_BYTES + NONCE_BYTES),
      associatedData(roomId, blob.subarray(0, HEADER_BYTES)),
    );
  } catch {
    throw new RoomMetaError('decrypt-failed', 'room meta: does not open');
  }
  const parsed = parseJsonBytes(plaintext);
  if (!parsed.ok) throw new RoomMetaError('bad-json', 'room meta: not UTF-8 JSON');
  const v = parsed.value;
  if (!isPlainObject(v) || !hasExactKeys(v, ['name', 'topic'])) {
    throw new RoomMetaError('bad-shape', 'room meta: needs exactly name and topic');
  }
  const problem = roomMetaProblem({ name: v.name, topic: v.topic });
  if (problem) throw new RoomMetaError(problem, `room meta: ${problem}`);
  return { name: v.name as string, topic: v.topic as string, epoch };
}
