/** Strict base64url codec and small JSON shape checks for identity files. */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Decodes unpadded base64url; throws FormatError on any non-canonical input. */
export function fromBase64Url(text: unknown, field: string, length?: number): Uint8Array {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) {
    throw new FormatError(`${field} is not base64url`);
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  if (toBase64Url(bytes) !== text) throw new FormatError(`${field} is not canonical base64url`);
  if (length !== undefined && bytes.length !== length) {
    throw new FormatError(`${field} must be ${length} bytes`);
  }
  return bytes;
}

/** A file's content does not have the expected shape. Callers wrap it in their typed error. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FormatError('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError('not a JSON object');
  }
  return value as Record<string, unknown>;
}

export function stringField(object: Record<string, unknown>, field: string): string {
  const value = object[field];
  if (typeof value !== 'string') throw new FormatError(`${field} must be a string`);
  return value;
}

export function integerField(object: Record<string, unknown>, field: string): number {
  const value = object[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new FormatError(`${field} must be an integer`);
  }
  return value;
}

export function objectField(
  object: Record<string, unknown>,
  field: string,
): Record<string, unknown> {
  const value = object[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`${field} must be an object`);
  }
  return value as Record<string, unknown>;
}
