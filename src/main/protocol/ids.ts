/**
 * Identifiers on the wire: endpoint ids, room ids and message ids.
 *
 * - Endpoint id: base64url (no padding) of the 32-byte SHA-256 defined by the crypto module's
 *   `endpointId(signPublic)`; 43 characters. Carried as the 32 raw bytes inside frames.
 * - Room id and message id: ULIDs (https://github.com/ulid/spec): 16 bytes = 48-bit big-endian
 *   unix milliseconds || 80 random bits; text form is the canonical 26-character uppercase
 *   Crockford base32. Carried as the 16 raw bytes inside frames and sealed keys.
 */
import { randomBytes } from '../crypto/index.js';
import { base64urlDecode, base64urlEncode, ulidDecode, ulidEncode } from './encoding.js';

export const ENDPOINT_ID_LENGTH = 43;
export const ENDPOINT_ID_BYTES = 32;
/** ULIDs carry 48 bits of milliseconds. */
export const ULID_MAX_TIME = 2 ** 48 - 1;

export function isEndpointId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length === ENDPOINT_ID_LENGTH &&
    base64urlDecode(value)?.length === ENDPOINT_ID_BYTES
  );
}

export function endpointIdToBytes(id: string): Uint8Array | undefined {
  if (id.length !== ENDPOINT_ID_LENGTH) return undefined;
  const bytes = base64urlDecode(id);
  return bytes?.length === ENDPOINT_ID_BYTES ? bytes : undefined;
}

export function endpointIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== ENDPOINT_ID_BYTES) throw new RangeError('endpointIdFromBytes: 32 bytes');
  return base64urlEncode(bytes);
}

/** A canonical ULID string (room ids and message ids). */
export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ulidDecode(value) !== undefined;
}

/** Room ids are ULIDs; a separate name keeps call sites readable. */
export const isRoomId = isUlid;
export const isMessageId = isUlid;

/** Milliseconds encoded in a ULID's first 6 bytes, or undefined for a non-canonical id. */
export function ulidTime(id: string): number | undefined {
  const bytes = ulidDecode(id);
  if (!bytes) return undefined;
  let t = 0;
  for (let i = 0; i < 6; i++) t = t * 256 + bytes[i]!;
  return t;
}

/** A fresh ULID for `nowMs` (default `Date.now()`) with 80 random bits. */
export function newUlid(nowMs: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs > ULID_MAX_TIME) {
    throw new RangeError('newUlid: time out of range');
  }
  if (random.length !== 10) throw new RangeError('newUlid: 10 random bytes');
  const bytes = new Uint8Array(16);
  let t = nowMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(random, 6);
  return ulidEncode(bytes);
}
