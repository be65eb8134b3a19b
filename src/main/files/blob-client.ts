/**
 * Signed HTTPS client for the node's blob routes (docs/PROTOCOL.md §11.10): raw
 * `application/octet-stream` bodies up and raw bytes down, which the JSON-only
 * `ControlPlaneClient` does not do. Same posture: every request signed (§4) with a fresh nonce
 * per attempt, TLS pinned to the node's CA only, https only, control-plane URLs tried in order.
 *
 * Retries: a transport failure (refused, reset, timed out) moves on to the next URL, and after a
 * full round backs off and tries again; 429 (the node's per-source rate limit), 503 and 5xx are
 * retried with backoff. Every other status is final. All waits honour the AbortSignal.
 */
import type { ClientRequest } from 'node:http';
import { Agent, request } from 'node:https';
import { errorText, signRequest } from '../protocol';
import { FileTransferError, abortedError, throwIfAborted } from './errors';

export const BLOB_REQUEST_TIMEOUT_MS = 60_000;
/** Largest body we accept from a node for one chunk (the node's limit is 4 MiB + 16). */
const MAX_CHUNK_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAX_JSON_RESPONSE_BYTES = 2 * 1024 * 1024;
const HAVE_BATCH = 8192;
const SERVER_ERROR_RETRIES = 4;

export interface BlobClientOptions {
  readonly nodeId: string;
  readonly urls: readonly string[];
  /** PEM of the node's CA: the only trust anchor. */
  readonly caPem: string;
  readonly signSeed: Uint8Array;
  readonly timeoutMs?: number;
  /** Keep-alive sockets per origin; default 8. */
  readonly maxSockets?: number;
  /** Transport-failure rounds before giving up; default 6 (about 10 s of backoff). */
  readonly maxTransportRounds?: number;
  /** 429/5xx answers tolerated per request before giving up; default 200. */
  readonly maxBusyRetries?: number;
}

export interface BlobClientStats {
  /** PUTs answered 201 (stored now). */
  putCreated: number;
  /** PUTs answered 200 (the room already had an intact copy). */
  putExisted: number;
  gets: number;
  haveCalls: number;
  /** Attempts repeated after a transport failure, 429 or 5xx. */
  retries: number;
  rateLimited: number;
}

export interface BlobLimits {
  readonly blobChunkBytes: number;
  readonly haveMaxHashes: number;
}

interface Reply {
  status: number;
  body: Buffer;
}

export class BlobClient {
  readonly stats: BlobClientStats = {
    putCreated: 0,
    putExisted: 0,
    gets: 0,
    haveCalls: 0,
    retries: 0,
    rateLimited: 0,
  };
  private readonly origins: readonly URL[];
  private readonly agent: Agent;
  private limitsCache: BlobLimits | undefined;

