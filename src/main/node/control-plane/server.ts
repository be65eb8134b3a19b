/**
 * The control plane's HTTPS request pipeline. Order matters and follows the seed audits:
 *
 *   per-IP rate limit (H1) → canonical URI → route → declared body length and ceiling (H1)
 *   → signature over the exact URI and the *declared* body digest (+ node id, X-10), pure CPU
 *   → signer on the allowlist (H7) → replay cache keyed by (key, nonce)
 *   → in-flight byte budget, per key and global (N2, issue 12) → bounded body read
 *   → body matches its signed digest → handler
 *
 * Nothing that costs memory, budget or a store read happens before the request is proven to come
 * from the key it names (issue 12, Build 5): headers that merely name a registered key, or junk
 * in them, are a 401 before the store is asked, and are not logged.
 *
 * Every error is `{"error": "..."}`; unexpected failures are logged and answered with a generic
 * 500 (H12). A store failure while checking the signer fails closed with 503.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import {
  GENERIC_SERVER_ERROR,
  SIGNED_REQUEST_ERRORS,
  bodyMatchesDigest,
  isCanonicalRequestPath,
  verifySignedRequestHeaders,
  type VerifiedRequest,
} from '../../protocol';
import { HttpError } from './http-error';
import type { InflightLimiter } from './inflight-limiter';
import type { RateLimiter } from './rate-limiter';
import type { ReplayVerdict } from './replay-cache';
import { matchRoute, type Route, type RouteReply, type Signer } from './routes';

export interface ControlPlaneOptions {
  /** This node's (or cluster's) id, bound into every signature. */
  readonly nodeId: string;
  readonly tls: { readonly key: string; readonly cert: string };
  readonly routes: readonly Route[];
  /** Active registered identity for a lowercase hex key, null if unknown or revoked. Throws on store trouble. */
  readonly lookupSigner: (signPubHex: string) => Promise<Signer | null>;
  readonly rateLimiter: RateLimiter;
  readonly inflight: InflightLimiter;
  /** Most body bytes one registered key may have in flight at once; default 24 MiB. */
  readonly perKeyInflightBytes?: number;
  /** Most body bytes all newcomers (`POST /v1/join`) may have in flight together; default 4 MiB. */
  readonly newcomerInflightBytes?: number;
  readonly replayCache: {
    remember(
      signPubHex: string,
      nonce: string,
      tsSeconds: number,
    ): ReplayVerdict | Promise<ReplayVerdict>;
  };
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
  readonly now?: () => number;
}

/** Slow or stalled uploads cannot hold the in-flight budget longer than this. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 10_000;
export const MAX_HEADER_BYTES = 16 * 1024;
/** Five 4 MiB chunks and a JSON request: more than the file client's default 3 parallel uploads. */
export const DEFAULT_PER_KEY_INFLIGHT_BYTES = 24 * 1024 * 1024;
export const DEFAULT_NEWCOMER_INFLIGHT_BYTES = 4 * 1024 * 1024;
/** The in-flight account all newcomers share (a NUL never occurs in a hex key). */
const NEWCOMERS = '\u0000newcomers';

export function createControlPlaneServer(options: ControlPlaneOptions): Server {
  const server = createServer(
    {
      key: options.tls.key,
      cert: options.tls.cert,
      minVersion: 'TLSv1.2',
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout: REQUEST_TIMEOUT_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
    },
    (req, res) => {
      handleRequest(options, req, res).catch((error: unknown) => {
        options.log?.('control-plane.unhandled', { error: describe(error) });
        if (!res.headersSent) sendError(res, 500, GENERIC_SERVER_ERROR);
        else res.destroy();
      });
    },
  );
  return server;
}

