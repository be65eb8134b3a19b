/**
 * Frame encryption and signing (docs/PROTOCOL.md §5.2–§5.4).
 *
 * - AEAD: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 over RFC 8439) under the room key of the
 *   frame's epoch, 24-byte random nonce, AD = "unibus:v1:frame-ad" || 0x00 || header[0..78)
 *   (version, type, room id, epoch, sender, message id, timestamp).
 * - Signature: Ed25519 (RFC 8032) by the sender over
 *   "unibus:v1:frame" || 0x00 || header[0..102) || uint32(n) || ciphertext.
 */
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  endpointId,
  randomBytes,
  xchacha20poly1305Open,
  xchacha20poly1305Seal,
} from '../crypto/index.js';
import { concatBytes, domain } from './encoding.js';
import { FrameDecodeError, ProtocolArgumentError } from './errors.js';
import {
  FRAME_AD_HEADER_BYTES,
  FRAME_MAX_PLAINTEXT,
  FRAME_NONCE_BYTES,
  decodeFrame,
  encodeFrame,
  encodeFrameHeader,
  encodeFrameUnsigned,
  type Frame,
  type FrameHeader,
  type FrameType,
} from './frame.js';
import { newUlid } from './ids.js';

export const FRAME_AD_DOMAIN = 'unibus:v1:frame-ad';
export const FRAME_SIGNATURE_DOMAIN = 'unibus:v1:frame';
export const ROOM_KEY_BYTES = 32;

/** The AEAD associated data for a frame header. */
export function frameAssociatedData(h: FrameHeader): Uint8Array {
  return concatBytes(
    domain(FRAME_AD_DOMAIN),
    encodeFrameHeader(h).subarray(0, FRAME_AD_HEADER_BYTES),
  );
}

/** The exact bytes the sender signs. */
export function frameSigningBytes(h: FrameHeader, ciphertext: Uint8Array): Uint8Array {
  return concatBytes(domain(FRAME_SIGNATURE_DOMAIN), encodeFrameUnsigned(h, ciphertext));
}

export interface SealFrameInput {
  type: FrameType;
  roomId: string;
  epoch: number;
  plaintext: Uint8Array;
  /** Default: a fresh ULID for `timestamp`. */
  messageId?: string;
  /** Unix milliseconds; default `Date.now()`. */
  timestamp?: number;
  /** 24 bytes; default fresh random. Fix only in tests and vectors. */
  nonce?: Uint8Array;
}

/** Encrypts, signs and encodes a frame. The sender is derived from `senderSignSeed`. */
export function sealFrame(
  input: SealFrameInput,
  roomKey: Uint8Array,
  senderSignSeed: Uint8Array,
): Uint8Array {
  if (roomKey.length !== ROOM_KEY_BYTES)
    throw new ProtocolArgumentError('sealFrame: 32-byte room key');
  if (input.plaintext.length > FRAME_MAX_PLAINTEXT) {
    throw new ProtocolArgumentError('sealFrame: plaintext too large for one frame');
  }
  const timestamp = input.timestamp ?? Date.now();
  const header: FrameHeader = {
    type: input.type,
    roomId: input.roomId,
    epoch: input.epoch,
    sender: endpointId(ed25519PublicKey(senderSignSeed)),
    messageId: input.messageId ?? newUlid(timestamp),
    timestamp,
    nonce: input.nonce ?? randomBytes(FRAME_NONCE_BYTES),
  };
  const ciphertext = xchacha20poly1305Seal(
    roomKey,
    header.nonce,
    input.plaintext,
    frameAssociatedData(header),
  );
  const signature = ed25519Sign(senderSignSeed, frameSigningBytes(header, ciphertext));
  return encodeFrame({ ...header, ciphertext, signature });
}

export type FrameDropReason =
  | 'malformed'
  | 'wrong-room'
  | 'unsigned'
  | 'unknown-sender'
  | 'sender-mismatch'
  | 'bad-signature'
  | 'unknown-epoch'
  | 'decrypt-failed';

