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

describe('control plane - per-key in-flight caps', () => {
  it('holds each key to its cap, checked before the global budget, and frees per key', () => {
    const limiter = new InflightLimiter(100);
    const a1 = limiter.tryReserveFor('a', 30, 50);
    expect(typeof a1).toBe('function');
    expect(limiter.tryReserveFor('a', 30, 50)).toBe('key-full');
    const b1 = limiter.tryReserveFor('b', 50, 50);
    expect(typeof b1).toBe('function');
    expect(limiter.tryReserveFor('c', 30, 50)).toBe('budget-full');
    expect(limiter.reservedFor('a')).toBe(30);
    if (typeof a1 === 'function') a1();
    expect(limiter.reservedFor('a')).toBe(0);
    expect(typeof limiter.tryReserveFor('c', 30, 50)).toBe('function');
    expect(limiter.reservedBytes).toBe(80);
  });
});

// Timestamps below are unix seconds; the clock is in ms. Skew 30 s, TTL 60 s as on the node.
const T0 = 1_767_225_600;

describe('control plane - replay cache', () => {
  const at = (ms: number) => () => T0 * 1000 + ms;

  it('accepts a nonce once per key and rejects the replay', () => {
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 10, now: at(0) });
    expect(cache.remember('aa', 'n1', T0)).toBe('fresh');
    expect(cache.remember('aa', 'n1', T0)).toBe('replayed');
  });

  it('keys by (public key, nonce): the same nonce from another identity is fresh', () => {
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 10, now: at(0) });
    expect(cache.remember('aa', 'n1', T0)).toBe('fresh');
    expect(cache.remember('bb', 'n1', T0)).toBe('fresh');
  });

  it('rejects when full instead of evicting live entries', () => {
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 2, now: at(0) });
    expect(cache.remember('aa', 'n1', T0)).toBe('fresh');
    expect(cache.remember('aa', 'n2', T0)).toBe('fresh');
    expect(cache.remember('aa', 'n3', T0)).toBe('full');
    expect(cache.remember('aa', 'n1', T0)).toBe('replayed');
  });

  it('forgets an entry after the TTL when its timestamp window ended earlier', () => {
    let now = T0 * 1000;
    const cache = new ReplayCache({ ttlMs: 1_000, maxEntries: 2, now: () => now });
    cache.remember('aa', 'n1', T0 - 40); // window already over: the TTL decides
    now += 500;
    cache.remember('aa', 'n2', T0 - 40);
    now = T0 * 1000 + 2_000;
    expect(cache.remember('aa', 'n3', T0 - 40)).toBe('fresh');
    expect(cache.size).toBe(1);
    expect(cache.remember('aa', 'n2', T0 - 40)).toBe('fresh');
  });

  it('issue 12 attack 1: a request dated +30 s is remembered until its window closes, not 60 s', () => {
    let now = T0 * 1000 + 100; // arrival 0.1 s into second T0
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 10, now: () => now });
    const ts = T0 + 30;
    expect(cache.remember('aa', 'n1', ts)).toBe('fresh');
    now += 60_150; // the replay of the report: still inside ts + 30 s
    expect(Math.floor(now / 1000) - ts).toBeLessThanOrEqual(30);
    expect(cache.remember('aa', 'n1', ts)).toBe('replayed');
    now = (ts + 31) * 1000 - 1; // last millisecond the node accepts ts
    expect(cache.remember('aa', 'n1', ts)).toBe('replayed');
    now = (ts + 31) * 1000; // the timestamp is refused from here on: the entry may go
    expect(cache.remember('aa', 'n1', ts)).toBe('fresh');
    expect(cache.expiryFor(ts)).toBe(now + 60_000);
  });

  it('restores entries from a journal, live ones only, even beyond maxEntries', () => {
    const cache = new ReplayCache({ ttlMs: 60_000, maxEntries: 1, now: at(0) });
    cache.restore(ReplayCache.entryId('aa', 'n1'), T0 * 1000 + 5_000);
    cache.restore(ReplayCache.entryId('aa', 'n2'), T0 * 1000 + 5_000);
    cache.restore(ReplayCache.entryId('aa', 'n3'), T0 * 1000 - 1);
    expect(cache.size).toBe(2);
    expect(cache.remember('aa', 'n1', T0)).toBe('replayed');
    expect(cache.remember('aa', 'n3', T0)).toBe('full');
  });
});
