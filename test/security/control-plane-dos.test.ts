/**
 * Control plane, resource exhaustion: per-route body ceilings checked before a byte is read
 * (H1), the per-IP rate limit before auth (H1), the global in-flight byte budget (N2-0006),
 * header limits and the timeouts that cut slow senders. Memory is measured from /proc (T5):
 * the node runs in this process, so the figure also counts the attacker's own buffers and is an
 * upper bound for the node.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  expectError,
  loopbackSource,
  MiB,
  newRoom,
  openUpload,
  pump,
  rawTls,
  rssSampler,
  send,
  signHeaders,
  sleep,
  startNodeUnderTest,
  stopSamplers,
  type Identity,
  type NodeUnderTest,
} from './toolkit';

const CHUNK_LIMIT = 4 * MiB + 16; // blob_chunk_bytes
const JSON_LIMIT = MiB; // json_body_bytes
const JOIN_LIMIT = 16 * 1024;

let n: NodeUnderTest;
let alice: Identity;
/** Registered uploaders: at most 5 full chunks each fit one key's 24 MiB in-flight cap. */
let uploaders: readonly Identity[];
let roomId: string;
const blobPath = (hash: string) => `/v1/rooms/${roomId}/blobs/${hash}`;

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice] = await n.register('alice');
  uploaders = await n.register('u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7');
  const room = newRoom(alice);
  roomId = room.roomId;
  expect((await call(n.target, alice, 'POST', '/v1/rooms', room.body)).status).toBe(201);
});
afterEach(() => stopSamplers());
afterAll(() => n?.stop());

/** A correctly signed chunk upload of `bytes` into alice's room. */
function putChunk(bytes: Uint8Array) {
  const hash = createHash('sha256').update(bytes).digest('hex');
  return call(n.target, alice, 'PUT', blobPath(hash), bytes);
}

/** Headers that name alice's key without her signature (chunked bodies are refused before auth). */
const aliceClaim = () => ({ 'X-Unibus-Pub': alice.signPubHex });

const FULL_CHUNK = new Uint8Array(CHUNK_LIMIT);

/**
 * `count` uploads, correctly signed by registered users in turn (so they pass every check up
 * to the body and reserve budget), that declare a full chunk, send 64 KiB and then stall.
 */
async function stalledUploads(count: number, from: number) {
  const path = blobPath(createHash('sha256').update(FULL_CHUNK).digest('hex'));
  const uploads = Array.from({ length: count }, (_, i) => {
    const upload = openUpload(n.target, {
      method: 'PUT',
      path,
      length: CHUNK_LIMIT,
      headers: signHeaders(uploaders[i % uploaders.length]!, {
        nodeId: n.target.nodeId,
        method: 'PUT',
        path,
        body: FULL_CHUNK,
      }),
      localAddress: loopbackSource(from + i),
    });
    upload.write(new Uint8Array(64 * 1024));
    return upload;
  });
  const settled = new Map<number, number | string>();
  uploads.forEach((u, i) => void u.outcome.then((o) => settled.set(i, o)));
  await sleep(1_500); // refusals are immediate; the admitted ones keep waiting for their body
  return { uploads, refused: [...settled.values()] };
}

