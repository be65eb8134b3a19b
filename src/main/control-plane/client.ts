/**
 * The peer's control-plane client: every request signed (docs/PROTOCOL.md §4), TLS pinned to the
 * node's CA only (never the system roots), https only (seed H5), tried against each
 * control-plane URL in order. A transport failure moves on to the next URL with a freshly signed
 * request (a new nonce, so failover is never a replay); any HTTP response is final.
 */
import { request } from 'node:https';
import { errorText, signRequest } from '../protocol';

export const REQUEST_TIMEOUT_MS = 10_000;
/** Retries of a call the node answered with 429 or 503, doubling from 250 ms (about 4 s in all). */
const BUSY_RETRIES = 4;
const BUSY_BACKOFF_MS = 250;

export class ControlPlaneError extends Error {
  override readonly name = 'ControlPlaneError';
  constructor(
    message: string,
    /** HTTP status, or 0 when no node answered. */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ControlPlaneClientOptions {
  readonly nodeId: string;
  readonly urls: readonly string[];
  /** PEM of the node's CA: the only trust anchor. */
  readonly caPem: string;
  readonly signSeed: Uint8Array;
  readonly timeoutMs?: number;
}

export class ControlPlaneClient {
  private readonly origins: readonly URL[];

  constructor(private readonly options: ControlPlaneClientOptions) {
    if (options.urls.length === 0) throw new ControlPlaneError('no control-plane address', 0);
    this.origins = options.urls.map((text) => {
      const url = new URL(text);
      if (url.protocol !== 'https:') {
        throw new ControlPlaneError(
          `refusing ${url.protocol}// control-plane address: https only`,
          0,
        );
      }
      return url;
    });
  }

  async get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  async post<T>(path: string, json?: unknown): Promise<T> {
    return this.call<T>('POST', path, json);
  }

  /**
   * One call, retried with backoff while the node says "slow down" (429) or "busy" (503): each
   * retry is signed afresh. Other answers, and transport failures on every URL, are final.
   */
  async call<T>(method: string, path: string, json?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.callOnce<T>(method, path, json);
      } catch (error) {
        const busy =
          error instanceof ControlPlaneError && (error.status === 429 || error.status === 503);
        if (!busy || attempt >= BUSY_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, BUSY_BACKOFF_MS * 2 ** attempt));
      }
    }
  }

  private async callOnce<T>(method: string, path: string, json?: unknown): Promise<T> {
    const body =
      json === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(json));
    let lastFailure: unknown;
    for (const origin of this.origins) {
      const headers = signRequest({
        nodeId: this.options.nodeId,
        method,
        path,
        body,
        signSeed: this.options.signSeed,
      });
      let reply: { status: number; text: string };
      try {
        reply = await this.send(origin, method, path, body, headers);
      } catch (error) {
        lastFailure = error;
        continue;
      }
      if (reply.status >= 200 && reply.status < 300) {
        return (reply.text === '' ? null : JSON.parse(reply.text)) as T;
      }
      throw new ControlPlaneError(errorText(reply.status, reply.text), reply.status);
    }
    const reason = lastFailure instanceof Error ? lastFailure.message : 'unreachable';
    throw new ControlPlaneError(`no node answered (${reason})`, 0);
  }

  private send(
    origin: URL,
    method: string,
    path: string,
    body: Uint8Array,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: origin.hostname.replace(/^\[|\]$/g, ''),
          port: origin.port || 443,
          method,
          path,
          ca: this.options.caPem,
          minVersion: 'TLSv1.2',
          timeout: this.options.timeoutMs ?? REQUEST_TIMEOUT_MS,
          headers: {
            ...headers,
            ...(body.length > 0 ? { 'Content-Type': 'application/json' } : {}),
            'Content-Length': String(body.length),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
