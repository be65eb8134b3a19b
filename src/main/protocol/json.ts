/** Small helpers for strict JSON shape checks. */
import { utf8Decode } from './encoding.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True when `obj` has exactly the `required` keys plus any subset of `optional`. */
export function hasExactKeys(
  obj: Record<string, unknown>,
  required: readonly string[],
  optional: readonly string[] = [],
): boolean {
  const keys = Object.keys(obj);
  for (const k of required) if (!Object.hasOwn(obj, k)) return false;
  for (const k of keys) if (!required.includes(k) && !optional.includes(k)) return false;
  return true;
}

/**
 * Parses UTF-8 JSON bytes strictly: invalid UTF-8, a leading byte order mark (RFC 8259 §8.1:
 * not part of JSON text), invalid JSON and an object that repeats a key (RFC 8259 §4 leaves
 * the meaning open; `JSON.parse` keeps the last one) are all refused.
 */
export function parseJsonBytes(
  bytes: Uint8Array,
): { ok: true; value: unknown } | { ok: false; reason: 'bad-utf8' | 'bad-json' } {
  const text = utf8Decode(bytes);
  if (text === undefined) return { ok: false, reason: 'bad-utf8' };
  const parsed = parseStrictJson(text);
  return parsed.ok ? parsed : { ok: false, reason: 'bad-json' };
}

export type StrictJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'bom' | 'bad-json' }
  | { ok: false; reason: 'duplicate-key'; key: string };

/** `JSON.parse`, refusing a leading U+FEFF and any object with two equal keys (after unescaping). */
export function parseStrictJson(text: string): StrictJsonResult {
  if (text.charCodeAt(0) === 0xfeff) return { ok: false, reason: 'bom' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'bad-json' };
  }
  const key = findDuplicateKey(text);
  return key === undefined ? { ok: true, value } : { ok: false, reason: 'duplicate-key', key };
}

/**
 * The first key that occurs twice in one object of `text`, which must be valid JSON. Keys are
 * compared after unescaping, so `"role"` and `"r\u006fle"` are the same key. One linear pass.
 */
export function findDuplicateKey(text: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectingKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      expectingKey = true;
    } else if (c === 0x5b /* [ */) {
      open.push(null);
      expectingKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectingKey = false;
    } else if (c === 0x2c /* , */) {
      expectingKey = open[open.length - 1] instanceof Set;
    }
  }
  return undefined;
}

export function isSafeNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Count of Unicode code points. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
