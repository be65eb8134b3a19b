import { describe, expect, it } from 'vitest';
import { InflightLimiter } from './inflight-limiter';
import { RateLimiter } from './rate-limiter';
import { ReplayCache } from './replay-cache';

describe('control plane - rate limiter', () => {
  it('allows a burst, refuses the next request, then refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, maxSources: 10, now: () => now });
    expect([1, 2, 3].map(() => limiter.tryTake('10.0.0.1'))).toEqual([true, true, true]);
    expect(limiter.tryTake('10.0.0.1')).toBe(false);
    now += 500; // one token back at 2/s
    expect(limiter.tryTake('10.0.0.1')).toBe(true);
    expect(limiter.tryTake('10.0.0.1')).toBe(false);
  });

  it('keeps sources independent', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, maxSources: 10, now: () => 0 });
    expect(limiter.tryTake('a')).toBe(true);
    expect(limiter.tryTake('a')).toBe(false);
    expect(limiter.tryTake('b')).toBe(true);
  });

  it('bounds memory: drops only refilled buckets, refuses when all are busy', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 2, maxSources: 2, now: () => now });
    expect(limiter.tryTake('a')).toBe(true);
    expect(limiter.tryTake('b')).toBe(true);
    expect(limiter.tryTake('c')).toBe(false);
    expect(limiter.trackedSources).toBe(2);
    now += 5_000; // a and b are full again and carry no state worth keeping
    expect(limiter.tryTake('c')).toBe(true);
    expect(limiter.trackedSources).toBe(1);
  });
});

describe('control plane - in-flight byte limiter', () => {
  it('reserves up to capacity, refuses beyond, and releases exactly once', () => {
    const limiter = new InflightLimiter(100);
    const first = limiter.tryReserve(60);
    expect(first).not.toBeNull();
    expect(limiter.tryReserve(50)).toBeNull();
    const second = limiter.tryReserve(40);
    expect(limiter.reservedBytes).toBe(100);
    first?.();
    first?.();
    expect(limiter.reservedBytes).toBe(40);
    second?.();
    expect(limiter.reservedBytes).toBe(0);
  });

  it('rejects nonsense sizes with a RangeError', () => {
    const limiter = new InflightLimiter(10);
    expect(() => limiter.tryReserve(-1)).toThrow(RangeError);
    expect(() => limiter.tryReserve(Number.NaN)).toThrow(RangeError);
    expect(() => new InflightLimiter(0)).toThrow(RangeError);
  });
});

describe('control plane - replay cache', () => {
  it('accepts a nonce once per key and rejects the replay', () => {
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 10, now: () => 0 });
    expect(cache.remember('aa', 'n1')).toBe('fresh');
    expect(cache.remember('aa', 'n1')).toBe('replayed');
  });

  it('keys by (public key, nonce): the same nonce from another identity is fresh', () => {
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 10, now: () => 0 });
    expect(cache.remember('aa', 'n1')).toBe('fresh');
    expect(cache.remember('bb', 'n1')).toBe('fresh');
  });

  it('rejects when full instead of evicting live entries', () => {
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 2, now: () => 0 });
    expect(cache.remember('aa', 'n1')).toBe('fresh');
    expect(cache.remember('aa', 'n2')).toBe('fresh');
    expect(cache.remember('aa', 'n3')).toBe('full');
    expect(cache.remember('aa', 'n1')).toBe('replayed');
  });

  it('forgets entries after the TTL, pruning in insertion order', () => {
    let now = 0;
    const cache = new ReplayCache({ ttlMs: 1_000, maxEntries: 2, now: () => now });
    cache.remember('aa', 'n1');
    now = 500;
    cache.remember('aa', 'n2');
    now = 1_000;
    expect(cache.remember('aa', 'n3')).toBe('fresh');
    expect(cache.size).toBe(2);
    now = 1_500;
    expect(cache.remember('aa', 'n2')).toBe('fresh');
  });
});
