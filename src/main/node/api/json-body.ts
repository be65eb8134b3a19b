/**
 * Strict JSON request bodies: an object with exactly the expected keys (optional ones may be
 * absent), no key repeated anywhere in it (issue 12: `{"role":"member","role":"admin"}` was read
 * as admin) and no leading byte order mark. Anything else is a 400 with a message naming what is
 * wrong, never a crash.
 */
import { parseStrictJson } from '../../protocol';
import { HttpError } from '../control-plane/http-error';

export function parseJsonObject(
  body: Uint8Array,
  required: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF in the text, so it is refused rather than dropped.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok && parsed.reason === 'bom') {
    throw new HttpError(400, 'body must not start with a byte order mark');
  }
  if (!parsed.ok && parsed.reason === 'duplicate-key') {
    throw new HttpError(400, `duplicate key in JSON: ${printable(parsed.key)}`);
  }
  if (!parsed.ok) throw new HttpError(400, 'body must be JSON');
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  const allowed = new Set([...required, ...optional]);
  for (const key of Object.keys(record)) {
    if (!allowed.has(key)) throw new HttpError(400, `unexpected field: ${key.slice(0, 40)}`);
  }
  for (const key of required) {
    if (!(key in record)) throw new HttpError(400, `missing field: ${key}`);
  }
  return record;
}

/** A key as it may appear in an error message: its first 40 characters, odd ones as `?`. */
function printable(key: string): string {
  return key.slice(0, 40).replace(/[^A-Za-z0-9_.-]/g, '?');
}

export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new HttpError(400, `${field} must be an integer from ${min} to ${max}`);
  }
  return value as number;
}
