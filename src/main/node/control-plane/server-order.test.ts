/**
 * The pipeline's order where it matters most (issue 12, Build 5): the signature is checked,
 * over the declared body digest, before anything that costs the node — no store lookup, no
 * replay-cache entry, no in-flight budget — for forged, junk or incomplete auth headers.
 */
import { once } from 'node:events';
import { request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointId, ed25519PublicKey, randomBytes } from '../../crypto';
import { signRequest } from '../../protocol';
import { generateNodeTlsMaterial } from '../tls/certificates';
import { InflightLimiter } from './inflight-limiter';
import { RateLimiter } from './rate-limiter';
import { ReplayCache } from './replay-cache';
import { createControlPlaneServer } from './server';

const NODE_ID = 'node-order';
const seed = randomBytes(32);
const pubHex = Buffer.from(ed25519PublicKey(seed)).toString('hex');

describe('control plane - signature before the store, the cache and the budget', () => {
  let server: Server;
  let port: number;
  let ca: string;
  let lookups = 0;
  const replayCache = new ReplayCache({ ttlMs: 60_000, maxEntries: 100 });
  const inflight = new InflightLimiter(1024 * 1024);

  beforeAll(async () => {
    const tls = await generateNodeTlsMaterial({ subjectAltNames: [] });
    ca = tls.ca.certificatePem;
    server = createControlPlaneServer({
      nodeId: NODE_ID,
      tls: { key: tls.server.privateKeyPem, cert: tls.server.certificatePem },
      routes: [
        {
          method: 'POST',
          path: '/v1/echo',
          auth: 'signed',
          maxBodyBytes: 1024,
          handle: async ({ body }) => ({ status: 200, json: { length: body.length } }),
        },
      ],
      lookupSigner: async (key) => {
        lookups++;
        return key === pubHex
          ? { signPubHex: pubHex, endpoint: endpointId(ed25519PublicKey(seed)), role: 'member' }
          : null;
      },
      rateLimiter: new RateLimiter({ ratePerSecond: 1000, burst: 1000, maxSources: 10 }),
      inflight,
      replayCache,
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  function post(headers: Record<string, string>, body: Uint8Array): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/echo', ca, agent: false, headers },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('forged, junk and digest-less headers are 401 with no lookup, no cache entry, no reservation', async () => {
    const body = new TextEncoder().encode('{"a":1}');
    const good = signRequest({
      nodeId: NODE_ID,
      method: 'POST',
      path: '/v1/echo',
      body,
      signSeed: seed,
    });
    const { 'X-Unibus-Body-Sha256': _digest, ...noDigest } = good;
    const cases: [Record<string, string>, string][] = [
      [{ ...good, 'X-Unibus-Sig': `${'A'.repeat(86)}==` }, 'invalid signature'],
      [{ ...good, 'X-Unibus-Pub': '*' }, 'bad public key'],
      [{ ...good, 'X-Unibus-Body-Sha256': 'ab'.repeat(32) }, 'invalid signature'],
      [noDigest, 'missing auth headers'],
    ];
    for (const [headers, error] of cases) {
      expect(await post(headers, body)).toBe(`401 {"error":"${error}"}`);
    }
    expect({ lookups, cached: replayCache.size, reserved: inflight.reservedBytes }).toEqual({
      lookups: 0,
      cached: 0,
      reserved: 0,
    });
    // The genuine request then passes every step, once.
    expect(await post(good, body)).toBe('200 {"length":7}');
    expect(await post(good, body)).toBe('401 {"error":"replayed nonce"}');
    expect({ lookups, cached: replayCache.size }).toEqual({ lookups: 2, cached: 1 });
  });
});
