/**
 * Errors that cross a process boundary. They travel as `{ name, message }` (no stack, no cause:
 * the receiver may be the untrusted renderer), so receivers identify them by `name`, never by
 * `instanceof`. Process-neutral: no Electron, Node or DOM.
 */

/** Every error name that may cross IPC. Anything else is reported as `InternalError`. */
export const ERROR_NAMES = [
  'ValidationError',
  'NotFoundError',
  'PermissionDeniedError',
  /** The node or the bus cannot be reached right now; retrying later may work. */
  'UnavailableError',
  /** The request conflicts with the current state (e.g. an identity already exists). */
  'ConflictError',
  /** The identity is locked: a passphrase is needed (or was wrong). */
  'LockedError',
  /** The operation was cancelled by the user. */
  'CancelledError',
  'InternalError',
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];

export interface SerializedError {
  readonly name: ErrorName;
  readonly message: string;
}

/** Message used for every error that is not one of ours: internals are not shown to the UI. */
export const INTERNAL_ERROR_MESSAGE = 'Internal error';

export function isErrorName(value: unknown): value is ErrorName {
  return typeof value === 'string' && (ERROR_NAMES as readonly string[]).includes(value);
}

/** An error with one of the shared names. Subclasses only fix the name. */
export class UnibusError extends Error {
  override readonly name: ErrorName;

  constructor(name: ErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** A caller sent arguments that do not match the contract. */
export class ValidationError extends UnibusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ValidationError', message, options);
  }
}

/** The thing asked for does not exist (or the caller may not know that it does). */
export class NotFoundError extends UnibusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFoundError', message, options);
  }
}

/** The caller is not allowed to do this (for IPC: the sender frame is not ours). */
export class PermissionDeniedError extends UnibusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PermissionDeniedError', message, options);
  }
}

/** The node or the bus cannot be reached right now. */
export class UnavailableError extends UnibusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UnavailableError', message, options);
  }
}

/** The request conflicts with the current state. */
export class ConflictError extends UnibusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ConflictError', message, options);
  }
}

/** A passphrase is needed, or the one given was wrong. */
export class LockedError extends UnibusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LockedError', message, options);
  }
}

/** The user cancelled the operation. */
export class CancelledError extends UnibusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CancelledError', message, options);
  }
}

/** A bug or an unexpected failure; the message shown to the other side is generic. */
export class InternalError extends UnibusError {
  constructor(message: string = INTERNAL_ERROR_MESSAGE, options?: { cause?: unknown }) {
    super('InternalError', message, options);
  }
}

/** True when `value` has the wire shape of a serialized error. */
export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as { name?: unknown; message?: unknown };
  return isErrorName(record.name) && typeof record.message === 'string';
}

/**
 * Turn anything thrown into the wire shape. Only errors carrying one of the shared names keep
 * their message; everything else (a TypeError from a bug, a library error) becomes a generic
 * `InternalError`, so internals never reach the renderer.
 */
export function toSerializedError(error: unknown): SerializedError {
  if (error instanceof Error && isErrorName(error.name) && error.name !== 'InternalError') {
    return { name: error.name, message: error.message };
  }
  if (!(error instanceof Error) && isSerializedError(error) && error.name !== 'InternalError') {
    return { name: error.name, message: error.message };
  }
  return { name: 'InternalError', message: INTERNAL_ERROR_MESSAGE };
}

/** Rebuild a throwable error on the receiving side. */
export function fromSerializedError(serialized: SerializedError): UnibusError {
  return new UnibusError(serialized.name, serialized.message);
}

/** Identify an error by name: works for thrown errors and for serialized ones. */
export function isErrorNamed(error: unknown, name: ErrorName): boolean {
  if (typeof error !== 'object' || error === null) return false;
  return (error as { name?: unknown }).name === name;
}

/**
 * Makes a `switch` exhaustive at compile time: call it in the `default` branch with the value
 * whose type should have been narrowed to `never`.
 */
export function missingCaseError(value: never): InternalError {
  return new InternalError(`Unhandled case: ${String(value as unknown)}`);
}
