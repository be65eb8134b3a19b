/**
 * The blob routes over real TLS against a real nats-server (JetStream KV for references and
 * quotas), for both backends: golden put/get/head/have, integrity (B-BLOB-01), membership and
 * the room-reference rule, body and quota limits (H9).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobHash } from '../blobs/blob-store';
import { BlobApiHarness, type Person } from '../blobs/testing/blob-api-harness';
import { DEFAULT_LIMITS } from './services';

const QUOTA_BYTES = 40_000;
const QUOTA_BLOBS = 6;
const ERROR_BODY = /^\{"error":"[^"]*"\}$/;

function chunk(size = 10_000): { bytes: Uint8Array; hash: string } {
  const bytes = new Uint8Array(randomBytes(size));
  return { bytes, hash: blobHash(bytes) };
}

describe.each(['file', 'object-store'] as const)('blob routes (%s backend)', (backend) => {
  let h: BlobApiHarness;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let mallory: Person;
  let roomA: string;
  let roomB: string;

  beforeAll(async () => {
    h = await BlobApiHarness.start({
      backend,
      limits: { quota_bytes_per_user: QUOTA_BYTES, quota_blobs_per_user: QUOTA_BLOBS },
    });
    alice = await h.user('alice');
    bob = await h.user('bob');
    carol = await h.user('carol');
    mallory = await h.user('mallory');
    roomA = await h.room(alice, [carol]);
    roomB = await h.room(bob);
  });

  afterAll(async () => {
    await h?.stop();
  });

  const blobPath = (roomId: string, hash: string) => `/v1/rooms/${roomId}/blobs/${hash}`;

  it('publishes the blob limits and quotas on /v1/limits', async () => {
    const res = await h.call(alice, 'GET', '/v1/limits');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({
      blob_chunk_bytes: DEFAULT_LIMITS.blob_chunk_bytes,
      blob_have_max_hashes: 8192,
      quota_bytes_per_user: QUOTA_BYTES,
      quota_blobs_per_user: QUOTA_BLOBS,
    });
  });

  it('golden path: put 201, put again 200, get, head, have', async () => {
    const c = chunk(5_000);
    const put = await h.call(alice, 'PUT', blobPath(roomA, c.hash), c.bytes);
    expect(put.status).toBe(201);
    expect(JSON.parse(put.text)).toEqual({ room_id: roomA, hash: c.hash, size: 5_000 });
    const again = await h.call(alice, 'PUT', blobPath(roomA, c.hash), c.bytes);
    expect(again.status).toBe(200);
    expect(await h.blobRefs.usage(alice.endpoint)).toEqual({ bytes: 5_000, count: 1 });

    // Another member of the room reads it.
    const got = await h.call(carol, 'GET', blobPath(roomA, c.hash));
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/octet-stream');
    expect(got.bytes.equals(Buffer.from(c.bytes))).toBe(true);

    const head = await h.call(carol, 'HEAD', blobPath(roomA, c.hash));
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('5000');
    expect(head.bytes.length).toBe(0);

    const missing = chunk().hash;
    const have = await h.json(carol, 'POST', `/v1/rooms/${roomA}/blobs/have`, {
      hashes: [missing, c.hash, c.hash],
    });
    expect(have.status).toBe(200);
    expect(JSON.parse(have.text)).toEqual({ have: [c.hash] });

    const unknown = await h.call(alice, 'GET', blobPath(roomA, missing));
    expect(unknown.status).toBe(404);
    expect((await h.call(alice, 'HEAD', blobPath(roomA, missing))).status).toBe(404);
  });

  it('rejects a body that does not match its hash, and stores nothing under any name', async () => {
    const c = chunk(2_000);
    const other = chunk(2_000);
    const res = await h.call(alice, 'PUT', blobPath(roomA, other.hash), c.bytes);
    expect(res.status).toBe(400);
    expect(res.text).toBe('{"error":"body does not match its hash"}');
    expect(await h.blobs.has(c.hash)).toBe(false);
    expect(await h.blobs.has(other.hash)).toBe(false);
    expect(await h.blobRefs.get(roomA, other.hash)).toBeNull();
    const tiny = new Uint8Array(15);
    expect((await h.call(alice, 'PUT', blobPath(roomA, blobHash(tiny)), tiny)).status).toBe(400);
  });

  it('answers 403 to a registered non-member on every blob route', async () => {
    const c = chunk(3_000);
    expect((await h.call(alice, 'PUT', blobPath(roomA, c.hash), c.bytes)).status).toBe(201);
    for (const [method, body] of [
      ['PUT', c.bytes],
      ['GET', undefined],
      ['HEAD', undefined],
    ] as const) {
      const res = await h.call(mallory, method, blobPath(roomA, c.hash), body);
      expect(res.status).toBe(403);
      expect(res.bytes.includes(Buffer.from(c.bytes.subarray(0, 32)))).toBe(false);
    }
    const have = await h.json(mallory, 'POST', `/v1/rooms/${roomA}/blobs/have`, {
      hashes: [c.hash],
    });
    expect(have.status).toBe(403);
    expect(await h.blobRefs.get(roomA, c.hash)).not.toBeNull();
    expect(await h.blobRefs.usage(mallory.endpoint)).toEqual({ bytes: 0, count: 0 });
  });

  it('X-12: a member of another room who knows the hash gets no bytes', async () => {
    const c = chunk(4_000);
    expect((await h.call(alice, 'PUT', blobPath(roomA, c.hash), c.bytes)).status).toBe(201);
    // Through the room that holds it: bob is not a member.
    const direct = await h.call(bob, 'GET', blobPath(roomA, c.hash));
    expect(direct.status).toBe(403);
    // Through his own room, which does not reference it: the same answer as an unknown hash.
    const viaOwn = await h.call(bob, 'GET', blobPath(roomB, c.hash));
    const unknown = await h.call(bob, 'GET', blobPath(roomB, chunk().hash));
    expect(viaOwn.status).toBe(404);
    expect(viaOwn.text).toBe(unknown.text);
    expect((await h.call(bob, 'HEAD', blobPath(roomB, c.hash))).status).toBe(404);
    const have = await h.json(bob, 'POST', `/v1/rooms/${roomB}/blobs/have`, { hashes: [c.hash] });
    expect(JSON.parse(have.text)).toEqual({ have: [] });
    // Holding the bytes themselves is the only way in, and then the chunk is his room's too.
    expect((await h.call(bob, 'PUT', blobPath(roomB, c.hash), c.bytes)).status).toBe(201);
    expect((await h.call(bob, 'GET', blobPath(roomB, c.hash))).status).toBe(200);
  });

  it('answers 413 to a body over blob_chunk_bytes, declared or chunked', async () => {
    const limit = DEFAULT_LIMITS.blob_chunk_bytes;
    const hash = chunk().hash;
    const path = blobPath(roomA, hash);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: h.port,
          method: 'PUT',
          path,
          ca: h.tls.ca.certificatePem,
          agent: false,
          headers: { 'Content-Length': String(limit + 1) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(1024)); // never sends what it declared
    });
    expect(status).toBe(413);
    const oversize = new Uint8Array(limit + 1);
    const res = await h.call(alice, 'PUT', blobPath(roomA, blobHash(oversize)), oversize);
    expect(res.status).toBe(413);
    expect(await h.blobs.has(blobHash(oversize))).toBe(false);
  });

  it('enforces the per-identity quota with 413 and a clear message', async () => {
    const uploads = [chunk(12_000), chunk(12_000), chunk(12_000)];
    for (const c of uploads) {
      expect((await h.call(carol, 'PUT', blobPath(roomA, c.hash), c.bytes)).status).toBe(201);
    }
    const over = chunk(12_000);
    const refused = await h.call(carol, 'PUT', blobPath(roomA, over.hash), over.bytes);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.text)).toEqual({
      error: `upload quota exceeded: 36000 of ${QUOTA_BYTES} bytes and 3 of ${QUOTA_BLOBS} chunks used`,
    });
    expect(await h.blobs.has(over.hash)).toBe(false);
    expect(await h.blobRefs.usage(carol.endpoint)).toEqual({ bytes: 36_000, count: 3 });
    // A resumed upload of a chunk the room already has is not charged again.
    expect(
      (await h.call(carol, 'PUT', blobPath(roomA, uploads[0]!.hash), uploads[0]!.bytes)).status,
    ).toBe(200);
    // Concurrent uploads cannot overshoot: 5 small chunks race for the 3 chunks left.
    const small = Array.from({ length: 5 }, () => chunk(100));
    const statuses = await Promise.all(
      small.map(async (c) => (await h.call(carol, 'PUT', blobPath(roomA, c.hash), c.bytes)).status),
    );
    expect(statuses.filter((s) => s === 201).length).toBe(3);
    expect(statuses.filter((s) => s === 413).length).toBe(2);
    expect(await h.blobRefs.usage(carol.endpoint)).toEqual({ bytes: 36_300, count: QUOTA_BLOBS });
    // Another identity's quota is its own.
    const mine = chunk(12_000);
    expect((await h.call(alice, 'PUT', blobPath(roomA, mine.hash), mine.bytes)).status).toBe(201);
  });

  it('B-BLOB-01: traversal and non-hex hashes get 400/404 without echoing the path', async () => {
    const c = chunk(1_000);
    const paths = [
      `/v1/rooms/${roomA}/blobs/../../etc/passwd`,
      `/v1/rooms/${roomA}/blobs/..%2F..%2Fetc%2Fpasswd`,
      `/v1/rooms/${roomA}/blobs/%2e%2e`,
      `/v1/rooms/${roomA}/blobs/etc-passwd`,
      `/v1/rooms/${roomA}/blobs/${'z'.repeat(64)}`,
      `/v1/rooms/${roomA}/blobs/${c.hash.toUpperCase()}`,
      `/v1/rooms/${roomA}/blobs/${c.hash.slice(1)}`,
      `/v1/rooms/${roomA}/blobs/${c.hash}0`,
      `/v1/rooms/${roomA}/blobs/${c.hash}/`,
      `/v1/rooms/${roomA}/blobs/`,
      `/v1/rooms/${roomA}/blobs/${c.hash}/../${c.hash}`,
    ];
    for (const path of paths) {
      for (const method of ['GET', 'PUT']) {
        const res = await h.call(alice, method, path, method === 'PUT' ? c.bytes : undefined);
        expect([400, 404], `${method} ${path}`).toContain(res.status);
        expect(res.text).toMatch(ERROR_BODY);
        expect(res.text).not.toMatch(/passwd|etc|\.\.|%2|z{8}/i);
        expect(res.text.toLowerCase()).not.toContain(c.hash.slice(0, 16));
      }
    }
    // Nothing reached the store under any name.
    expect(await h.blobs.has(c.hash)).toBe(false);
  });

  it('validates the have request', async () => {
    const path = `/v1/rooms/${roomA}/blobs/have`;
    const tooMany = Array.from({ length: 8193 }, (_, i) =>
      blobHash(new Uint8Array([i & 255, i >> 8])),
    );
    expect((await h.json(alice, 'POST', path, { hashes: tooMany })).status).toBe(400);
    const max = await h.json(alice, 'POST', path, { hashes: tooMany.slice(0, 8192) });
    expect(max.status).toBe(200);
    expect(JSON.parse(max.text)).toEqual({ have: [] });
    expect((await h.json(alice, 'POST', path, { hashes: ['../etc'] })).status).toBe(400);
    expect((await h.json(alice, 'POST', path, { hashes: 'x' })).status).toBe(400);
    expect((await h.json(alice, 'POST', path, { hashes: [], extra: 1 })).status).toBe(400);
    expect(JSON.parse((await h.json(alice, 'POST', path, { hashes: [] })).text)).toEqual({
      have: [],
    });
  });
});
