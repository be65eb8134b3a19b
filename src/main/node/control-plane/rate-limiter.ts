/**
 * Per-source token bucket, checked before authentication or any body read (seed finding H1).
 *
 * The map of buckets is bounded: when it is full, buckets that have refilled completely carry
 * no information and are dropped first; if none has, the request is refused rather than letting
 * an attacker with many source addresses grow memory without limit.
 */
export interface RateLimiterOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket capacity: how many requests may arrive at once. */
  readonly burst: number;
  /** Most sources tracked at once. */
  readonly maxSources: number;
  /** Clock in milliseconds; injectable for tests. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    if (options.ratePerSecond <= 0 || options.burst < 1 || options.maxSources < 1) {
      throw new RangeError('RateLimiter: rate, burst and maxSources must be positive');
    }
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `source`; false means the caller answers 429. */
  tryTake(source: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(source);
    if (bucket === undefined) {
      if (this.buckets.size >= this.options.maxSources && !this.evictFullBuckets(now)) {
        return false;
      }
      bucket = { tokens: this.options.burst, updatedAt: now };
      this.buckets.set(source, bucket);
    } else {
      this.refill(bucket, now);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get trackedSources(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(
      this.options.burst,
      bucket.tokens + elapsedSeconds * this.options.ratePerSecond,
    );
    bucket.updatedAt = now;
  }

  private evictFullBuckets(now: number): boolean {
    for (const [source, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.options.burst) this.buckets.delete(source);
    }
    return this.buckets.size < this.options.maxSources;
  }
}