  constructor(private readonly options: BlobClientOptions) {
    if (options.urls.length === 0) {
      throw new FileTransferError('bad-argument', 'no control-plane address');
    }
    this.origins = options.urls.map((text) => {
      const url = new URL(text);
      if (url.protocol !== 'https:') {
        throw new FileTransferError(
          'bad-argument',
          `refusing ${url.protocol}// address: https only`,
        );
      }
      return url;
    });
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.maxSockets ?? 8,
      ca: options.caPem,
      minVersion: 'TLSv1.2',
    });
  }

  /** Stores one sealed chunk; `'created'` on 201, `'existed'` on 200. */
  async put(
    roomId: string,
    hash: string,
    sealed: Uint8Array,
    signal?: AbortSignal,
  ): Promise<'created' | 'existed'> {
    const reply = await this.call('PUT', blobPath(roomId, hash), sealed, signal, 4096);
    if (reply.status === 201) {
      this.stats.putCreated++;
      return 'created';
    }
    if (reply.status === 200) {
      this.stats.putExisted++;
      return 'existed';
    }
    throw rejected(reply, `storing chunk ${hash.slice(0, 12)}`);
  }

  /**
   * Fetches one sealed chunk. A 404 is `chunk-missing` (absent, or damaged and removed). With
   * `into`, a body that fits is read into that buffer and a view of it is returned, so a caller
   * can reuse receive buffers instead of allocating one per chunk.
   */
  async get(
    roomId: string,
    hash: string,
    signal?: AbortSignal,
    into?: Buffer,
  ): Promise<Uint8Array> {
    const reply = await this.call(
      'GET',
      blobPath(roomId, hash),
      undefined,
      signal,
      MAX_CHUNK_RESPONSE_BYTES,
      into,
    );
    this.stats.gets++;
    if (reply.status === 200)
      return new Uint8Array(reply.body.buffer, reply.body.byteOffset, reply.body.length);
    if (reply.status === 404) {
      throw new FileTransferError(
        'chunk-missing',
        `the node has no intact copy of chunk ${hash.slice(0, 12)} (${errorText(404, reply.body.toString('utf8'))})`,
        { status: 404, hash },
      );
    }
    throw rejected(reply, `fetching chunk ${hash.slice(0, 12)}`);
  }

  /** The subset of `hashes` this room references and the node holds intact. */
  async have(
    roomId: string,
    hashes: readonly string[],
    signal?: AbortSignal,
  ): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < hashes.length; start += HAVE_BATCH) {
      const body = new TextEncoder().encode(
        JSON.stringify({ hashes: hashes.slice(start, start + HAVE_BATCH) }),
      );
      const reply = await this.call(
        'POST',
        `/v1/rooms/${roomId}/blobs/have`,
        body,
        signal,
        MAX_JSON_RESPONSE_BYTES,
      );
      this.stats.haveCalls++;
      if (reply.status !== 200) throw rejected(reply, 'asking which chunks the node has');
      const parsed = parseJson(reply.body) as { have?: unknown };
      if (!Array.isArray(parsed.have)) {
        throw new FileTransferError('rejected', 'malformed /blobs/have answer', { status: 200 });
      }
      for (const h of parsed.have) if (typeof h === 'string') found.add(h);
    }
    return found;
  }

  /** `/v1/limits`, fetched once per client. */
  async limits(signal?: AbortSignal): Promise<BlobLimits> {
    if (this.limitsCache !== undefined) return this.limitsCache;
    const reply = await this.call('GET', '/v1/limits', undefined, signal, MAX_JSON_RESPONSE_BYTES);
    if (reply.status !== 200) throw rejected(reply, 'reading the node limits');
    const v = parseJson(reply.body) as {
      blob_chunk_bytes?: unknown;
      blob_have_max_hashes?: unknown;
    };
    if (typeof v.blob_chunk_bytes !== 'number' || typeof v.blob_have_max_hashes !== 'number') {
      throw new FileTransferError('rejected', 'the node publishes no blob limits (no blob store?)');
    }
    this.limitsCache = {
      blobChunkBytes: v.blob_chunk_bytes,
      haveMaxHashes: v.blob_have_max_hashes,
    };
    return this.limitsCache;
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private async call(
    method: string,
    path: string,
    body: Uint8Array | undefined,
    signal: AbortSignal | undefined,
    maxResponseBytes: number,
    into?: Buffer,
  ): Promise<Reply> {
    const payload = body ?? new Uint8Array(0);
    const maxRounds = this.options.maxTransportRounds ?? 6;
    const maxBusy = this.options.maxBusyRetries ?? 200;
    let transportRounds = 0;
    let busy = 0;
    let lastFailure: unknown;
    for (;;) {
      throwIfAborted(signal);
      let retryAfterBusy = false;
      for (const origin of this.origins) {
        const headers = signRequest({
          nodeId: this.options.nodeId,
          method,
          path,
          body: payload,
          signSeed: this.options.signSeed,
        });
        let reply: Reply;
        try {
          reply = await this.send(
            origin,
            method,
            path,
            payload,
            headers,
            signal,
            maxResponseBytes,
            into,
          );
        } catch (error) {
          if (signal?.aborted) throw abortedError();
          lastFailure = error;
          continue;
        }
        if (reply.status === 429 || reply.status >= 500) {
          if (reply.status === 429) this.stats.rateLimited++;
          // 429/503 say "later"; any other 5xx gets a few tries only.
          const limit =
            reply.status === 429 || reply.status === 503 ? maxBusy : SERVER_ERROR_RETRIES;
          if (++busy > limit) throw rejected(reply, `${method} ${path}`);
          this.stats.retries++;
          await sleep(busyDelayMs(busy), signal);
          retryAfterBusy = true;
          break;
        }
        return reply;
      }
      if (retryAfterBusy) continue;
      if (++transportRounds >= maxRounds) {
        const reason = lastFailure instanceof Error ? lastFailure.message : 'unreachable';
        throw new FileTransferError('unreachable', `no node answered (${reason})`, {
          cause: lastFailure,
        });
      }
      this.stats.retries++;
      await sleep(Math.min(200 * 2 ** (transportRounds - 1), 4_000), signal);
    }
  }

  private send(
    origin: URL,
    method: string,
    path: string,
    body: Uint8Array,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    maxResponseBytes: number,
    into: Buffer | undefined,
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: origin.hostname.replace(/^\[|\]$/g, ''),
          port: origin.port || 443,
          method,
          path,
          agent: this.agent,
          timeout: this.options.timeoutMs ?? BLOB_REQUEST_TIMEOUT_MS,
          ...(signal === undefined ? {} : { signal }),
          headers: {
            ...headers,
            ...(body.length > 0
              ? {
                  'Content-Type':
                    method === 'PUT' ? 'application/octet-stream' : 'application/json',
                }
              : {}),
            'Content-Length': String(body.length),
          },
        },
        (res) => {
          const declared = Number(res.headers['content-length'] ?? NaN);
          if (declared > maxResponseBytes) {
            res.destroy();
            reject(new Error(`response too large (${declared} bytes)`));
            return;
          }
          // With a declared length, read straight into one buffer (no pieces, no concat).
          const known = Number.isSafeInteger(declared);
          const reuse =
            into !== undefined && res.statusCode === 200 && known && declared <= into.length;
          const exact = reuse
            ? into.subarray(0, declared)
            : known
              ? Buffer.allocUnsafeSlow(declared)
              : undefined;
          const chunks: Buffer[] = [];
          let total = 0;
          res.on('data', (chunk: Buffer) => {
            if (total + chunk.length > (exact?.length ?? maxResponseBytes)) {
              res.destroy(new Error('response longer than declared or allowed'));
              return;
            }
            if (exact !== undefined) chunk.copy(exact, total);
            else chunks.push(chunk);
            total += chunk.length;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body:
                exact !== undefined
                  ? exact.subarray(0, total)
                  : chunks.length === 1
                    ? chunks[0]!
                    : Buffer.concat(chunks, total),
            }),
          );
          res.on('error', reject);
          res.on('aborted', () => reject(new Error('response aborted')));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      writeBody(req, body);
    });
  }
}

