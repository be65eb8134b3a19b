/**
 * Identity card: the shareable, secret-free JSON a user pastes or shows as a QR code.
 *
 *   {"v":1,"id":"<endpoint id>","handle":"<handle>","sign_pub":"<b64url>","kex_pub":"<b64url>"}
 *
 * `sign_pub` is the Ed25519 public key (RFC 8032), `kex_pub` the X25519 public key (RFC 7748),
 * both RFC 4648 §5 base64url without padding (43 characters). `id` must equal
 * `endpointId(sign_pub)`. See docs/PROTOCOL.md §2.
 */
import { endpointId } from '../crypto/index.js';
import { base64urlDecode, base64urlEncode, utf8Decode } from './encoding.js';
import { IdentityCardError, ProtocolArgumentError } from './errors.js';
import { hasExactKeys, isPlainObject, parseStrictJson } from './json.js';

export const IDENTITY_CARD_VERSION = 1;
export const IDENTITY_CARD_MAX_BYTES = 1024;
export const HANDLE_MAX_CODE_POINTS = 32;
export const HANDLE_MAX_BYTES = 128;

export interface IdentityCard {
  readonly v: 1;
  readonly id: string;
  readonly handle: string;
  readonly signPublic: Uint8Array;
  readonly kexPublic: Uint8Array;
}

const CARD_KEYS = ['v', 'id', 'handle', 'sign_pub', 'kex_pub'] as const;
// Letters, combining marks and decimal digits of any script, plus `_`, `.`, `-`; the first
// code point is a letter or digit. No spaces, controls, format characters (bidi overrides).
const HANDLE_PATTERN = /^[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd}_.-]*$/u;

/**
 * Handle rules: already NFC (Unicode UAX #15), 1–32 code points, ≤ 128 UTF-8 bytes, characters
 * from HANDLE_PATTERN. Returns the reason it fails, or undefined when valid.
 */
export function handleProblem(handle: unknown): string | undefined {
  if (typeof handle !== 'string') return 'handle must be a string';
  if (handle.normalize('NFC') !== handle) return 'handle must be NFC-normalized';
  const codePoints = [...handle].length;
  if (codePoints < 1 || codePoints > HANDLE_MAX_CODE_POINTS)
    return 'handle must be 1-32 characters';
  if (new TextEncoder().encode(handle).length > HANDLE_MAX_BYTES) return 'handle too long';
  if (!HANDLE_PATTERN.test(handle)) return 'handle has characters outside letters, digits, _ . -';
  return undefined;
}

export function isValidHandle(handle: unknown): handle is string {
  return handleProblem(handle) === undefined;
}

function decodeKey(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || value.length !== 43) return undefined;
  const bytes = base64urlDecode(value);
  return bytes?.length === 32 ? bytes : undefined;
}

/** Canonical JSON text of a card (fixed key order, no whitespace). */
export function encodeIdentityCard(input: {
  handle: string;
  signPublic: Uint8Array;
  kexPublic: Uint8Array;
}): string {
  const problem = handleProblem(input.handle);
  if (problem) throw new ProtocolArgumentError(`encodeIdentityCard: ${problem}`);
  if (input.signPublic.length !== 32 || input.kexPublic.length !== 32) {
    throw new ProtocolArgumentError('encodeIdentityCard: keys must be 32 bytes');
  }
  return JSON.stringify({
    v: IDENTITY_CARD_VERSION,
    id: endpointId(input.signPublic),
    handle: input.handle,
    sign_pub: base64urlEncode(input.signPublic),
    kex_pub: base64urlEncode(input.kexPublic),
  });
}

/** Strict parse of card JSON (string or UTF-8 bytes). Throws IdentityCardError only. */
export function parseIdentityCard(input: string | Uint8Array): IdentityCard {
  const text = typeof input === 'string' ? input : utf8Decode(input);
  if (text === undefined) throw new IdentityCardError('bad-json', 'identity card is not UTF-8');
  if (new TextEncoder().encode(text).length > IDENTITY_CARD_MAX_BYTES) {
    throw new IdentityCardError('too-long', 'identity card longer than 1024 bytes');
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok && parsed.reason === 'duplicate-key') {
    throw new IdentityCardError('bad-json', 'identity card repeats a key');
  }
  if (!parsed.ok) throw new IdentityCardError('bad-json', 'identity card is not JSON');
  const value = parsed.value;
  if (!isPlainObject(value) || !hasExactKeys(value, CARD_KEYS)) {
    throw new IdentityCardError(
      'bad-shape',
      'identity card must have exactly v, id, handle, sign_pub, kex_pub',
    );
  }
  if (value.v !== IDENTITY_CARD_VERSION) {
    throw new IdentityCardError('bad-version', 'unsupported identity card version');
  }
  const problem = handleProblem(value.handle);
  if (problem) throw new IdentityCardError('bad-handle', problem);
  const signPublic = decodeKey(value.sign_pub);
  const kexPublic = decodeKey(value.kex_pub);
  if (!signPublic || !kexPublic) {
    throw new IdentityCardError('bad-key', 'sign_pub and kex_pub must be 32 bytes, base64url');
  }
  if (typeof value.id !== 'string' || value.id !== endpointId(signPublic)) {
    throw new IdentityCardError('id-mismatch', 'id does not match sign_pub');
  }
  return { v: 1, id: value.id, handle: value.handle as string, signPublic, kexPublic };
}
