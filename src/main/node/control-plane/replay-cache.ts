/**
 * Replay cache for signed control-plane requests.
 *
 * Keyed by (public key, nonce) so nonces of different identities never collide (threat X-04b),
 * through a digest of the pair (`entryId`): the journal on disk then says nothing about who made
 * requests (the at-rest test finds no signing key in the data dir).
 * A nonce is kept for as long as its request could be accepted again: from arrival until the
 * later of arrival + TTL and the end of its timestamp's window. The node accepts a timestamp
 * `ts` (unix seconds) while ⌊now / 1000⌋ − ts ≤ skew, i.e. until (ts + skew + 1) × 1000 ms, so a
 * request dated 30 s ahead stays acceptable for up to 61 s after it arrives (issue 12, attack 1:
 * a constant 60 s TTL forgot it 0.15 s too early).
 *
 * Entries sit in one bucket per whole second of expiry, so pruning costs O(expired) plus one look
 * at each of the ~62 live buckets. When full it **rejects** new requests instead of evicting live
 * entries, which would make captured requests replayable again (threat X-04a). Only requests that
 * carry a valid signature of a registered, active identity reach it (seed H7, issue 12 Build 5).
 */
import { sha256 } from '../../crypto';
import { REQUEST_CLOCK_SKEW_SECONDS, hexEncode } from '../../protocol';

export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

export interface ReplayCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Accepted clock skew of a request's timestamp; default the protocol's 30 s. */
  readonly skewSeconds?: number;
  readonly now?: () => number;
}

export class ReplayCache {
  /** key → expiry (ms, rounded up to a whole second). */
  private readonly expiries = new Map<string, number>();
  /** expiry second → keys expiring then. */
  private readonly buckets = new Map<number, string[]>();
  private readonly now: () => number;
  private readonly skewSeconds: number;

  constructor(private readonly options: ReplayCacheOptions) {
    if (options.ttlMs <= 0 || options.maxEntries < 1) {
      throw new RangeError('ReplayCache: ttlMs and maxEntries must be positive');
    }
    this.now = options.now ?? Date.now;
    this.skewSeconds = options.skewSeconds ?? REQUEST_CLOCK_SKEW_SECONDS;
  }

  /** When a nonce of a request dated `tsSeconds` that arrives now may be forgotten (ms). */
  expiryFor(tsSeconds: number): number {
    const windowEnd = (tsSeconds + this.skewSeconds + 1) * 1000;
    return Math.max(this.now() + this.options.ttlMs, windowEnd);
  }

  remember(publicKeyHex: string, nonce: string, tsSeconds: number): ReplayVerdict {
    const now = this.now();
    this.pruneExpired(now);
    const key = ReplayCache.entryId(publicKeyHex, nonce);
    if (this.expiries.has(key)) return 'replayed';
    if (this.expiries.size >= this.options.maxEntries) return 'full';
    this.insert(key, this.expiryFor(tsSeconds));
    return 'fresh';
  }

  /**
   * Puts back an entry remembered before a restart (the journal's load). Live entries are kept
   * even beyond `maxEntries`: forgetting one would make its request replayable.
   */
  restore(entryId: string, expiresAt: number): void {
    if (expiresAt <= this.now()) return;
    if (!this.expiries.has(entryId)) this.insert(entryId, expiresAt);
  }

  /** Lowercase hex SHA-256 of key ‖ 0x00 ‖ nonce (a NUL never occurs in hex or base64). */
  static entryId(publicKeyHex: string, nonce: string): string {
    return hexEncode(sha256(new TextEncoder().encode(`${publicKeyHex}\u0000${nonce}`)));
  }

  get size(): number {
    return this.expiries.size;
  }

  private insert(key: string, expiresAt: number): void {
    const second = Math.ceil(expiresAt / 1000);
    this.expiries.set(key, second * 1000);
    const bucket = this.buckets.get(second);
    if (bucket === undefined) this.buckets.set(second, [key]);
    else bucket.push(key);
  }

  private pruneExpired(now: number): void {
    for (const [second, keys] of this.buckets) {
      if (second * 1000 > now) continue;
      for (const key of keys) this.expiries.delete(key);
      this.buckets.delete(second);
    }
  }
}
