/**
 * Caches of `node:crypto` KeyObjects. Building a KeyObject dominates native Ed25519/X25519
 * cost (measured on 2 cores: sign 13k/s cached vs 1.3k/s uncached; verify 7k/s vs 2.9k/s).
 *
 * Public keys: a bounded LRU keyed by hex (public data, many senders per room).
 * Private keys: a handful of slots matched with a constant-time compare against a copy of the
 * secret, so no secret is ever turned into a Map key string (strings cannot be wiped).
 */
import type { KeyObject } from 'node:crypto';
import { constantTimeEqual } from './bytes.js';

export class PublicKeyObjectCache {
  private readonly entries = new Map<string, KeyObject>();

  constructor(private readonly capacity: number) {}

  get(rawKey: Uint8Array, create: (rawKey: Uint8Array) => KeyObject): KeyObject {
    const id = Buffer.from(rawKey.buffer, rawKey.byteOffset, rawKey.byteLength).toString('hex');
    const hit = this.entries.get(id);
    if (hit !== undefined) {
      // Re-insert so Map iteration order doubles as recency order.
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const created = create(rawKey);
    this.entries.set(id, created);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return created;
  }
}

export class PrivateKeyObjectCache {
  private slots: { secret: Uint8Array; keyObject: KeyObject }[] = [];

  constructor(private readonly capacity: number) {}

  get(secret: Uint8Array, create: (secret: Uint8Array) => KeyObject): KeyObject {
    for (const slot of this.slots) {
      if (constantTimeEqual(slot.secret, secret)) return slot.keyObject;
    }
    const keyObject = create(secret);
    this.slots.unshift({ secret: new Uint8Array(secret), keyObject });
    for (const evicted of this.slots.splice(this.capacity)) evicted.secret.fill(0);
    return keyObject;
  }
}
