import { once } from 'node:events';
import { request, type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointId, ed25519PublicKey, randomBytes } from '../../crypto';
import { signRequest } from '../../protocol';
import { generateNodeTlsMaterial, type NodeTlsMaterial } from '../tls/certificates';
import { HttpError } from './http-error';
import { InflightLimiter } from './inflight-limiter';
import { RateLimiter } from './rate-limiter';
import { ReplayCache } from './replay-cache';
import type { Route, Signer } from './routes';
import { createControlPlaneServer } from './server';

const NODE_ID = 'node-test-1';
const BODY_LIMIT = 64 * 1024;

interface Reply {
  status: number;
  body: string;
}

function identity(): { seed: Uint8Array; pubHex: string } {
  const seed = randomBytes(32);
  return { seed, pubHex: Buffer.from(ed25519PublicKey(seed)).toString('hex') };
}

describe('control plane - request pipeline over real TLS', () => {
  let tls: NodeTlsMaterial;
  let server: Server;
  let port: number;
  const alice = identity();
  const unregistered = identity();
  const allowlist = new Map<string, Signer>();
  let storeBroken = false;
  /** Freezes the rate limiter's clock so the burst test does not depend on machine speed. */
  let frozenClock: number | null = null;

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/healthz',
      auth: 'public',
      maxBodyBytes: 0,
      handle: async () => ({ status: 200, json: { ok: true } }),
    },
    {
      method: 'GET',
      path: '/v1/rooms/:roomId',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ params, signer }) => ({
        status: 200,
        json: { room: params.roomId, by: signer?.endpoint },
      }),
    },
    {
      method: 'POST',
      path: '/v1/echo',
      auth: 'signed',
      maxBodyBytes: BODY_LIMIT,
      handle: async ({ body }) => ({ status: 200, json: { length: body.length } }),
    },
    {
      method: 'POST',
      path: '/v1/slow',
      auth: 'signed',
      maxBodyBytes: BODY_LIMIT,
      handle: async () => {
        throw new Error('ENOENT: /var/lib/unibus/secret.db no rows');
      },
    },
    {
      method: 'GET',
      path: '/v1/forbidden',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async () => {
        throw new HttpError(403, 'not a member');
      },
    },
  ];

  beforeAll(async () => {
    tls = await generateNodeTlsMaterial({ subjectAltNames: [] });
    allowlist.set(alice.pubHex, {
      signPubHex: alice.pubHex,
      endpoint: endpointId(ed25519PublicKey(alice.seed)),
      role: 'member',
    });
    server = createControlPlaneServer({
      nodeId: NODE_ID,
      tls: { key: tls.server.privateKeyPem, cert: tls.server.certificatePem },
      routes,
      lookupSigner: async (pubHex) => {
        if (storeBroken) throw new Error('kv timeout');
        return allowlist.get(pubHex) ?? null;
      },
      rateLimiter: new RateLimiter({
        ratePerSecond: 50,
        burst: 40,
        maxSources: 1000,
        now: () => frozenClock ?? Date.now(),
      }),
      inflight: new InflightLimiter(2 * BODY_LIMIT),
      replayCache: new ReplayCache({ ttlMs: 60_000, maxEntries: 10_000 }),
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => {
    server.close();
  });

  function send(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: Uint8Array; localAddress?: string } = {},
  ): Promise<Reply> {
    const requestOptions: RequestOptions = {
      host: '127.0.0.1',
      port,
      method,
      path,
      ca: tls.ca.certificatePem,
      headers: options.headers,
      localAddress: options.localAddress ?? '127.0.0.2',
      agent: false,
    };
    return new Promise((resolve, reject) => {
      const req = request(requestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  function signed(
    who: { seed: Uint8Array },
    method: string,
    path: string,
    body: Uint8Array = new Uint8Array(0),
    overrides: { nodeId?: string; now?: number; nonce?: Uint8Array } = {},
  ): Record<string, string> {
    return signRequest({
      nodeId: overrides.nodeId ?? NODE_ID,
      method,
      path,
      body,
      signSeed: who.seed,
      now: overrides.now,
      nonce: overrides.nonce,
    });
  }

  it('serves public routes unsigned and refuses unsigned calls to signed routes', async () => {
    expect(await send('GET', '/healthz')).toEqual({ status: 200, body: '{"ok":true}' });
    expect(await send('GET', '/v1/rooms/R1')).toEqual({
      status: 401,
      body: '{"error":"missing auth headers"}',
    });
  });

  it('accepts a golden signed request and rejects its exact replay', async () => {
    const headers = signed(alice, 'GET', '/v1/rooms/R1');
    const first = await send('GET', '/v1/rooms/R1', { headers });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({
      room: 'R1',
      by: endpointId(ed25519PublicKey(alice.seed)),
    });
    expect(await send('GET', '/v1/rooms/R1', { headers })).toEqual({
      status: 401,
      body: '{"error":"replayed nonce"}',
    });
  });

  it('rejects skewed, tampered, re-targeted and foreign-node signatures', async () => {
    const skewed = signed(alice, 'GET', '/v1/rooms/R1', undefined, { now: Date.now() - 120_000 });
    expect((await send('GET', '/v1/rooms/R1', { headers: skewed })).status).toBe(401);
    const body = new TextEncoder().encode('{"subject":"x"}');
    const tampered = signed(alice, 'POST', '/v1/echo', body);
    const evil = new TextEncoder().encode('{"subject":"evil"}');
    expect(await send('POST', '/v1/echo', { headers: tampered, body: evil })).toEqual({
      status: 401,
      body: '{"error":"body does not match its signed digest"}',
    });
    const otherPath = signed(alice, 'GET', '/v1/rooms/R1');
    expect((await send('GET', '/v1/rooms/R2', { headers: otherPath })).status).toBe(401);
    const otherNode = signed(alice, 'GET', '/v1/rooms/R1', undefined, { nodeId: 'node-other' });
    expect(await send('GET', '/v1/rooms/R1', { headers: otherNode })).toEqual({
      status: 401,
      body: '{"error":"invalid signature"}',
    });
  });

  it('checks the allowlist before the replay cache (H7): an unregistered nonce is never cached', async () => {
    const nonce = randomBytes(16);
    const headers = signed(unregistered, 'GET', '/v1/rooms/R1', undefined, { nonce });
    for (let i = 0; i < 2; i++) {
      expect(await send('GET', '/v1/rooms/R1', { headers })).toEqual({
        status: 401,
        body: '{"error":"not authorized"}',
      });
    }
    // A registered identity reusing that nonce is fresh: keys are (public key, nonce).
    const reuse = signed(alice, 'GET', '/v1/rooms/R1', undefined, { nonce });
    expect((await send('GET', '/v1/rooms/R1', { headers: reuse })).status).toBe(200);
  });

  it('fails closed with 503 when the allowlist store errors', async () => {
    storeBroken = true;
    try {
      const headers = signed(alice, 'GET', '/v1/rooms/R1');
      expect(await send('GET', '/v1/rooms/R1', { headers })).toEqual({
        status: 503,
        body: '{"error":"service unavailable"}',
      });
    } finally {
      storeBroken = false;
    }
  });

  it('answers 405 with an Allow header for a known path and a wrong method', async () => {
    const allow = await new Promise<{ status: number; allow: string | undefined }>(
      (resolve, reject) => {
        request(
          {
            host: '127.0.0.1',
            port,
            method: 'GET',
            path: '/v1/echo',
            ca: tls.ca.certificatePem,
            agent: false,
          },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, allow: res.headers.allow });
          },
        )
          .on('error', reject)
          .end();
      },
    );
    expect(allow).toEqual({ status: 405, allow: 'POST' });
  });

  it('refuses non-canonical URIs before routing (X-09)', async () => {
    for (const path of [
      '//v1/rooms/R1',
      '/v1/./rooms/R1',
      '/v1/rooms/R1/../R2',
      '/v1/rooms%2FR1',
    ]) {
      expect((await send('GET', path)).status).toBe(400);
    }
  });

  it('answers 413 for a declared oversize body without reading it, and 411 for a chunked one', async () => {
    const declared = await new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/echo',
          ca: tls.ca.certificatePem,
          agent: false,
          headers: { 'Content-Length': String(400 * 1024 * 1024) },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, body: '' });
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(1024)); // never sends the 400 MiB it declared
    });
    expect(declared.status).toBe(413);

    const headers = signed(alice, 'POST', '/v1/echo', new Uint8Array(BODY_LIMIT + 1));
    const chunked = await new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/echo',
          ca: tls.ca.certificatePem,
          agent: false,
          headers: { ...headers, 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }),
          );
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(BODY_LIMIT));
      req.end(Buffer.alloc(1));
    });
    expect(chunked).toEqual({
      status: 411,
      body: '{"error":"request body must declare its length (Content-Length)"}',
    });
  });

  it('accepts a body of exactly the route limit', async () => {
    const body = new Uint8Array(BODY_LIMIT);
    const headers = signed(alice, 'POST', '/v1/echo', body);
    expect(await send('POST', '/v1/echo', { headers, body })).toEqual({
      status: 200,
      body: `{"length":${BODY_LIMIT}}`,
    });
  });

  it('sheds uploads with 503 once the in-flight budget is reserved', async () => {
    // Two slow uploads hold the whole 2 × limit budget; a third is refused at once.
    const holders = [0, 1].map(() => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/echo',
        ca: tls.ca.certificatePem,
        agent: false,
        headers: {
          ...signed(alice, 'POST', '/v1/echo', new Uint8Array(BODY_LIMIT)),
          'Content-Length': String(BODY_LIMIT),
        },
      });
      req.on('error', () => {});
      req.write(Buffer.alloc(10));
      return req;
    });
    await new Promise((r) => setTimeout(r, 200));
    const body = new Uint8Array(10);
    const third = await send('POST', '/v1/echo', {
      headers: signed(alice, 'POST', '/v1/echo', body),
      body,
    });
    expect(third).toEqual({ status: 503, body: '{"error":"server busy"}' });
    for (const req of holders) req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const after = await send('POST', '/v1/echo', {
      headers: signed(alice, 'POST', '/v1/echo', body),
      body,
    });
    expect(after.status).toBe(200);
  });

  it('keeps internal error detail out of 5xx bodies (H12) and passes deliberate 4xx text', async () => {
    const body = new Uint8Array(1);
    const crashed = await send('POST', '/v1/slow', {
      headers: signed(alice, 'POST', '/v1/slow', body),
      body,
    });
    expect(crashed).toEqual({ status: 500, body: '{"error":"internal error"}' });
    const denied = await send('GET', '/v1/forbidden', {
      headers: signed(alice, 'GET', '/v1/forbidden'),
    });
    expect(denied).toEqual({ status: 403, body: '{"error":"not a member"}' });
  });

  it('rate-limits one source (429) but not many distinct sources', async () => {
    frozenClock = Date.now();
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        statuses.push((await send('GET', '/healthz', { localAddress: '127.0.0.9' })).status);
      }
    } finally {
      frozenClock = null;
    }
    expect(statuses.slice(0, 40).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(40).every((status) => status === 429)).toBe(true);
    const distinct: number[] = [];
    for (let i = 10; i < 60; i++)
      distinct.push((await send('GET', '/healthz', { localAddress: `127.0.1.${i}` })).status);
    expect(distinct.filter((s) => s === 429)).toHaveLength(0);
  });
});
