/**
 * Canonical request URIs (threat X-09). The signature covers the exact request URI, so the node
 * must route on the same bytes it verified: any URI with more than one plausible reading is
 * refused (400) instead of being normalized. Grammar: RFC 3986 §3.3 (path) and §3.4 (query).
 */

export const REQUEST_PATH_MAX_LENGTH = 2048;

// pchar = unreserved / pct-encoded / sub-delims / ":" / "@"   (RFC 3986 §3.3)
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
// query = *( pchar / "/" / "?" )                                (RFC 3986 §3.4)
const QUERY_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent escapes must be two uppercase hex digits, never encode an unreserved character,
 * a control character, or (in the path) `/`, `.` or `\`. */
function escapesCanonical(text: string, inPath: boolean): boolean {
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i + 1)) {
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) return false;
    const code = parseInt(hex, 16);
    if (code < 0x20 || code === 0x7f) return false;
    if (UNRESERVED.test(String.fromCharCode(code))) return false; // RFC 3986 §6.2.2.2
    if (inPath && (code === 0x2f || code === 0x5c)) return false; // %2F, %5C
  }
  return true;
}

/**
 * True when `path` is a canonical origin-form request URI: starts with `/`, printable ASCII only,
 * no fragment, no backslash, no empty segment (`//`), no dot segment (`.`/`..`), no encoded
 * `/` `.` `\`, canonical percent escapes, and no empty query (`/a?`).
 */
export function isCanonicalRequestPath(path: unknown): path is string {
  if (typeof path !== 'string' || path.length === 0 || path.length > REQUEST_PATH_MAX_LENGTH) {
    return false;
  }
  if (path[0] !== '/' || path.includes('#') || path.includes('\\')) return false;
  const q = path.indexOf('?');
  const pathPart = q === -1 ? path : path.slice(0, q);
  const query = q === -1 ? undefined : path.slice(q + 1);
  if (!PATH_CHARS.test(pathPart) || !escapesCanonical(pathPart, true)) return false;
  const segments = pathPart.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '.' || s === '..') return false;
    // Only the root path "/" may have an empty (final) segment; "/a/" and "//" are refused.
    if (s === '' && !(segments.length === 1)) return false;
  }
  if (query !== undefined) {
    if (query.length === 0 || !QUERY_CHARS.test(query) || !escapesCanonical(query, false)) {
      return false;
    }
  }
  return true;
}
