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

/** Parses UTF-8 JSON bytes; undefined for invalid UTF-8 or JSON. */
export function parseJsonBytes(
  bytes: Uint8Array,
): { ok: true; value: unknown } | { ok: false; reason: 'bad-utf8' | 'bad-json' } {
  const text = utf8Decode(bytes);
  if (text === undefined) return { ok: false, reason: 'bad-utf8' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'bad-json' };
  }
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
