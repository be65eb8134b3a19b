/**
 * Control plane, authentication: signed requests (§4), the order of the pipeline (§11.1),
 * replay protection, canonical URIs and node binding. Attacker side: raw node:https with its
 * own Ed25519 signing; the node is real (startNode).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bodySha256,
  call,
  expectError,
  freshNonce,
  newIdentity,
  newRoom,
  nowSeconds,
  send,
  signHeaders,
  startNodeUnderTest,
  utf8,
  type Identity,
  type NodeUnderTest,
} from './toolkit';

let n: NodeUnderTest;
let alice: Identity;
let bob: Identity;
const stranger = newIdentity('stranger'); // a valid key pair that was never registered

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice, bob] = await n.register('alice', 'bob');
});
afterAll(() => n?.stop());

/** Sends `method path` with headers signed over `signed` (defaults: the same request). */
function sendSigned(
  who: Identity,
  method: string,
  path: string,
  options: {
    body?: Uint8Array;
    signed?: { nodeId?: string; method?: string; path?: string; body?: Uint8Array };
    ts?: number;
    nonce?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const body = options.body ?? new Uint8Array(0);
  const auth = signHeaders(who, {
    nodeId: options.signed?.nodeId ?? n.target.nodeId,
    method: options.signed?.method ?? method,
    path: options.signed?.path ?? path,
    body: options.signed?.body ?? body,
    ...(options.ts !== undefined ? { ts: options.ts } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
  });
  return send(n.target, { method, path, body, headers: { ...auth, ...options.headers } });
}

describe('signed requests (B-AUTH)', () => {
  it('B-AUTH-01: a registered key with a correct signature is served', async () => {
    const res = await call(n.target, alice, 'GET', '/v1/me');
    expect(res.status).toBe(200);
    expect(res.json.sign_pub).toBe(alice.signPubHex);
  });

  it('B-AUTH-02: a valid signature by an unregistered key is 401 not authorized', async () => {
    expectError(await call(n.target, stranger, 'GET', '/v1/me'), 401, 'not authorized');
  });

  it('B-AUTH-03: an exact replay is refused (200, then 401 replayed nonce)', async () => {
    const headers = signHeaders(alice, { nodeId: n.target.nodeId, method: 'GET', path: '/v1/me' });
    expect((await send(n.target, { method: 'GET', path: '/v1/me', headers })).status).toBe(200);
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me', headers }),
      401,
      'replayed nonce',
    );
  });

  it('B-AUTH-04: a timestamp 120 s in the past or the future is refused', async () => {
    for (const ts of [nowSeconds() - 120, nowSeconds() + 120]) {
      expectError(await sendSigned(alice, 'GET', '/v1/me', { ts }), 401, 'timestamp out of range');
    }
    // Inside the window (±30 s) the same request is fine.
    expect((await sendSigned(alice, 'GET', '/v1/me', { ts: nowSeconds() - 20 })).status).toBe(200);
  });

  it('B-AUTH-05: a body swapped after signing is 401 (it misses its signed digest; a swapped digest breaks the signature)', async () => {
    const room = newRoom(alice);
    const signedBody = utf8(JSON.stringify(room.body));
    const evil = utf8(JSON.stringify({ ...room.body, policy: { persist: false, history: 'all' } }));
    const res = await sendSigned(alice, 'POST', '/v1/rooms', {
      body: evil,
      signed: { body: signedBody },
    });
    expectError(res, 401, 'body does not match its signed digest');
    const digestToo = await sendSigned(alice, 'POST', '/v1/rooms', {
      body: evil,
      signed: { body: signedBody },
      headers: { 'X-Unibus-Body-Sha256': bodySha256(evil) },
    });
    expectError(digestToo, 401, 'invalid signature');
    expectError(await call(n.target, alice, 'GET', `/v1/rooms/${room.roomId}`), 403);
  });

  it('B-AUTH-05b: a query, method or path swapped after signing is 401 invalid signature', async () => {
    const swaps = [
      { method: 'GET', path: '/v1/rooms?x=2', signed: { path: '/v1/rooms?x=1' } },
      { method: 'POST', path: '/v1/rooms', signed: { method: 'GET' } },
      { method: 'GET', path: '/v1/directory', signed: { path: '/v1/me' } },
    ];
    for (const s of swaps) {
      expectError(
        await sendSigned(alice, s.method, s.path, { signed: s.signed }),
        401,
        'invalid signature',
      );
    }
  });

  it('B-AUTH-06: missing or malformed auth headers are 401, never served', async () => {
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me' }),
      401,
      'missing auth headers',
    );
    const good = signHeaders(alice, { nodeId: n.target.nodeId, method: 'GET', path: '/v1/me' });
    const cases: [Record<string, string>, string][] = [
      [{ 'X-Unibus-Sig': '' }, 'missing auth headers'],
      [{ 'X-Unibus-Sig': 'not base64!' }, 'bad signature encoding'],
      [{ 'X-Unibus-Nonce': 'AAAA' }, 'bad nonce'],
      [{ 'X-Unibus-Ts': '01' }, 'bad timestamp'],
      // The key's syntax is checked with the signature, before any allowlist lookup (issue 12).
      [{ 'X-Unibus-Pub': alice.signPubHex.toUpperCase() }, 'bad public key'],
      [{ 'X-Unibus-Pub': alice.signPubHex.slice(0, 62) }, 'bad public key'],
      [{ 'X-Unibus-Pub': 'zz'.repeat(32) }, 'bad public key'],
      [{ 'X-Unibus-Body-Sha256': '' }, 'missing auth headers'],
      [{ 'X-Unibus-Body-Sha256': 'e3b0c442' }, 'bad body digest'],
    ];
    for (const [override, message] of cases) {
      const headers = {
        ...good,
        ...override,
        'X-Unibus-Nonce': override['X-Unibus-Nonce'] ?? freshNonce(),
      };
      expectError(await send(n.target, { method: 'GET', path: '/v1/me', headers }), 401, message);
    }
  });

  it('B-AUTH-07: /healthz needs no signature and shows only the posture', async () => {
    const res = await send(n.target, { method: 'GET', path: '/healthz' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json.posture).sort()).toEqual(
      [
        'acl',
        'at_rest',
        'auth',
        'cluster',
        'node_id',
        'replicas',
        'server_version',
        'store',
        'tls',
      ].sort(),
    );
  });

  it('B-AUTH-10: a revoked key is refused on its next request, without a restart', async () => {
    const [rita] = await n.register('rita');
    const room = newRoom(rita);
    expect((await call(n.target, rita, 'POST', '/v1/rooms', room.body)).status).toBe(201);
    expect(
      (await call(n.target, n.admin, 'POST', `/v1/users/${rita.signPubHex}/revoke`)).status,
    ).toBe(200);
    expectError(await call(n.target, rita, 'GET', '/v1/rooms'), 401, 'not authorized');
  });
});

