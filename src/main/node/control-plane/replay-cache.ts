/**
 * Replay cache for signed control-plane requests.
 *
 * Keyed by (public key, nonce) so nonces of different identities never collide (threat X-04b).
 * Entries live for the nonce TTL; because the TTL is constant, insertion order is expiry order
 * and pruning costs O(expired). When full it **rejects** new requests instead of evicting live
 * entries, which would make captured requests replayable again (threat X-04a). Only requests
 * from registered, active identities reach it (the allowlist is checked first, seed H7).
 */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

export interface ReplayCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

export class ReplayCache {
  private readonly expiries = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ReplayCacheOptions) {
    if (options.ttlMs <= 0 || options.maxEntries < 1) {
      throw new RangeError('ReplayCache: ttlMs and maxEntries must be positive');
    }
    this.now = options.now ?? Date.now;
  }

  remember(publicKeyHex: string, nonce: string): ReplayVerdict {
    const now = this.now();
    this.pruneExpired(now);
    // A NUL cannot occur in hex or base64, so the joined key is unambiguous.
    const key = `${publicKeyHex}\u0000${nonce}`;
    if (this.expiries.has(key)) return 'replayed';
    if (this.expiries.size >= this.options.maxEntries) return 'full';
    this.expiries.set(key, now + this.options.ttlMs);
    return 'fresh';
  }

  get size(): number {
    return this.expiries.size;
  }

  private pruneExpired(now: number): void {
    // Map iteration follows insertion order, which is expiry order.
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt > now) return;
      this.expiries.delete(key);
    }
  }
}
