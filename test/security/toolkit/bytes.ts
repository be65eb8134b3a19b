/**
 * Encodings of docs/PROTOCOL.md §1, written out here so the attacker toolkit shares no code with
 * the node it attacks: hex (lowercase), base64 (with padding), base64url (no padding), UTF-8,
 * big-endian integers and RFC 4648 base32 (for decoding nkey seeds).
 */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'hex'));

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
export const fromB64url = (value: string): Uint8Array =>
  new Uint8Array(Buffer.from(value, 'base64url'));

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** An ASCII domain-separation label followed by one 0x00 byte (§1). */
export const label = (name: string): Uint8Array => concat(utf8(name), new Uint8Array([0]));

export function u32(value: number): Uint8Array {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return new Uint8Array(out);
}

export function u64(value: number): Uint8Array {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  return new Uint8Array(out);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as nkeys use it. */
export function fromBase32(value: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const char of value) {
    const digit = BASE32.indexOf(char);
    if (digit === -1) throw new Error(`not base32: ${char}`);
    acc = (acc << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}
