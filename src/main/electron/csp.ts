/**
 * The renderer's Content-Security-Policy, also sent as a response header for the app's own
 * file:// pages. The <meta> tag in src/renderer/index.html carries the same policy; the header
 * adds what a meta tag cannot (`frame-ancestors`) and covers a page whose meta tag went missing.
 */
import type { OnHeadersReceivedListenerDetails, Session } from 'electron';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

type Headers = Record<string, string[]>;

/** The response headers with our policy, replacing any CSP header already there. */
export function withCspHeader(headers: Headers | undefined): Headers {
  const result: Headers = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}

/** Adds the policy header to every file:// response for which `isOwnPage(url)` holds. */
export function installCspHeader(session: Session, isOwnPage: (url: string) => boolean): void {
  session.webRequest.onHeadersReceived(
    { urls: ['file://*/*'] },
    (details: OnHeadersReceivedListenerDetails, callback) => {
      if (!isOwnPage(details.url)) {
        callback({});
        return;
      }
      callback({ responseHeaders: withCspHeader(details.responseHeaders) });
    },
  );
}
