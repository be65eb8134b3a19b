/**
 * Binary message frame, wire v1 (docs/PROTOCOL.md §5). All integers big-endian.
 *
 *   off      len  field
 *   0        1    version            0x01
 *   1        1    type               0x01 message | 0x02 edit | 0x03 redact
 *   2        16   room id            ULID bytes
 *   18       4    epoch              uint32, ≥ 1
 *   22       32   sender             endpoint id bytes
 *   54       16   message id         ULID bytes
 *   70       8    timestamp          uint64 unix milliseconds, < 2^48
 *   78       24   nonce              XChaCha20-Poly1305 nonce
 *   102      4    ciphertext length  uint32, 16 ≤ n ≤ FRAME_MAX_CIPHERTEXT
 *   106      n    ciphertext         XChaCha20-Poly1305 output (ciphertext || 16-byte tag)
 *   106+n    1    signature length   0 (unsigned, always dropped) or 64
 *   107+n    s    signature          Ed25519 (RFC 8032)
 *
 * `decodeFrame` is strict (exact lengths, no trailing bytes) and throws only FrameDecodeError.
 */
import { concatBytes, uint32be, uint64be, ulidDecode, ulidEncode } from './encoding.js';
import { FrameDecodeError, ProtocolArgumentError, type FrameDecodeErrorCode } from './errors.js';
import { ENDPOINT_ID_BYTES, ULID_MAX_TIME, endpointIdFromBytes, endpointIdToBytes } from './ids.js';

export const FRAME_VERSION = 1;
export const FRAME_NONCE_BYTES = 24;
export const FRAME_SIGNATURE_BYTES = 64;
export const FRAME_TAG_BYTES = 16;
/** Offset of the ciphertext length field: everything before it is the fixed header. */
export const FRAME_HEADER_BYTES = 102;
/** Bytes the AD binds (version … timestamp). */
export const FRAME_AD_HEADER_BYTES = 78;
/** A whole frame fits NATS's default max_payload (1 MiB). */
export const FRAME_MAX_BYTES = 1024 * 1024;
export const FRAME_OVERHEAD_BYTES = FRAME_HEADER_BYTES + 4 + 1 + FRAME_SIGNATURE_BYTES;
export const FRAME_MAX_CIPHERTEXT = FRAME_MAX_BYTES - FRAME_OVERHEAD_BYTES;
export const FRAME_MAX_PLAINTEXT = FRAME_MAX_CIPHERTEXT - FRAME_TAG_BYTES;
export const EPOCH_MAX = 0xffffffff;

export const FRAME_TYPES = { message: 1, edit: 2, redact: 3 } as const;
export type FrameType = keyof typeof FRAME_TYPES;
const TYPE_BY_CODE: ReadonlyMap<number, FrameType> = new Map(
  Object.entries(FRAME_TYPES).map(([name, code]) => [code, name as FrameType]),
);

/** A decoded frame. Text ids are canonical; byte fields are copies. */
export interface Frame {
  readonly version: 1;
  readonly type: FrameType;
  readonly roomId: string;
  readonly epoch: number;
  readonly sender: string;
  readonly messageId: string;
  readonly timestamp: number;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** null when the frame carries no signature (such a frame is always dropped). */
  readonly signature: Uint8Array | null;
}

export type FrameHeader = Omit<Frame, 'ciphertext' | 'signature' | 'version'>;

export function isValidEpoch(epoch: unknown): epoch is number {
  return typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 1 && epoch <= EPOCH_MAX;
}

/** The 102 fixed header bytes (version … nonce). Throws ProtocolArgumentError on bad fields. */
export function encodeFrameHeader(h: FrameHeader): Uint8Array {
  const room = ulidDecode(h.roomId);
  const msg = ulidDecode(h.messageId);
  const sender = endpointIdToBytes(h.sender);
  if (!room) throw new ProtocolArgumentError('frame: roomId must be a canonical ULID');
  if (!msg) throw new ProtocolArgumentError('frame: messageId must be a canonical ULID');
  if (!sender) throw new ProtocolArgumentError('frame: sender must be an endpoint id');
  if (!isValidEpoch(h.epoch)) throw new ProtocolArgumentError('frame: epoch must be 1..2^32-1');
  if (!Number.isSafeInteger(h.timestamp) || h.timestamp < 0 || h.timestamp > ULID_MAX_TIME) {
    throw new ProtocolArgumentError('frame: timestamp must be unix ms below 2^48');
  }
  if (h.nonce.length !== FRAME_NONCE_BYTES) throw new ProtocolArgumentError('frame: 24-byte nonce');
  const type = FRAME_TYPES[h.type];
  if (type === undefined) throw new ProtocolArgumentError('frame: unknown type');
  const out = concatBytes(
    new Uint8Array([FRAME_VERSION, type]),
    room,
    uint32be(h.epoch),
    sender,
    msg,
    uint64be(h.timestamp),
    h.nonce,
  );
  return out;
}

