/**
 * No budget for the unauthenticated (issue 12, attacks 4 and 5, Build 5). Knowing a registered
 * user's public key is not a credential: without that user's signature the node spends no
 * in-flight budget, no memory for a body and no store read on the request. A registered member
 * is held to a per-key in-flight cap. Junk in `X-Unibus-Pub` is a 401 before the store is asked
 * and is not an error in the node's log.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  b64,
  call,
  expectError,
  freshNonce,
  grant,
  loopbackSource,
  MiB,
  newRoom,
  nowSeconds,
  openUpload,
  send,
  signHeaders,
  sleep,
  startNodeUnderTest,
  type Identity,
  type NodeUnderTest,
  type OpenUpload,
} from './toolkit';

const CHUNK_LIMIT = 4 * MiB + 16; // blob_chunk_bytes
const JSON_LIMIT = MiB; // json_body_bytes

let n: NodeUnderTest;
let alice: Identity;
let bob: Identity;
let mallory: Identity;
let roomId: string;
const logged: { event: string; detail: Record<string, unknown> }[] = [];
const blobPath = (hash: string) => `/v1/rooms/${roomId}/blobs/${hash}`;

beforeAll(async () => {
  n = await startNodeUnderTest({ log: (event, detail) => logged.push({ event, detail }) });
  [alice, bob, mallory] = await n.register('alice', 'bob', 'mallory');
  const room = newRoom(alice);
  roomId = room.roomId;
  expect((await call(n.target, alice, 'POST', '/v1/rooms', room.body)).status).toBe(201);
});
afterAll(() => n?.stop());

/** Headers an outsider can write knowing only `victim`'s public key: well formed, not signed by it. */
function forgedAuth(victim: Identity): Record<string, string> {
  return {
    'X-Unibus-Pub': victim.signPubHex,
    'X-Unibus-Ts': String(nowSeconds()),
    'X-Unibus-Nonce': freshNonce(),
    'X-Unibus-Sig': b64(randomBytes(64)),
    'X-Unibus-Body-Sha256': randomBytes(32).toString('hex'),
  };
}

/**
 * The attack of issue 12: `puts` slow 4 MiB uploads and `posts` slow 1 MiB JSON bodies, each on
 * its own source address, claiming registered keys; each sends 64 KiB, then one byte a second,
 * and is reopened (at most once a second) whenever the node answers or closes it. (The sockets
 * of the original attack lived up to 30 s each; refused at once now, reopening faster only
 * measures TLS handshakes, which the attacker shares this process and these 2 cores with.)
 */