describe('pipeline order and the replay cache (H7, X-04)', () => {
  it('H7: allowlist is checked before the nonce cache', async () => {
    // An unregistered key sends the very same signed request twice: "not authorized" both
    // times, never "replayed" (its nonce never reached the cache) ...
    const nonce = freshNonce();
    const ts = nowSeconds();
    const u = signHeaders(stranger, {
      nodeId: n.target.nodeId,
      method: 'GET',
      path: '/v1/me',
      ts,
      nonce,
    });
    for (let i = 0; i < 2; i++) {
      expectError(
        await send(n.target, { method: 'GET', path: '/v1/me', headers: u }),
        401,
        'not authorized',
      );
    }
    // ... a garbage signature is refused before the allowlist is even asked (issue 12: no store
    // read for an unproven key), so again nothing reached the cache,
    const garbage = { ...u, 'X-Unibus-Sig': Buffer.alloc(64, 7).toString('base64') };
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me', headers: garbage }),
      401,
      'invalid signature',
    );
    // ... and a registered user may then use that same nonce: it was never cached.
    expect((await sendSigned(alice, 'GET', '/v1/me', { ts, nonce })).status).toBe(200);
  });

  it('H7: a flood of signed requests from unregistered keys leaves replay protection intact', async () => {
    const captured = signHeaders(alice, { nodeId: n.target.nodeId, method: 'GET', path: '/v1/me' });
    expect(
      (await send(n.target, { method: 'GET', path: '/v1/me', headers: captured })).status,
    ).toBe(200);
    const flood = Array.from({ length: 300 }, () => newIdentity('u'));
    const statuses = await Promise.all(
      flood.map((u, i) =>
        call(n.target, u, 'GET', '/v1/me', undefined, {
          localAddress: `127.0.9.${1 + (i % 250)}`,
        }).then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([401]));
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me', headers: captured }),
      401,
      'replayed nonce',
    );
  });

  it('X-04: nonces are keyed by (key, nonce): two identities never collide, each replay is caught', async () => {
    const nonce = freshNonce();
    const ts = nowSeconds();
    const a = signHeaders(alice, {
      nodeId: n.target.nodeId,
      method: 'GET',
      path: '/v1/me',
      ts,
      nonce,
    });
    const b = signHeaders(bob, {
      nodeId: n.target.nodeId,
      method: 'GET',
      path: '/v1/me',
      ts,
      nonce,
    });
    expect((await send(n.target, { method: 'GET', path: '/v1/me', headers: a })).status).toBe(200);
    expect((await send(n.target, { method: 'GET', path: '/v1/me', headers: b })).status).toBe(200);
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me', headers: a }),
      401,
      'replayed nonce',
    );
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me', headers: b }),
      401,
      'replayed nonce',
    );
  });
});