describe('body ceilings (H1)', () => {
  it('H1: a declared oversize body is refused with 413 before it is sent, on every body route', async () => {
    const routes: [string, string, number][] = [
      ['PUT', blobPath('ab'.repeat(32)), 400 * MiB],
      ['POST', '/v1/rooms', JSON_LIMIT + 1],
      ['POST', '/v1/join', JOIN_LIMIT + 1],
      ['GET', '/v1/me', 1], // a route without a body
    ];
    for (const [method, path, length] of routes) {
      const upload = openUpload(n.target, { method, path, length });
      upload.write(new Uint8Array(1024));
      const status = await upload.outcome;
      expect({ path, status }).toEqual({ path, status: 413 });
      expect(upload.bytesWritten()).toBe(1024); // answered while the body was still unsent
      upload.destroy();
    }
  });

  it('H1: a body of undeclared length (chunked) is refused (411) before any of it is read', async () => {
    for (const path of [blobPath('ab'.repeat(32)), '/v1/rooms']) {
      const upload = openUpload(n.target, {
        method: path === '/v1/rooms' ? 'POST' : 'PUT',
        path,
        length: 'chunked',
        headers: aliceClaim(),
      });
      await pump(upload, new Uint8Array(256 * 1024), 64 * MiB);
      expect([411, 'EPIPE', 'ECONNRESET']).toContain(await upload.outcome);
      await upload.closed;
      expect(upload.bytesWritten()).toBeLessThan(64 * MiB);
    }
  });

  it('H1: 40 unauthenticated 400 MiB bodies (declared and chunked, 10 at a time) grow RSS by < 96 MiB', async () => {
    const rss = rssSampler(n.pids());
    const outcomes: (number | string)[] = [];
    const block = new Uint8Array(256 * 1024);
    for (let batch = 0; batch < 4; batch++) {
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, async (_, j) => {
            const i = batch * 10 + j;
            const upload = openUpload(n.target, {
              method: 'PUT',
              path: blobPath('ab'.repeat(32)),
              length: i % 2 === 0 ? 400 * MiB : 'chunked',
              localAddress: loopbackSource(i),
            });
            await pump(upload, block, 400 * MiB);
            const outcome = await upload.outcome;
            upload.destroy();
            return outcome;
          }),
        )),
      );
    }
    const { baseline, peak } = rss.stop();
    console.log(
      `H1 flood: RSS baseline ${(baseline / MiB).toFixed(0)} MiB, growth ${((peak - baseline) / MiB).toFixed(1)} MiB`,
    );
    expect(outcomes.filter((_, i) => i % 2 === 0).every((s) => s === 413)).toBe(true);
    expect(
      outcomes.filter((_, i) => i % 2 === 1).every((s) => [411, 'EPIPE', 'ECONNRESET'].includes(s)),
    ).toBe(true);
    expect(peak - baseline).toBeLessThan(96 * MiB);
  });

  it('H1: a body of exactly the ceiling is accepted; one byte more is 413 (blob and JSON routes)', async () => {
    expect((await putChunk(new Uint8Array(randomBytes(CHUNK_LIMIT)))).status).toBe(201);
    const over = new Uint8Array(CHUNK_LIMIT + 1);
    const hash = createHash('sha256').update(over).digest('hex');
    expectError(
      await call(n.target, alice, 'PUT', blobPath(hash), over),
      413,
      'request body too large',
    );
    // A JSON body of exactly 1 MiB is read and judged on its content (400), one more byte is not read.
    const exact = new Uint8Array(JSON_LIMIT).fill(0x20);
    expectError(await call(n.target, alice, 'POST', '/v1/rooms', exact), 400, 'body must be JSON');
    expectError(
      await call(n.target, alice, 'POST', '/v1/rooms', new Uint8Array(JSON_LIMIT + 1)),
      413,
      'request body too large',
    );
  });
});

describe('per-IP rate limit (H1)', () => {
  it('H1: a single-source flood gets 429 before auth; 100 distinct sources get none; X-Forwarded-For does not reset it', async () => {
    // A node of its own with a low per-source rate: at the default 100/s a loaded machine may
    // serve the flood slower than the bucket refills, and then nothing is limited.
    const slowNode = await startNodeUnderTest({ requestsPerSourcePerSecond: 10 });
    try {
      const [member] = await slowNode.register('alice');
      await floodFromOneSource(slowNode, member!);
    } finally {
      await slowNode.stop();
    }
  });
});

/** 800 requests from one source address, a quarter of them signed by `member`. */
async function floodFromOneSource(node: NodeUnderTest, member: Identity): Promise<void> {
  const source = loopbackSource(400);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 32,
    localAddress: source,
    ca: node.target.caPem,
  });
  // Every fourth request is correctly signed by a registered user and claims another client
  // address: the limiter answers before auth and keys on the TCP peer only.
  const replies = await Promise.all(
    Array.from({ length: 800 }, (_, i) => {
      const signed = i % 4 === 3;
      const headers = signed
        ? {
            ...signHeaders(member, { nodeId: node.target.nodeId, method: 'GET', path: '/v1/me' }),
            'X-Forwarded-For': `203.0.113.${i % 250}`,
          }
        : {};
      return send(node.target, { method: 'GET', path: '/v1/me', headers, agent }).then((r) => ({
        signed,
        r,
      }));
    }),
  );
  agent.destroy();
  const limited = replies.filter(({ r }) => r.status === 429);
  expect(limited.filter(({ signed }) => !signed).length).toBeGreaterThan(0);
  expect(limited.filter(({ signed }) => signed).length).toBeGreaterThan(0);
  expect(new Set(replies.map(({ signed, r }) => `${signed}:${r.status}`))).toEqual(
    new Set(['false:401', 'false:429', 'true:200', 'true:429']),
  );
  expectError(limited[0]!.r, 429, 'rate limited');
  expect(limited[0]!.r.headers['retry-after']).toBe('1');

  const distinct = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      send(node.target, { method: 'GET', path: '/healthz', localAddress: loopbackSource(500 + i) }),
    ),
  );
  expect(distinct.filter((r) => r.status === 429)).toHaveLength(0);
}

