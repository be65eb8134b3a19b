/**
 * Control-plane status-code vocabulary and the `{"error": "<message>"}` body
 * (docs/PROTOCOL.md §10). Bodies are UTF-8 JSON (RFC 8259).
 */
import { hasExactKeys, isPlainObject } from './json.js';

/** Every non-2xx status the node uses, and what it means. */
export const HTTP_STATUS = {
  badRequest: 400,
  unauthenticated: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  rateLimited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type HttpErrorStatus = (typeof HTTP_STATUS)[keyof typeof HTTP_STATUS];

/** Generic message for every 5xx: internal details are logged, never sent (seed H12). */
export const GENERIC_SERVER_ERROR = 'internal error';
export const ERROR_MESSAGE_MAX_LENGTH = 200;

/** The JSON body for an error response. 5xx messages are always replaced by the generic one. */
export function errorBody(status: HttpErrorStatus, message: string): string {
  const text = status >= 500 ? GENERIC_SERVER_ERROR : message.slice(0, ERROR_MESSAGE_MAX_LENGTH);
  return JSON.stringify({ error: text });
}

/** The client's error text for a non-2xx response: `"<msg> (HTTP <code>)"`. */
export function errorText(status: number, body: string): string {
  let message = 'request failed';
  try {
    const v: unknown = JSON.parse(body);
    if (isPlainObject(v) && hasExactKeys(v, ['error']) && typeof v.error === 'string') {
      message = v.error.slice(0, ERROR_MESSAGE_MAX_LENGTH);
    }
  } catch {
    // not JSON: keep the generic text
  }
  return `${message} (HTTP ${status})`;
}
