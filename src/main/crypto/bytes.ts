/**
 * Small byte helpers shared by the crypto module: argument checks with precise messages,
 * constant-time comparison, concatenation, big-endian counters, zeroization.
 */

/**
 * Throws `TypeError` unless `value` is a Uint8Array, and `RangeError` unless it has exactly
 * `length` bytes (when given). Messages name the function and argument, never the bytes.
 */
export function assertBytes(
  functionName: string,
  argumentName: string,
  value: unknown,
  length?: number,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${functionName}: ${argumentName} must be a Uint8Array`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(
      `${functionName}: ${argumentName} must be ${length} bytes, got ${value.length}`,
    );
  }
}

/**
 * Compares two byte arrays without an early exit, so the time taken does not reveal where
 * they first differ (tags, passphrase verifiers). Lengths are treated as public.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes('constantTimeEqual', 'a', a);
  assertBytes('constantTimeEqual', 'b', b);
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** 8-byte big-endian encoding of a non-negative safe integer (chunk counters). */
export function uint64BigEndian(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), false);
  return out;
}

/** ASCII labels used for domain separation; throws on anything outside 0x20..0x7e. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) throw new RangeError('asciiBytes: non-printable-ASCII label');
    out[i] = code;
  }
  return out;
}

/** Overwrites secrets we allocated (subkeys, shared secrets) once they are no longer needed. */
export function wipe(...buffers: Uint8Array[]): void {
  for (const buffer of buffers) buffer.fill(0);
}

export function isAllZero(bytes: Uint8Array): boolean {
  let accumulated = 0;
  for (const byte of bytes) accumulated |= byte;
  return accumulated === 0;
}

/**
 * Copies a Node Buffer (or any view) into a fresh, exactly-sized Uint8Array. Native calls
 * return Buffers that may share Node's 8 KiB pool; copying keeps callers from seeing (or
 * wiping) unrelated pool memory through `.buffer`.
 */
export function ownedCopy(view: Uint8Array): Uint8Array {
  return new Uint8Array(view);
}
