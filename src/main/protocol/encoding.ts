/**
 * Strict text encodings used on the wire (RFC 4648 base64 / base64url / hex, UTF-8, ULID).
 *
 * Every decoder accepts exactly one spelling per byte string (canonical form) and returns
 * `undefined` instead of throwing, so callers turn a bad field into their own typed error.
 * Pure TypeScript: no `Buffer`, no `node:` imports.
 */

const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Crockford base32 alphabet used by ULID (https://github.com/ulid/spec). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function reverseTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const REV_STD = reverseTable(B64_STD);
const REV_URL = reverseTable(B64_URL);
const REV_CROCKFORD = reverseTable(CROCKFORD);

function encodeBase64With(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out +=
      alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

function decodeBase64With(text: string, rev: Int16Array, pad: boolean): Uint8Array | undefined {
  let body = text;
  if (pad) {
    if (text.length % 4 !== 0) return undefined;
    if (text.endsWith('==')) body = text.slice(0, -2);
    else if (text.endsWith('=')) body = text.slice(0, -1);
  }
  const rem = body.length % 4;
  if (rem === 1) return undefined;
  if (pad && rem === 0 && body.length !== text.length) return undefined;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? rev[c]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // RFC 4648 §3.5: the unused low bits of the last symbol must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** RFC 4648 §4 base64 with `=` padding. */
export function base64Encode(bytes: Uint8Array): string {
  return encodeBase64With(bytes, B64_STD, true);
}
export function base64Decode(text: string): Uint8Array | undefined {
  return decodeBase64With(text, REV_STD, true);
}
/** RFC 4648 §5 base64url without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  return encodeBase64With(bytes, B64_URL, false);
}
export function base64urlDecode(text: string): Uint8Array | undefined {
  return decodeBase64With(text, REV_URL, false);
}

/** Lowercase hex (RFC 4648 §8, lowercase alphabet). */
export function hexEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}
/** Accepts lowercase hex only. */
export function hexDecode(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}
/** Strict UTF-8 (RFC 3629): invalid sequences give `undefined`, a BOM is kept as U+FEFF. */
export function utf8Decode(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export const ULID_LENGTH = 26;
export const ULID_BYTES = 16;

/** 16 bytes → canonical 26-character uppercase Crockford base32 ULID. */
export function ulidEncode(bytes: Uint8Array): string {
  if (bytes.length !== ULID_BYTES) throw new RangeError('ulidEncode: expected 16 bytes');
  // 128 bits as 26 symbols of 5 bits: two leading zero bits pad the first symbol.
  let out = '';
  let acc = 0;
  let bits = 2;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >> bits) & 31]!;
    }
  }
  return out;
}

/** Canonical ULID text → 16 bytes; lowercase, I/L/O/U and overflow (first char > '7') rejected. */
export function ulidDecode(text: string): Uint8Array | undefined {
  if (text.length !== ULID_LENGTH) return undefined;
  const out = new Uint8Array(ULID_BYTES);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < ULID_LENGTH; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? REV_CROCKFORD[c]! : -1;
    if (v < 0) return undefined;
    if (i === 0) {
      if (v > 7) return undefined;
      acc = v;
      bits = 3;
      continue;
    }
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function uint32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** uint64 big-endian of a non-negative safe integer. */
export function uint64be(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/** ASCII domain-separation prefix: `label || 0x00`. */
export function domain(label: string): Uint8Array {
  return concatBytes(utf8Encode(label), new Uint8Array([0]));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
