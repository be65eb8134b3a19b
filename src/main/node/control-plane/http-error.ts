/**
 * A deliberate client-facing failure. Its message is sent as `{"error": message}`; every other
 * exception becomes a generic 500 whose detail stays in the node's log (seed H12).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 411 | 413 | 429 | 503,
    message: string,
  ) {
    super(message);
  }
}
