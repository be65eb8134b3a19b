/**
 * Global cap on request bytes being received at once (seed re-audit N2-0006): per-request and
 * per-IP limits do not bound aggregate memory, so every body-carrying request reserves its
 * route's ceiling before reading and releases it when done. Non-blocking: when the budget is
 * spent the caller answers 503 instead of parking the request.
 */
export class InflightLimiter {
  private reserved = 0;

  constructor(private readonly capacityBytes: number) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes <= 0) {
      throw new RangeError('InflightLimiter: capacity must be a positive integer');
    }
  }

  /** Returns a release function, or null when the reservation does not fit. */
  tryReserve(bytes: number): (() => void) | null {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError('InflightLimiter.tryReserve: bytes must be a non-negative integer');
    }
    if (this.reserved + bytes > this.capacityBytes) return null;
    this.reserved += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved -= bytes;
    };
  }

  get reservedBytes(): number {
    return this.reserved;
  }
}
