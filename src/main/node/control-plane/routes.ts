/**
 * Route table types and matching for the control plane. Routing happens on the raw request URI
 * that was signed (threat X-09): no decoding, no normalization; path parameters must already be
 * URL-safe identifiers, anything else simply does not match.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

export interface Signer {
  /** Lowercase hex Ed25519 public key: the allowlist key. */
  readonly signPubHex: string;
  readonly endpoint: string;
  readonly role: 'admin' | 'member';
}

export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The registered, active caller on `signed` routes; null elsewhere. */
  readonly signer: Signer | null;
  /** On `newcomer` routes: the key that signed the request, which is not on the allowlist yet. */
  readonly newcomer: { readonly signPubHex: string; readonly endpoint: string } | null;
  readonly body: Uint8Array;
  readonly remoteAddress: string;
}

export type RouteReply =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: number; readonly bytes: Uint8Array; readonly contentType?: string }
  | { readonly status: number };

export interface Route {
  readonly method: HttpMethod;
  /** Literal segments and `:name` parameters, e.g. `/v1/rooms/:roomId/members`. */
  readonly path: string;
  /**
   * `public`: no signature. `signed`: an active allowlisted identity. `newcomer`: a valid
   * signature by any key (joining with an invite); its nonce is not cached, so such routes must
   * be idempotent or single-use by design and are rate limited like everything else.
   */
  readonly auth: 'public' | 'signed' | 'newcomer';
  /** Largest accepted body in bytes; 0 means the route takes no body. */
  readonly maxBodyBytes: number;
  readonly handle: (context: RouteContext) => Promise<RouteReply>;
}

/** Path parameters are identifiers: base64url / ULID / hex alphabets only. */
const PARAMETER_VALUE = /^[A-Za-z0-9_-]{1,128}$/;

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** `allow` lists the methods the path does support (the 405 response's Allow header). */
export type MatchResult = RouteMatch | 'not-found' | { readonly allow: readonly HttpMethod[] };

export function matchRoute(
  routes: readonly Route[],
  method: string,
  pathname: string,
): MatchResult {
  const segments = pathname.split('/').slice(1);
  const allow: HttpMethod[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (params === null) continue;
    if (route.method === method) return { route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { allow } : 'not-found';
}

function matchPath(pattern: string, segments: readonly string[]): Record<string, string> | null {
  const parts = pattern.split('/').slice(1);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      if (!PARAMETER_VALUE.test(segment)) return null;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}
