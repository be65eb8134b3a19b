/**
 * T2: signed control-plane requests (docs/PROTOCOL.md §4) over a raw node:https client that
 * sends the exact request URI it signed. Every field can be overridden so tests can replay,
 * skew, re-target or tamper with a request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request, type Agent } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { b64, utf8 } from './bytes';
import { ed25519Sign, type Identity } from './identity';

export interface Target {
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
  readonly nodeId: string;
}

export interface SignOptions {
  readonly nodeId: string;
  readonly method: string;
  /** The exact request URI: path plus raw query. */
  readonly path: string;
  readonly body?: Uint8Array;
  /** Unix seconds; default now. */
  readonly ts?: number;
  /** The X-Unibus-Nonce header value; default 16 fresh random bytes, base64. */
  readonly nonce?: string;
}

export type AuthHeaders = Record<
  'X-Unibus-Pub' | 'X-Unibus-Ts' | 'X-Unibus-Nonce' | 'X-Unibus-Sig' | 'X-Unibus-Body-Sha256',
  string
>;

export const bodySha256 = (body: Uint8Array): string =>
  createHash('sha256').update(body).digest('hex');

/** §4: NODE_ID \n METHOD \n PATH \n TS \n NONCE \n hex(SHA-256(body)). */
export function canonicalString(o: Required<SignOptions>): string {
  return [o.nodeId, o.method, o.path, String(o.ts), o.nonce, bodySha256(o.body)].join('\n');
}

export const freshNonce = (): string => b64(randomBytes(16));
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function signHeaders(
  who: Pick<Identity, 'signSeed' | 'signPubHex'>,
  o: SignOptions,
): AuthHeaders {
  const full = {
    nodeId: o.nodeId,
    method: o.method,
    path: o.path,
    body: o.body ?? new Uint8Array(0),
    ts: o.ts ?? nowSeconds(),
    nonce: o.nonce ?? freshNonce(),
  };
  return {
    'X-Unibus-Pub': who.signPubHex,
    'X-Unibus-Ts': String(full.ts),
    'X-Unibus-Nonce': full.nonce,
    'X-Unibus-Sig': b64(ed25519Sign(who.signSeed, utf8(canonicalString(full)))),
    // §4: the signed body digest travels as a header, so the node checks the signature before
    // it reads (or budgets for) a single body byte.
    'X-Unibus-Body-Sha256': bodySha256(full.body),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect replies ad hoc
  readonly json: any;
  readonly bytes: Uint8Array;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: Uint8Array;
  /** Source address (T9): every 127.0.0.0/8 address is loopback on Linux. */
  readonly localAddress?: string;
  readonly agent?: Agent;
}

/** One raw HTTPS exchange with the CA pinned. Content-Length is set from the body unless given. */
export function send(target: Target, r: RawRequest): Promise<Reply> {
  const body = r.body ?? new Uint8Array(0);
  const headers: Record<string, string | string[]> = { ...r.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    if (body.length > 0 || r.method !== 'GET') headers['Content-Length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        method: r.method,
        path: r.path,
        ca: target.caPem,
        agent: r.agent ?? false,
        headers,
        ...(r.localAddress ? { localAddress: r.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const textBody = raw.toString('utf8');
          let json: unknown;
          try {
            json = textBody === '' ? undefined : JSON.parse(textBody);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: textBody,
            json,
            bytes: new Uint8Array(raw),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface CallOptions extends Partial<Omit<SignOptions, 'method' | 'path' | 'body'>> {
  readonly localAddress?: string;
  readonly agent?: Agent;
  readonly contentType?: string;
}

/** A correctly signed request; a JSON value is serialized, raw bytes are sent as they are. */
export function call(
  target: Target,
  who: Pick<Identity, 'signSeed' | 'signPubHex'>,
  method: string,
  path: string,
  payload?: unknown,
  options: CallOptions = {},
): Promise<Reply> {
  const body =
    payload === undefined
      ? new Uint8Array(0)
      : payload instanceof Uint8Array
        ? payload
        : utf8(JSON.stringify(payload));
  const auth = signHeaders(who, { nodeId: target.nodeId, method, path, body, ...options });
  return send(target, {
    method,
    path,
    body,
    headers: {
      ...auth,
      ...(payload === undefined
        ? {}
        : {
            'Content-Type':
              options.contentType ??
              (payload instanceof Uint8Array ? 'application/octet-stream' : 'application/json'),
          }),
    },
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  });
}