/**
 * Writes the body in slices, waiting for 'drain' when the socket is behind: handing TLS a whole
 * 4 MiB chunk at once makes it encrypt all of it into its output buffer before sending, one
 * chunk's worth of native memory per parallel request.
 */
const WRITE_SLICE = 256 * 1024;
function writeBody(req: ClientRequest, body: Uint8Array): void {
  if (body.length <= WRITE_SLICE) {
    req.end(body);
    return;
  }
  let offset = 0;
  const pump = (): void => {
    while (offset < body.length) {
      const end = Math.min(offset + WRITE_SLICE, body.length);
      const slice = body.subarray(offset, end);
      offset = end;
      if (offset === body.length) {
        req.end(slice);
        return;
      }
      if (!req.write(slice)) {
        req.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function blobPath(roomId: string, hash: string): string {
  return `/v1/rooms/${roomId}/blobs/${hash}`;
}

function rejected(reply: Reply, what: string): FileTransferError {
  const text = errorText(reply.status, reply.body.toString('utf8'));
  return new FileTransferError(
    reply.status === 429 || reply.status >= 500 ? 'unreachable' : 'rejected',
    `${what}: ${text}`,
    { status: reply.status },
  );
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new FileTransferError('rejected', 'the node answered with malformed JSON');
  }
}

/** 50 ms doubling to 1 s, with jitter so parallel transfers do not retry in lockstep. */
function busyDelayMs(attempt: number): number {
  const base = Math.min(50 * 2 ** Math.min(attempt - 1, 5), 1_000);
  return base / 2 + Math.random() * (base / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