/** Everything the signature covers after its domain prefix: header || len || ciphertext. */
export function encodeFrameUnsigned(h: FrameHeader, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length < FRAME_TAG_BYTES || ciphertext.length > FRAME_MAX_CIPHERTEXT) {
    throw new ProtocolArgumentError('frame: ciphertext length out of range');
  }
  return concatBytes(encodeFrameHeader(h), uint32be(ciphertext.length), ciphertext);
}

/** Full wire bytes. `signature` null encodes an unsigned frame (for tests and attack probes). */
export function encodeFrame(frame: Omit<Frame, 'version'>): Uint8Array {
  const sig = frame.signature;
  if (sig !== null && sig.length !== FRAME_SIGNATURE_BYTES) {
    throw new ProtocolArgumentError('frame: signature must be 64 bytes or null');
  }
  const unsigned = encodeFrameUnsigned(frame, frame.ciphertext);
  return concatBytes(unsigned, new Uint8Array([sig ? sig.length : 0]), sig ?? new Uint8Array(0));
}

/** A plain Uint8Array copy, even when `bytes` is a Node Buffer (whose `slice` is a view). */
function copy(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

function fail(code: FrameDecodeErrorCode, message: string): never {
  throw new FrameDecodeError(code, `decodeFrame: ${message}`);
}

/** Strict decode. Throws FrameDecodeError and nothing else. */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array)) fail('too-short', 'not a byte array');
  if (bytes.length > FRAME_MAX_BYTES) fail('too-long', 'frame larger than 1 MiB');
  if (bytes.length < FRAME_HEADER_BYTES + 4 + FRAME_TAG_BYTES + 1) fail('too-short', 'truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== FRAME_VERSION) fail('bad-version', 'unsupported version');
  const type = TYPE_BY_CODE.get(bytes[1]!);
  if (!type) fail('bad-type', 'unknown frame type');
  const epoch = view.getUint32(18);
  if (epoch === 0) fail('bad-epoch', 'epoch 0');
  const tsHigh = view.getUint16(70);
  if (tsHigh !== 0) fail('bad-timestamp', 'timestamp beyond 2^48');
  const timestamp = view.getUint16(72) * 2 ** 32 + view.getUint32(74);
  const ctLength = view.getUint32(FRAME_HEADER_BYTES);
  if (ctLength < FRAME_TAG_BYTES || ctLength > FRAME_MAX_CIPHERTEXT) {
    fail('bad-length', 'ciphertext length out of range');
  }
  const ctStart = FRAME_HEADER_BYTES + 4;
  const sigLenAt = ctStart + ctLength;
  if (sigLenAt >= bytes.length) fail('too-short', 'truncated ciphertext');
  const sigLength = bytes[sigLenAt]!;
  if (sigLength !== 0 && sigLength !== FRAME_SIGNATURE_BYTES) {
    fail('bad-signature-length', 'signature length must be 0 or 64');
  }
  const end = sigLenAt + 1 + sigLength;
  if (end > bytes.length) fail('too-short', 'truncated signature');
  if (end < bytes.length) fail('trailing-bytes', 'bytes after the signature');
  return {
    version: FRAME_VERSION,
    type,
    roomId: ulidEncode(copy(bytes, 2, 18)),
    epoch,
    sender: endpointIdFromBytes(copy(bytes, 22, 22 + ENDPOINT_ID_BYTES)),
    messageId: ulidEncode(copy(bytes, 54, 70)),
    timestamp,
    nonce: copy(bytes, 78, 78 + FRAME_NONCE_BYTES),
    ciphertext: copy(bytes, ctStart, sigLenAt),
    signature: sigLength === 0 ? null : copy(bytes, sigLenAt + 1, end),
  };
}