describe('canonical URIs and node binding (X-09, X-10)', () => {
  it('X-09: every non-canonical URI is refused with 400 before routing, even when correctly signed', async () => {
    const roomId = newRoom(alice).roomId;
    const uris = [
      '//v1/me',
      '/v1//me',
      '/v1/./me',
      '/v1/x/../me',
      '/v1/me/',
      '/v1/%6De', // escaped unreserved character
      `/v1/rooms/${roomId}%2Fkeys`,
      `/v1/rooms/${roomId}%2fkeys`,
      '/v1/me%2E',
      '/v1/me?',
      '/v1/me#frag',
      '/v1\\me',
      `/v1/rooms/${roomId}/keys/?endpoint=${alice.endpoint}`,
      `/v1/me?${'a'.repeat(2048)}`,
    ];
    for (const path of uris) {
      expectError(await sendSigned(alice, 'GET', path), 400, 'non-canonical request path');
    }
    // Unsigned, too: the URI check runs before anything looks at credentials.
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/./me' }),
      400,
      'non-canonical request path',
    );
  });

  it('X-09: the route is chosen from the signed bytes: a query never changes whose keys are served', async () => {
    const room = newRoom(alice);
    expect((await call(n.target, alice, 'POST', '/v1/rooms', room.body)).status).toBe(201);
    const res = await call(
      n.target,
      alice,
      'GET',
      `/v1/rooms/${room.roomId}/keys?endpoint=${bob.endpoint}`,
    );
    expect(res.status).toBe(200);
    expect(res.json.map((k: { endpoint: string }) => k.endpoint)).toEqual([alice.endpoint]);
    expectError(
      await call(n.target, bob, 'GET', `/v1/rooms/${room.roomId}/keys?endpoint=${alice.endpoint}`),
      403,
      'not a member of this room',
    );
  });

  it('X-10: a request signed for another node id is refused (401 invalid signature)', async () => {
    for (const nodeId of ['staging-node', `${n.target.nodeId}x`, 'N']) {
      expectError(
        await sendSigned(alice, 'GET', '/v1/me', { signed: { nodeId } }),
        401,
        'invalid signature',
      );
    }
    // Positive control: the same request signed for this node's id (from /healthz) is served,
    // so the refusals above are about the node id and nothing else.
    const nodeId = (await send(n.target, { method: 'GET', path: '/healthz' })).json.posture.node_id;
    expect((await sendSigned(alice, 'GET', '/v1/me', { signed: { nodeId } })).status).toBe(200);
  });

  it('N3-0008: a captured request cannot be replayed against another deployment', async () => {
    // Without a cluster, "node B" is any other node id: the capture is bound to this node, so
    // it is dead everywhere else, and here its nonce is spent.
    const captured = signHeaders(alice, { nodeId: 'node-a', method: 'GET', path: '/v1/me' });
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me', headers: captured }),
      401,
      'invalid signature',
    );
    const here = signHeaders(alice, { nodeId: n.target.nodeId, method: 'GET', path: '/v1/me' });
    expect((await send(n.target, { method: 'GET', path: '/v1/me', headers: here })).status).toBe(
      200,
    );
    expectError(
      await send(n.target, { method: 'GET', path: '/v1/me', headers: here }),
      401,
      'replayed nonce',
    );
  });
});

