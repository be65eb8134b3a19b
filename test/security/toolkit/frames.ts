/**
 * T8: message frames of docs/PROTOCOL.md §5, encoded here from the spec so an attacker can
 * forge, strip or re-sign them and publish the bytes raw on NATS.
 */
import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concat, fromB64url, label, u32, u64, utf8 } from './bytes';
import { ed25519Sign } from './identity';
import { newUlid, ulidBytes } from './rooms';

export const FRAME_TYPES = { message: 1, edit: 2, redact: 3 } as const;

export interface FrameInput {
  readonly type?: keyof typeof FRAME_TYPES;
  readonly roomId: string;
  readonly epoch: number;
  /** Endpoint id written into the sender field (an attacker may claim anyone). */
  readonly sender: string;
  readonly roomKey: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly messageId?: string;
  readonly timestamp?: number;
  readonly nonce?: Uint8Array;
}

export interface FrameParts {
  /** frame[0..106+n): everything the signature covers. */
  readonly unsigned: Uint8Array;
  readonly messageId: string;
}

/** Header, nonce, length and ciphertext (§5.1–§5.3), without the signature trailer. */
export function frameBody(input: FrameInput): FrameParts {
  const timestamp = input.timestamp ?? Date.now();
  const messageId = input.messageId ?? newUlid(timestamp);
  const nonce = input.nonce ?? new Uint8Array(randomBytes(24));
  const header = concat(
    new Uint8Array([1, FRAME_TYPES[input.type ?? 'message']]),
    ulidBytes(input.roomId),
    u32(input.epoch),
    fromB64url(input.sender),
    ulidBytes(messageId),
    u64(timestamp),
  );
  const ad = concat(label('unibus:v1:frame-ad'), header);
  const ciphertext = xchacha20poly1305(input.roomKey, nonce, ad).encrypt(input.plaintext);
  return { unsigned: concat(header, nonce, u32(ciphertext.length), ciphertext), messageId };
}

/** Appends the signature trailer: length 64 + Ed25519 over label || frame[0..106+n). */
export function signFrame(parts: FrameParts, signSeed: Uint8Array): Uint8Array {
  const signature = ed25519Sign(signSeed, concat(label('unibus:v1:frame'), parts.unsigned));
  return concat(parts.unsigned, new Uint8Array([64]), signature);
}

/** An unsigned frame: signature length 0. */
export const unsignedFrame = (parts: FrameParts): Uint8Array =>
  concat(parts.unsigned, new Uint8Array([0]));

/** A frame whose 64-byte signature field holds arbitrary bytes. */
export const frameWithSignature = (parts: FrameParts, signature: Uint8Array): Uint8Array =>
  concat(parts.unsigned, new Uint8Array([64]), signature);

export const textBody = (text: string): Uint8Array => utf8(JSON.stringify({ text }));
