/**
 * Store failures. Every authorization predicate lets `StoreUnavailableError` propagate, so a
 * KV error or timeout denies the request (fail closed) instead of allowing it.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** A create found the key already present, or a compare-and-set lost a race. */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** A stored value failed validation: never trusted, never silently repaired. */
export class StoreCorruptError extends Error {
  override readonly name = 'StoreCorruptError';
}