describe('routes, status codes and error bodies (P-04, P-06, P-28, P-32, H12)', () => {
  const DOC = readFileSync(join(__dirname, '../../docs/PROTOCOL.md'), 'utf8');
  const documented = [
    ...DOC.matchAll(/^\| (GET|POST|PUT|HEAD) \| (\/\S*) \| (public|signed|newcomer) \|/gm),
  ].map((m) => ({ method: m[1]!, path: m[2]!, auth: m[3]! }));
  const concrete = (path: string) =>
    path
      .replace(':roomId', '01JD0000000000000000000000')
      .replace(':signPub', 'ab'.repeat(32))
      .replace(':inviteId', 'A'.repeat(22))
      .replace(':hash', 'cd'.repeat(32));

  it('P-32: every documented route except /healthz refuses an unsigned request with 401', async () => {
    expect(documented.length).toBeGreaterThanOrEqual(20);
    for (const route of documented) {
      const res = await send(n.target, { method: route.method, path: concrete(route.path) });
      if (route.auth === 'public') expect(res.status).toBe(200);
      else if (route.method === 'HEAD')
        expect(res.status).toBe(401); // HEAD has no body to read
      else expectError(res, 401, 'missing auth headers');
    }
  });

  it('P-04: an undocumented path is 404 for any caller, admin included (no implicit grant)', async () => {
    for (const path of [
      '/v1/admin',
      '/metrics',
      '/v1/debug',
      `/members/${alice.endpoint}/rooms`,
      `/blobs/${'a'.repeat(64)}`,
    ]) {
      expectError(await call(n.target, n.admin, 'GET', path), 404, 'not found');
    }
  });

  it('P-06: no credential is 401, an insufficient one 403, and neither sends WWW-Authenticate', async () => {
    const unauth = await call(n.target, stranger, 'GET', '/v1/users');
    expectError(unauth, 401, 'not authorized');
    const forbidden = await call(n.target, alice, 'GET', '/v1/users');
    expectError(forbidden, 403, 'admin only');
    expect(unauth.headers['www-authenticate']).toBeUndefined();
    expect(forbidden.headers['www-authenticate']).toBeUndefined();
  });

  it('P-28: a request without credentials is denied (401), whatever the route', async () => {
    expectError(
      await send(n.target, { method: 'POST', path: '/v1/rooms', body: utf8('{}') }),
      401,
      'missing auth headers',
    );
  });

  it('H12: errors reach clients as fixed messages only, never internal detail', async () => {
    const room = newRoom(alice);
    const cases: [Promise<Awaited<ReturnType<typeof send>>>, number][] = [
      [call(n.target, alice, 'GET', `/v1/rooms/${'A'.repeat(10_000)}`), 400],
      [call(n.target, alice, 'GET', `/v1/rooms/${'A'.repeat(129)}`), 404],
      [call(n.target, alice, 'POST', '/v1/rooms', utf8('{"room_id":')), 400],
      [call(n.target, alice, 'POST', '/v1/rooms', utf8('\xff\xfe')), 400],
      [call(n.target, alice, 'POST', '/v1/rooms', { ...room.body, room_id: 5 }), 400],
      [call(n.target, alice, 'POST', '/v1/rooms', { ...room.body, owner_key: { sealed: 1 } }), 400],
      [call(n.target, alice, 'POST', '/v1/rooms', JSON.parse('{"__proto__":{"admin":true}}')), 400],
      [call(n.target, alice, 'GET', `/v1/rooms/${room.roomId}/blobs/not-hex`), 400],
      [call(n.target, alice, 'GET', `/v1/rooms/${room.roomId}/keys?epoch=abc`), 403],
      [call(n.target, alice, 'DELETE', '/v1/me'), 405],
      [call(n.target, n.admin, 'POST', `/v1/users/${'zz'.repeat(32)}/revoke`), 400],
      [call(n.target, n.admin, 'POST', '/v1/users', { card: '{"v":1}' }), 400],
    ];
    const replies = await Promise.all(cases.map(([pending]) => pending));
    replies.forEach((reply, i) => expectError(reply, cases[i]![1]));
  });
});