describe('in-flight byte budget (N2-0006)', () => {
  it('N2-0006: 40 concurrent full-size uploads: at most 31 admitted (128 MiB), the rest 503; nothing leaks', async () => {
    const rss = rssSampler(n.pids());
    const storm = await stalledUploads(40, 600);
    expect(storm.refused.filter((s) => s === 503)).toHaveLength(40 - 31);
    expect(storm.refused.every((s) => s === 503)).toBe(true);
    // The node still answers what needs no budget, and refuses what does.
    expect((await send(n.target, { method: 'GET', path: '/healthz' })).status).toBe(200);
    expectError(await putChunk(new Uint8Array(randomBytes(64))), 503, 'server busy');
    for (const u of storm.uploads) u.destroy();
    await Promise.all(storm.uploads.map((u) => u.closed));
    await sleep(200);
    // Every reservation came back: a normal upload works and a second storm behaves the same.
    expect((await putChunk(new Uint8Array(randomBytes(64)))).status).toBe(201);
    const second = await stalledUploads(40, 700);
    expect(second.refused.filter((s) => s === 503)).toHaveLength(9);
    for (const u of second.uploads) u.destroy();
    const { baseline, peak } = rss.stop();
    expect(peak - baseline).toBeLessThan(2 * 128 * MiB + 64 * MiB);
  });

  it('N2-0006: unregistered uploaders cannot reserve the budget at all (401 before any reservation)', async () => {
    const strangers = Array.from({ length: 40 }, (_, i) =>
      openUpload(n.target, {
        method: 'PUT',
        path: blobPath('ab'.repeat(32)),
        length: CHUNK_LIMIT,
        headers: { 'X-Unibus-Pub': 'ab'.repeat(32) },
        localAddress: loopbackSource(800 + i),
      }),
    );
    const outcomes = await Promise.all(strangers.map((u) => u.outcome));
    expect(new Set(outcomes)).toEqual(new Set([401]));
    expect((await putChunk(new Uint8Array(randomBytes(64)))).status).toBe(201);
  });
});

describe('headers and slow senders (H1, N2 residual)', () => {
  it('H1: a 2 MiB header block is refused (431 or closed) and memory stays flat', async () => {
    const rss = rssSampler(n.pids());
    const res = await send(n.target, {
      method: 'GET',
      path: '/healthz',
      headers: { 'X-Pad': 'a'.repeat(2 * MiB) },
    }).catch((error: NodeJS.ErrnoException) => error.code);
    expect([431, 'ECONNRESET', 'EPIPE']).toContain(typeof res === 'object' ? res.status : res);
    const { baseline, peak } = rss.stop();
    expect(peak - baseline).toBeLessThan(32 * MiB);
  });

  it('N2-0006 slow-hold / H1 slowloris: trickling headers and bodies are cut, and the budget comes back', async () => {
    // 31 uploads take the whole budget and then send one byte per second ...
    const held = await stalledUploads(32, 900);
    expect(held.refused).toEqual([503]);
    const trickle = setInterval(
      () => held.uploads.forEach((u) => u.write(new Uint8Array(1))),
      1_000,
    );
    // ... while 20 sockets send their request headers one byte per second.
    const slow = await Promise.all(
      Array.from({ length: 20 }, (_, i) => rawTls(n.target, loopbackSource(950 + i))),
    );
    const request = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(1000);
    let at = 0;
    const drip = setInterval(() => {
      for (const s of slow) if (s.writable) s.write(request[at % request.length]!);
      at++;
    }, 1_000);
    const started = Date.now();
    const headerCut = Promise.all(slow.map((s) => new Promise((r) => s.once('close', r)))).then(
      () => Date.now() - started,
    );
    const bodyCut = Promise.all(held.uploads.map((u) => u.closed)).then(() => Date.now() - started);
    try {
      expectError(await putChunk(new Uint8Array(randomBytes(64))), 503, 'server busy');
      const [headersMs, bodiesMs] = await Promise.all([headerCut, bodyCut]);
      console.log(`slow senders cut after: headers ${headersMs} ms, bodies ${bodiesMs} ms`);
      // headersTimeout 10 s and requestTimeout 30 s, enforced by Node's periodic check (30 s).
      expect(headersMs).toBeLessThan(45_000);
      expect(bodiesMs).toBeLessThan(70_000);
    } finally {
      clearInterval(trickle);
      clearInterval(drip);
    }
    expect((await putChunk(new Uint8Array(randomBytes(64)))).status).toBe(201);
  });
});