export type OpenedFrame =
  | { readonly ok: true; readonly frame: Frame; readonly plaintext: Uint8Array }
  | { readonly ok: false; readonly reason: FrameDropReason; readonly frame?: Frame };

export interface OpenFrameOptions {
  expectedRoomId: string;
  /** Room keys this peer holds, by epoch. */
  roomKeysByEpoch: ReadonlyMap<number, Uint8Array> | Readonly<Record<number, Uint8Array>>;
  /** The sender's Ed25519 public key, or a lookup by endpoint id (undefined = not a member). */
  senderSignPublic: Uint8Array | ((sender: string) => Uint8Array | undefined);
}

function keyFor(keys: OpenFrameOptions['roomKeysByEpoch'], epoch: number): Uint8Array | undefined {
  if (keys instanceof Map) return keys.get(epoch);
  const record = keys as Readonly<Record<number, Uint8Array>>;
  return Object.hasOwn(record, epoch) ? record[epoch] : undefined;
}

/**
 * The checks a node can make without room keys (it stores only frames that pass, §12.3): the
 * frame is signed, `signPublic` is the sender's key, and the signature verifies. Returns the
 * drop reason, or null.
 */
export function checkFrameSignature(
  frame: Frame,
  signPublic: Uint8Array,
): 'unsigned' | 'sender-mismatch' | 'bad-signature' | 'malformed' | null {
  if (frame.signature === null) return 'unsigned';
  if (signPublic.length !== 32 || endpointId(signPublic) !== frame.sender) return 'sender-mismatch';
  let signingBytes: Uint8Array;
  try {
    signingBytes = frameSigningBytes(frame, frame.ciphertext);
  } catch {
    return 'malformed';
  }
  return ed25519Verify(signPublic, signingBytes, frame.signature) ? null : 'bad-signature';
}

/**
 * Checks, in order: decodes, room, signature present, sender key, signature, epoch key, AEAD.
 * Never throws for attacker-controlled input; returns a drop reason instead.
 */
export function openFrame(input: Uint8Array | Frame, options: OpenFrameOptions): OpenedFrame {
  let frame: Frame;
  if (input instanceof Uint8Array) {
    try {
      frame = decodeFrame(input);
    } catch (error) {
      if (error instanceof FrameDecodeError) return { ok: false, reason: 'malformed' };
      throw error;
    }
  } else {
    frame = input;
  }
  if (frame.roomId !== options.expectedRoomId) return { ok: false, reason: 'wrong-room', frame };
  if (frame.signature === null) return { ok: false, reason: 'unsigned', frame };
  const lookup = options.senderSignPublic;
  const signPublic = typeof lookup === 'function' ? lookup(frame.sender) : lookup;
  if (!signPublic) return { ok: false, reason: 'unknown-sender', frame };
  if (signPublic.length !== 32 || endpointId(signPublic) !== frame.sender) {
    return { ok: false, reason: 'sender-mismatch', frame };
  }
  let signingBytes: Uint8Array;
  try {
    signingBytes = frameSigningBytes(frame, frame.ciphertext);
  } catch {
    return { ok: false, reason: 'malformed', frame };
  }
  if (!ed25519Verify(signPublic, signingBytes, frame.signature)) {
    return { ok: false, reason: 'bad-signature', frame };
  }
  const key = keyFor(options.roomKeysByEpoch, frame.epoch);
  if (!key || key.length !== ROOM_KEY_BYTES) return { ok: false, reason: 'unknown-epoch', frame };
  try {
    const plaintext = xchacha20poly1305Open(
      key,
      frame.nonce,
      frame.ciphertext,
      frameAssociatedData(frame),
    );
    return { ok: true, frame, plaintext };
  } catch {
    return { ok: false, reason: 'decrypt-failed', frame };
  }
}