async function handleRequest(
  options: ControlPlaneOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const source = req.socket.remoteAddress ?? 'unknown';
  if (!options.rateLimiter.tryTake(source)) {
    res.setHeader('Retry-After', '1');
    return sendError(res, 429, 'rate limited');
  }

  const uri = req.url ?? '';
  const method = req.method ?? '';
  if (!isCanonicalRequestPath(uri)) return sendError(res, 400, 'non-canonical request path');
  const queryStart = uri.indexOf('?');
  const pathname = queryStart === -1 ? uri : uri.slice(0, queryStart);
  const match = matchRoute(options.routes, method, pathname);
  if (match === 'not-found') return sendError(res, 404, 'not found');
  if ('allow' in match) {
    res.setHeader('Allow', match.allow.join(', '));
    return sendError(res, 405, 'method not allowed');
  }
  const { route, params } = match;

  // Bodies must declare their length, so every oversize body is refused before a byte of it is
  // read (H1); a chunked body could only be measured by reading it.
  if (req.headers['transfer-encoding'] !== undefined) {
    return route.maxBodyBytes === 0
      ? sendError(res, 413, 'this route takes no request body', true)
      : sendError(res, 411, 'request body must declare its length (Content-Length)', true);
  }
  const declared = declaredBodyLength(req);
  if (declared === 'invalid') return sendError(res, 400, 'bad content-length', true);
  if (declared > route.maxBodyBytes) return sendError(res, 413, 'request body too large', true);

  // Signature first, over the declared body digest: pure CPU, nothing remembered, no store read.
  let verified: VerifiedRequest | null = null;
  if (route.auth !== 'public') {
    const result = verifySignedRequestHeaders({
      nodeId: options.nodeId,
      method,
      path: uri,
      headers: req.headers,
      now: options.now?.(),
    });
    if (!result.ok) return sendError(res, result.status, result.message, true);
    verified = result;
  }

  let signer: Signer | null = null;
  if (route.auth === 'signed' && verified !== null) {
    try {
      signer = await options.lookupSigner(verified.signPubHex);
    } catch (error) {
      options.log?.('control-plane.allowlist-error', { error: describe(error) });
      return sendError(res, 503, 'service unavailable', true);
    }
    if (signer === null) return sendError(res, 401, 'not authorized', true);
    let verdict: ReplayVerdict;
    try {
      verdict = await options.replayCache.remember(
        signer.signPubHex,
        verified.nonceText,
        verified.ts,
      );
    } catch (error) {
      options.log?.('control-plane.replay-cache-error', { error: describe(error) });
      return sendError(res, 503, 'service unavailable', true);
    }
    if (verdict === 'replayed') return sendError(res, 401, 'replayed nonce', true);
    if (verdict === 'full') return sendError(res, 503, 'server busy', true);
  }

  const reservation = reserveBody(options, route, signer, verified);
  if (reservation === 'key-full') {
    res.setHeader('Retry-After', '1');
    return sendError(res, 429, 'too many requests in flight for this key', true);
  }
  if (reservation === 'budget-full') return sendError(res, 503, 'server busy', true);
  try {
    const body = await readBody(req, route.maxBodyBytes);
    if (body === 'too-large') return sendError(res, 413, 'request body too large', true);
    // The client went away mid-body: nobody to answer, and nothing wrong with the node to log.
    if (body === 'aborted') return void res.destroy();
    if (verified !== null && !bodyMatchesDigest(body, verified.bodySha256)) {
      const { status, message } = SIGNED_REQUEST_ERRORS['body-digest-mismatch'];
      return sendError(res, status, message);
    }
    const newcomer =
      route.auth === 'newcomer' && verified !== null
        ? { signPubHex: verified.signPubHex, endpoint: verified.endpoint }
        : null;

    const reply = await route
      .handle({
        params,
        query: new URLSearchParams(queryStart === -1 ? '' : uri.slice(queryStart + 1)),
        signer,
        newcomer,
        body,
        remoteAddress: source,
      })
      .catch((error: unknown) => error);
    if (reply instanceof HttpError) return sendError(res, reply.status, reply.message);
    if (reply instanceof Error || !isReply(reply)) {
      options.log?.('control-plane.handler-error', { route: route.path, error: describe(reply) });
      return sendError(res, 500, GENERIC_SERVER_ERROR);
    }
    sendReply(res, method, reply);
  } finally {
    reservation();
  }
}

/** Reserves the route's body ceiling: per key (signers; newcomers share one) and globally. */
function reserveBody(
  options: ControlPlaneOptions,
  route: Route,
  signer: Signer | null,
  verified: VerifiedRequest | null,
): ReturnType<InflightLimiter['tryReserveFor']> {
  if (route.maxBodyBytes === 0) return noop;
  if (signer !== null) {
    const cap = options.perKeyInflightBytes ?? DEFAULT_PER_KEY_INFLIGHT_BYTES;
    return options.inflight.tryReserveFor(signer.signPubHex, route.maxBodyBytes, cap);
  }
  if (verified !== null) {
    const cap = options.newcomerInflightBytes ?? DEFAULT_NEWCOMER_INFLIGHT_BYTES;
    const shared = options.inflight.tryReserveFor(NEWCOMERS, route.maxBodyBytes, cap);
    return shared === 'key-full' ? 'budget-full' : shared;
  }
  return options.inflight.tryReserveFor(null, route.maxBodyBytes, 0);
}

function declaredBodyLength(req: IncomingMessage): number | 'invalid' {
  const header = req.headers['content-length'];
  if (header === undefined) return 0;
  if (!/^[0-9]{1,15}$/.test(header)) return 'invalid';
  return Number(header);
}

async function readBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Uint8Array | 'too-large' | 'aborted'> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) return 'too-large';
      chunks.push(chunk);
    }
  } catch (error) {
    if (req.destroyed || (error as NodeJS.ErrnoException).code === 'ECONNRESET') return 'aborted';
    throw error;
  }
  const body = Buffer.concat(chunks, received);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength); // a view, not a copy
}

function isReply(value: unknown): value is RouteReply {
  return (
    typeof value === 'object' && value !== null && typeof Reflect.get(value, 'status') === 'number'
  );
}

function sendReply(res: ServerResponse, method: string, reply: RouteReply): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  let payload: Uint8Array = new Uint8Array(0);
  if ('json' in reply) {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    payload = Buffer.from(JSON.stringify(reply.json));
  } else if ('bytes' in reply) {
    res.setHeader('Content-Type', reply.contentType ?? 'application/octet-stream');
    payload = reply.bytes;
  }
  res.statusCode = reply.status;
  res.setHeader('Content-Length', payload.length);
  res.end(method === 'HEAD' ? undefined : payload);
}

/**
 * Sends `{"error": ...}`. With `closeConnection` the socket is closed once the answer is out,
 * so a client still pushing an unwanted body cannot keep the node reading it.
 */
function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  closeConnection = false,
): void {
  // Only deliberate messages reach clients; a 500 never carries detail (seed H12).
  const body = JSON.stringify({ error: status === 500 ? GENERIC_SERVER_ERROR : message });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (closeConnection) {
    res.setHeader('Connection', 'close');
    const socket = res.socket;
    res.on('finish', () => socket?.destroySoon());
  }
  res.end(body);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function noop(): void {}
