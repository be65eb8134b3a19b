/**
 * Global cap on request bytes being received at once (seed re-audit N2-0006): per-request and
 * per-IP limits do not bound aggregate memory, so every body-carrying request reserves its
 * route's ceiling before reading and releases it when done. Non-blocking: when the budget is
 * spent the caller answers 503 instead of parking the request.
 *
 * Per-key caps (issue 12, Build 5): a reservation may also name the key it is made for, and no
 * key holds more than its cap at once, so one member (or the newcomers' shared key) cannot take
 * the whole budget. Reservations are only ever made for requests whose signature was already
 * verified: naming someone's public key buys nothing.
 */
export type Reservation = (() => void) | 'budget-full' | 'key-full';

export class InflightLimiter {
  private reserved = 0;
  private readonly byKey = new Map<string, number>();

  constructor(private readonly capacityBytes: number) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes <= 0) {
      throw new RangeError('InflightLimiter: capacity must be a positive integer');
    }
  }

  /** Returns a release function, or null when the reservation does not fit. */
  tryReserve(bytes: number): (() => void) | null {
    const reservation = this.tryReserveFor(null, bytes, 0);
    return typeof reservation === 'function' ? reservation : null;
  }

  /**
   * Reserves `bytes` for `key`, which may hold at most `keyCapBytes` at once (null: no key, only
   * the global budget applies). The per-key cap is checked first, so a key at its cap is told so
   * even when the node as a whole is busy.
   */
  tryReserveFor(key: string | null, bytes: number, keyCapBytes: number): Reservation {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError('InflightLimiter.tryReserve: bytes must be a non-negative integer');
    }
    const held = key === null ? 0 : (this.byKey.get(key) ?? 0);
    if (key !== null && held + bytes > keyCapBytes) return 'key-full';
    if (this.reserved + bytes > this.capacityBytes) return 'budget-full';
    this.reserved += bytes;
    if (key !== null) this.byKey.set(key, held + bytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved -= bytes;
      if (key === null) return;
      const left = (this.byKey.get(key) ?? 0) - bytes;
      if (left > 0) this.byKey.set(key, left);
      else this.byKey.delete(key);
    };
  }

  get reservedBytes(): number {
    return this.reserved;
  }

  /** Bytes held by one key (0 when none). */
  reservedFor(key: string): number {
    return this.byKey.get(key) ?? 0;
  }
}
