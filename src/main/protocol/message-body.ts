/**
 * Message body: UTF-8 JSON (RFC 8259) inside the frame's ciphertext (docs/PROTOCOL.md §6).
 *
 *   type message:  {"text": "..."}  or  {"file": <manifest>}
 *   type edit:     {"target": "<message id>", "text": "..."}
 *   type redact:   {"target": "<message id>"}
 *
 * Exactly these keys; anything else is refused. Text is 1 to 65,536 UTF-8 bytes.
 */
import { utf8Encode } from './encoding.js';
import { ManifestError, MessageBodyError, ProtocolArgumentError } from './errors.js';
import type { FrameType } from './frame.js';
import { fileManifestToJson, parseFileManifest, type FileManifest } from './file-manifest.js';
import { isUlid } from './ids.js';
import { hasExactKeys, isPlainObject, parseJsonBytes } from './json.js';

export const MESSAGE_TEXT_MAX_BYTES = 64 * 1024;

export type MessageBody =
  | { readonly type: 'message'; readonly text: string }
  | { readonly type: 'message'; readonly file: FileManifest }
  | { readonly type: 'edit'; readonly target: string; readonly text: string }
  | { readonly type: 'redact'; readonly target: string };

const LONE_SURROGATE = /\p{Cs}/u;

function isValidText(text: unknown): text is string {
  if (typeof text !== 'string' || text.length === 0 || LONE_SURROGATE.test(text)) return false;
  return utf8Encode(text).length <= MESSAGE_TEXT_MAX_BYTES;
}

function toJson(body: MessageBody): Record<string, unknown> {
  if (body.type === 'message') {
    if ('file' in body) return { file: fileManifestToJson(body.file) };
    if (!isValidText(body.text)) throw new ProtocolArgumentError('message body: bad text');
    return { text: body.text };
  }
  if (!isUlid(body.target)) throw new ProtocolArgumentError('message body: bad target');
  if (body.type === 'redact') return { target: body.target };
  if (!isValidText(body.text)) throw new ProtocolArgumentError('message body: bad text');
  return { target: body.target, text: body.text };
}

/** UTF-8 JSON plaintext for `sealFrame`; the frame type is `body.type`. */
export function encodeMessageBody(body: MessageBody): Uint8Array {
  return utf8Encode(JSON.stringify(toJson(body)));
}

function fail(code: ConstructorParameters<typeof MessageBodyError>[0], message: string): never {
  throw new MessageBodyError(code, `message body: ${message}`);
}

/** Strict parse of an opened frame's plaintext. Throws MessageBodyError only. */
export function parseMessageBody(type: FrameType, plaintext: Uint8Array): MessageBody {
  const parsed = parseJsonBytes(plaintext);
  if (!parsed.ok) fail(parsed.reason, 'not UTF-8 JSON');
  const v = parsed.value;
  if (!isPlainObject(v)) fail('bad-shape', 'not an object');
  if (type === 'message') {
    if (hasExactKeys(v, ['text'])) {
      if (typeof v.text === 'string' && utf8Encode(v.text).length > MESSAGE_TEXT_MAX_BYTES) {
        fail('too-long', 'text longer than 64 KiB');
      }
      if (!isValidText(v.text)) fail('bad-shape', 'text');
      return { type, text: v.text };
    }
    if (hasExactKeys(v, ['file'])) {
      try {
        return { type, file: parseFileManifest(v.file) };
      } catch (error) {
        if (error instanceof ManifestError) fail('bad-file', error.message);
        throw error;
      }
    }
    fail('bad-shape', 'message needs exactly one of text or file');
  }
  if (type === 'edit') {
    if (!hasExactKeys(v, ['target', 'text']) || !isUlid(v.target) || !isValidText(v.text)) {
      fail('bad-shape', 'edit needs target and text');
    }
    return { type, target: v.target, text: v.text };
  }
  if (!hasExactKeys(v, ['target']) || !isUlid(v.target)) fail('bad-shape', 'redact needs target');
  return { type, target: v.target };
}
