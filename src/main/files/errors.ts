/**
 * The one error type of the files module: every failure of an upload or download surfaces as a
 * `FileTransferError` with a code the UI and the CLI can branch on, never a raw stack.
 */
export type FileTransferErrorCode =
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** No node answered after retries (connection refused, reset, timed out). */
  | 'unreachable'
  /** A node answered with an error status that retrying cannot fix (403, 413, ...). */
  | 'rejected'
  /** The node does not have a chunk the manifest names (404; a damaged copy reads as missing). */
  | 'chunk-missing'
  /** A downloaded chunk failed its content hash, authentication or length check. */
  | 'chunk-corrupt'
  /** Every chunk opened but the whole-file digest does not match the manifest. */
  | 'digest-mismatch'
  /** The source file changed while it was being read, more times than we retry. */
  | 'file-changed'
  /** The file is larger than one manifest can describe. */
  | 'file-too-large'
  /** Reading the source or writing the destination failed (ENOENT, EACCES, ENOSPC, ...). */
  | 'io-error'
  /** Bad arguments (manifest, chunk size, parallelism). */
  | 'bad-argument';

export class FileTransferError extends Error {
  override readonly name = 'FileTransferError';
  constructor(
    readonly code: FileTransferErrorCode,
    message: string,
    readonly details: {
      readonly status?: number;
      readonly chunkIndex?: number;
      readonly hash?: string;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

export function abortedError(): FileTransferError {
  return new FileTransferError('aborted', 'transfer cancelled');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError();
}
