/**
 * Strict JSON request bodies: an object with exactly the expected keys (optional ones may be
 * absent). Anything else is a 400 with a message naming what is wrong, never a crash.
 */
import { HttpError } from '../control-plane/http-error';

export function parseJsonObject(
  body: Uint8Array,
  required: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
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

export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new HttpError(400, `${field} must be an integer from ${min} to ${max}`);
  }
  return value as number;
}