function slowUploadAttack(puts: number, posts: number, firstSource: number) {
  let running = true;
  const outcomes = new Map<number | string, number>();
  const open = new Set<OpenUpload>();
  const slot = async (i: number) => {
    const isPut = i < puts;
    while (running) {
      const startedAt = Date.now();
      const upload = openUpload(n.target, {
        method: isPut ? 'PUT' : 'POST',
        path: isPut ? blobPath('ab'.repeat(32)) : '/v1/rooms',
        length: isPut ? CHUNK_LIMIT : JSON_LIMIT,
        headers: forgedAuth(isPut ? alice : n.admin),
        localAddress: loopbackSource(firstSource + i),
      });
      open.add(upload);
      upload.write(new Uint8Array(64 * 1024));
      const trickle = setInterval(() => upload.write(new Uint8Array(1)), 1_000);
      const outcome = await Promise.race([upload.outcome, upload.closed.then(() => 'closed')]);
      clearInterval(trickle);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      upload.destroy();
      open.delete(upload);
      await sleep(Math.max(0, 1_000 - (Date.now() - startedAt)));
    }
  };
  const slots = Array.from({ length: puts + posts }, (_, i) => slot(i));
  return {
    outcomes,
    stop: async () => {
      running = false;
      for (const u of open) u.destroy();
      await Promise.all(slots);
    },
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function timed<T>(what: string, latencies: Map<string, number[]>, run: () => Promise<T>) {
  const started = performance.now();
  const result = await run();
  const list = latencies.get(what) ?? [];
  list.push(performance.now() - started);
  latencies.set(what, list);
  return result;
}

/** One round of a member's everyday work: room, upload, invite, add, kick; statuses by step. */
async function memberRound(latencies: Map<string, number[]>): Promise<Record<string, number>> {
  const room = newRoom(alice);
  const created = await timed('create room', latencies, () =>
    call(n.target, alice, 'POST', '/v1/rooms', room.body),
  );
  const chunk = new Uint8Array(randomBytes(MiB));
  const hash = createHash('sha256').update(chunk).digest('hex');
  const uploaded = await timed('upload 1 MiB chunk', latencies, () =>
    call(n.target, alice, 'PUT', `/v1/rooms/${room.roomId}/blobs/${hash}`, chunk),
  );
  const invited = await timed('mint invite', latencies, () =>
    call(n.target, n.admin, 'POST', '/v1/invites', {}),
  );
  const added = await timed('add member', latencies, () =>
    call(n.target, alice, 'POST', `/v1/rooms/${room.roomId}/members`, {
      endpoint: bob.endpoint,
      keys: [grant(alice, room.roomId, 1, room.roomKey, bob)],
    }),
  );
  const kicked = await timed('kick', latencies, () =>
    call(n.target, alice, 'POST', `/v1/rooms/${room.roomId}/kick`, {
      endpoint: bob.endpoint,
      epoch: 2,
      keys: [grant(alice, room.roomId, 2, new Uint8Array(randomBytes(32)), alice)],
    }),
  );
  return {
    created: created.status,
    uploaded: uploaded.status,
    invited: invited.status,
    added: added.status,
    kicked: kicked.status,
  };
}

function report(label: string, latencies: Map<string, number[]>): void {
  for (const [what, values] of latencies) {
    console.log(
      `R-12.4 ${label}: ${what}: p50 ${percentile(values, 50).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (${values.length} rounds)`,
    );
  }
}

describe('slow uploads that only name a registered key (issue 12, attack 4)', () => {
  it('R-12.4: under 40 slow 4 MiB PUTs + 8 slow POSTs, a member uploads, creates a room, invites and kicks in 15 of 15 rounds', async () => {
    // The same work without the attack first, for comparison (not asserted: a shared machine).
    const quiet = new Map<string, number[]>();
    for (let round = 0; round < 5; round++) await memberRound(quiet);
    report('baseline, no attack', quiet);

    const attack = slowUploadAttack(40, 8, 0);
    await sleep(2_000); // every attacker socket has been opened at least once
    const latencies = new Map<string, number[]>();
    const results: Record<string, number>[] = [];
    try {
      for (let round = 0; round < 15; round++) results.push(await memberRound(latencies));
    } finally {
      await attack.stop();
    }
    report('under attack', latencies);
    const statuses: Record<string, Record<number, number>> = {};
    for (const r of results) {
      for (const [op, status] of Object.entries(r)) {
        statuses[op] ??= {};
        statuses[op][status] = (statuses[op][status] ?? 0) + 1;
      }
    }
    console.log(`R-12.4 member statuses: ${JSON.stringify(statuses)}`);
    console.log(`R-12.4 attacker outcomes: ${JSON.stringify(Object.fromEntries(attack.outcomes))}`);
    const ok = results.filter(
      (r) =>
        r.created === 201 &&
        r.uploaded === 201 &&
        r.invited === 201 &&
        r.added === 201 &&
        r.kicked === 200,
    );
    expect({ ok: ok.length, results }).toMatchObject({ ok: 15 });
    // Not one attacker request was admitted to the body stage (a 401 arrives before the body).
    expect([...attack.outcomes.keys()].every((o) => o === 401 || typeof o === 'string')).toBe(true);
  });

  it('R-12.4b: a registered member is held to a per-key in-flight cap; other members keep uploading', async () => {
    const body = new Uint8Array(CHUNK_LIMIT);
    const path = blobPath(createHash('sha256').update(body).digest('hex'));
    const held = Array.from({ length: 40 }, (_, i) => {
      const upload = openUpload(n.target, {
        method: 'PUT',
        path,
        length: CHUNK_LIMIT,
        headers: signHeaders(mallory, { nodeId: n.target.nodeId, method: 'PUT', path, body }),
        localAddress: loopbackSource(100 + i),
      });
      upload.write(new Uint8Array(64 * 1024));
      return upload;
    });
    const settled: (number | string)[] = [];
    held.forEach((u) => void u.outcome.then((o) => settled.push(o)));
    await sleep(1_500); // refusals are immediate; admitted uploads wait for their body
    try {
      const chunk = new Uint8Array(randomBytes(64 * 1024));
      const hash = createHash('sha256').update(chunk).digest('hex');
      const res = await call(n.target, alice, 'PUT', blobPath(hash), chunk);
      const admitted = 40 - settled.length;
      console.log(
        `R-12.4b: mallory's 40 signed stalled uploads: ${admitted} admitted, refusals ${JSON.stringify(settled)}; alice's upload ${res.status}`,
      );
      expect(res.status).toBe(201);
      expect(admitted).toBeGreaterThan(0);
      expect(admitted).toBeLessThanOrEqual(8);
      expect(new Set(settled)).toEqual(new Set([429]));
    } finally {
      for (const u of held) u.destroy();
      await Promise.all(held.map((u) => u.closed));
    }
  });
});

describe('junk auth headers (issue 12, attack 5)', () => {
  const junk: [string, string | string[]][] = [
    ['star', '*'],
    ['greater-than', '>'],
    ['wildcard subject', 'users.*'],
    ['dot-dot', '..'],
    ['space', ' '],
    ['percent', '%'],
    ['inner space', `${'ab'.repeat(16)} ${'ab'.repeat(15)}a`],
    ['wrong length', 'ab'.repeat(31)],
    ['non-hex', 'zz'.repeat(32)],
    ['upper-case hex', 'AB'.repeat(32)],
  ];

  it('R-12.5: junk X-Unibus-Pub values (and a repeated header) are 401 and never logged as errors', async () => {
    logged.length = 0;
    const statuses: Record<string, string> = {};
    for (const [name, value] of [
      ...junk,
      ['repeated header', [alice.signPubHex, alice.signPubHex]] as [string, string[]],
    ]) {
      for (const [method, path] of [
        ['GET', '/v1/me'],
        ['PUT', blobPath('ab'.repeat(32))],
      ] as const) {
        const auth = signHeaders(alice, { nodeId: n.target.nodeId, method, path });
        const reply = await send(n.target, {
          method,
          path,
          headers: { ...auth, 'X-Unibus-Pub': value },
        });
        statuses[`${name} ${method}`] = `${reply.status} ${reply.json?.error}`;
        expectError(reply, 401);
      }
    }
    console.log(`R-12.5 answers: ${JSON.stringify(statuses)}`);
    expect(
      logged
        .filter((l) => l.event.startsWith('control-plane.'))
        .map((l) => `${l.event} ${JSON.stringify(l.detail).slice(0, 200)}`),
    ).toEqual([]);
  });

  it('R-12.5b: with the store frozen, junk and forged auth headers are still 401 at once (no store lookup)', async () => {
    const pid = n.node.supervisor.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const replies = await Promise.all([
        ...junk.map(([, value]) =>
          send(n.target, {
            method: 'GET',
            path: '/v1/me',
            headers: {
              ...signHeaders(alice, { nodeId: n.target.nodeId, method: 'GET', path: '/v1/me' }),
              'X-Unibus-Pub': value,
            },
          }),
        ),
        send(n.target, { method: 'GET', path: '/v1/me', headers: forgedAuth(alice) }),
      ]);
      const elapsed = Date.now() - started;
      console.log(
        `R-12.5b: ${replies.length} answers with the store frozen in ${elapsed} ms: ${[...new Set(replies.map((r) => `${r.status} ${r.json?.error}`))].join(', ')}`,
      );
      for (const r of replies) expectError(r, 401);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = (await call(n.target, alice, 'GET', '/v1/me')).status === 200;
      if (!recovered) await sleep(200);
    }
    expect(recovered).toBe(true);
  });
});
