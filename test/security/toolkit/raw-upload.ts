/**
 * Body-flood and slow-sender tools (R-H1, R-N2-0006): a request whose body is written by the
 * test (declared length or chunked), so it can stop, trickle or lie, and raw TLS sockets for
 * header-level attacks.
 */
import { request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import type { Target } from './signed-http';

export interface OpenUpload {
  /** The status, or the socket error code when the node closed the connection first. */
  readonly outcome: Promise<number | string>;
  /** Resolves when the connection is gone (closed by either side). */
  readonly closed: Promise<void>;
  readonly bytesWritten: () => number;
  write(bytes: Uint8Array): boolean;
  destroy(): void;
}

export function openUpload(
  target: Target,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    /** A number sets Content-Length; 'chunked' sends Transfer-Encoding: chunked. */
    length: number | 'chunked';
    localAddress?: string;
  },
): OpenUpload {
  let written = 0;
  const req = request({
    host: target.host,
    port: target.port,
    method: options.method,
    path: options.path,
    ca: target.caPem,
    agent: false,
    headers: {
      ...options.headers,
      ...(options.length === 'chunked'
        ? { 'Transfer-Encoding': 'chunked' }
        : { 'Content-Length': String(options.length) }),
    },
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  const outcome = new Promise<number | string>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
  const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
  req.flushHeaders();
  return {
    outcome,
    closed,
    bytesWritten: () => written,
    write: (bytes) => {
      if (req.destroyed) return false;
      written += bytes.length;
      return req.write(bytes);
    },
    destroy: () => req.destroy(),
  };
}

/** Pushes `block` repeatedly until `total` bytes are written, the node answers or cuts us. */
export async function pump(upload: OpenUpload, block: Uint8Array, total: number): Promise<void> {
  let answered = false;
  void upload.outcome.then(() => (answered = true));
  while (upload.bytesWritten() < total && !answered) {
    if (!upload.write(block)) {
      // Backpressure: wait a little for the socket (or for the node's answer).
      await Promise.race([upload.outcome, new Promise((r) => setTimeout(r, 20))]);
    }
  }
}

/** A raw TLS connection to the control plane (CA pinned), for header-level attacks. */
export function rawTls(target: Target, localAddress?: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      ca: target.caPem,
      servername: target.host === '127.0.0.1' ? undefined : target.host,
      ...(localAddress ? { localAddress } : {}),
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}
