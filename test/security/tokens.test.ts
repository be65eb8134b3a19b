/**
 * Invite tokens and their store, against the token properties of seeds 000/002/003 (catalog
 * §3: P-01…P-26, TOK-*, KID-*, JWT-*). The attacker holds tokens (or fragments of them) and
 * newcomer keys; where a test needs a validly signed token with chosen claims it acts as the
 * node's operator and signs with the key file from the data dir.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  b64url,
  call,
  expectError,
  fromB64url,
  loopbackSource,
  newIdentity,
  parseToken,
  rawNats,
  readInviteKeys,
  signToken,
  startNodeUnderTest,
  withPayload,
  writeInviteKeys,
  type Identity,
  type NodeUnderTest,
} from './toolkit';

let n: NodeUnderTest;
let alice: Identity; // a plain member
let sources = 0;

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice] = await n.register('alice');
});
afterAll(() => n?.stop());

const mint = (body: unknown = {}) => call(n.target, n.admin, 'POST', '/v1/invites', body);
/** Redeems from a fresh source address: the join route has its own per-source budget. */
const join = (who: Identity, token: unknown, card = who.card) =>
  call(
    n.target,
    who,
    'POST',
    '/v1/join',
    { token, card },
    { localAddress: loopbackSource(1000 + sources++) },
  );
const list = () => call(n.target, n.admin, 'GET', '/v1/invites');

async function mintToken(body: unknown = {}): Promise<string> {
  const res = await mint(body);
  expect(res.status).toBe(201);
  return res.json.token as string;
}

describe('mint, show once, list without secrets (P-01, P-02, P-03, P-16)', () => {
  it('P-01: the token appears in the mint response and in no later response', async () => {
    const res = await mint({ max_uses: 2 });
    const token = res.json.token as string;
    expect(res.text).toContain(token);
    const newcomer = newIdentity('newcomer');
    const joined = await join(newcomer, token);
    expect(joined.status).toBe(201);
    const later = [
      joined,
      await list(),
      await call(n.target, n.admin, 'GET', '/v1/users'),
      await call(n.target, newcomer, 'GET', '/v1/me'),
      await call(n.target, n.admin, 'GET', '/v1/directory'),
    ];
    const { payload, signature } = parseToken(token);
    for (const r of later) {
      for (const part of [token, payload.s, signature]) expect(r.text).not.toContain(part);
    }
  });

  it('P-02: the list shows every invite as a public record only (no token, secret or hash)', async () => {
    const token = await mintToken();
    const { payload } = parseToken(token);
    const res = await list();
    const record = res.json.find((i: { id: string }) => i.id === payload.id);
    expect(Object.keys(record).sort()).toEqual(
      [
        'created_at',
        'created_by',
        'expires_at',
        'id',
        'kid',
        'max_uses',
        'revoked_at',
        'role',
        'used',
      ].sort(),
    );
    expect(res.text).not.toContain(payload.s);
    expect(res.text).not.toContain(token.split('.')[2]!);
    // The public id is independent randomness, not a slice of the secret.
    expect(payload.s).not.toContain(payload.id.slice(0, 8));
  });

  it('P-03: malformed or tampered tokens get fixed messages that never echo the token', async () => {
    const token = await mintToken();
    const { payload, signature } = parseToken(token);
    const variants = [
      token.slice(0, -3),
      token.replace('ubi1.', 'ubi2.'),
      `${token}.x`,
      withPayload({ ...payload, role: 'admin' }, signature),
      token.toUpperCase(),
      token + 'A'.repeat(2000),
    ];
    for (const variant of variants) {
      const res = await join(newIdentity('probe'), variant);
      expectError(res, 403, /^(malformed invite|invalid invite signature|unknown invite key)$/);
      for (const part of [token, payload.s, signature, variant])
        expect(res.text).not.toContain(part);
    }
  });

  it('P-16: 50 invites get 50 distinct ids and secrets', async () => {
    // Ten at a time: each JSON request holds its route's 1 MiB body limit while in flight, and
    // one key may hold 24 MiB, so 50 at once may rightly get 429 on a slow machine.
    const payloads: ReturnType<typeof parseToken>['payload'][] = [];
    for (let batch = 0; batch < 5; batch++) {
      const minted = await Promise.all(Array.from({ length: 10 }, () => mintToken()));
      payloads.push(...minted.map((t) => parseToken(t).payload));
    }
    expect(new Set(payloads.map((p) => p.id)).size).toBe(50);
    expect(new Set(payloads.map((p) => p.s)).size).toBe(50);
  });
});

describe('scopes, roles and escalation (P-04, P-05, P-07, P-10)', () => {
  it('P-04: a token with no or an unknown role grants nothing (fail closed on an empty scope)', async () => {
    const key = readInviteKeys(n.dataDir);
    const seed = fromB64url(key.keys.find((k) => k.kid === key.primary)!.seed);
    const base = parseToken(await mintToken()).payload;
    for (const role of ['', '*', 'root', undefined]) {
      const forged = signToken({ ...base, role, id: b64url(randomBytes(16)) }, seed);
      const res = await join(newIdentity('scope'), forged);
      expectError(res, 403, /^(malformed invite|unknown invite)$/);
    }
  });

  it('P-05: roles match exactly when minting: anything but member or admin is 400', async () => {
    for (const role of ['Admin', 'ADMIN', 'root', '*', 'admin ', '', 'member,admin']) {
      expectError(await mint({ role }), 400, 'role must be member or admin');
    }
  });

  it('P-07: members cannot mint, list or revoke invites, and a member invite makes a member', async () => {
    expectError(
      await call(n.target, alice, 'POST', '/v1/invites', { role: 'admin' }),
      403,
      'admin only',
    );
    expectError(await call(n.target, alice, 'GET', '/v1/invites'), 403, 'admin only');
    const id = parseToken(await mintToken()).payload.id;
    expectError(await call(n.target, alice, 'POST', `/v1/invites/${id}/revoke`), 403, 'admin only');
    const newcomer = newIdentity('joiner');
    const joined = await join(newcomer, await mintToken({ role: 'member' }));
    expect(joined.json.user.role).toBe('member');
    expectError(await call(n.target, newcomer, 'POST', '/v1/invites', {}), 403, 'admin only');
    // A token cannot enrol somebody else's key: the request must be signed by the card's key.
    const other = newIdentity('other');
    expectError(
      await join(newcomer, await mintToken(), other.card),
      403,
      'the request must be signed by the key on the card',
    );
  });

  it('P-10: unknown token formats grant nothing', async () => {
    const probe = newIdentity('legacy');
    for (const token of [
      '',
      '*',
      'ubi1',
      'ubi1..',
      'secret\t*',
      'a'.repeat(64),
      42,
      null,
      ['ubi1'],
    ]) {
      expectError(await join(probe, token), 403, 'malformed invite');
    }
    expectError(await call(n.target, probe, 'GET', '/v1/me'), 401, 'not authorized');
  });
});

describe('revocation and the store (P-08, P-12, P-14, P-15, P-23)', () => {
  it('P-08: revoke is 200 once, then 409; unknown ids are 404; a revoked token is refused', async () => {
    const token = await mintToken();
    const { id } = parseToken(token).payload;
    const revoke = () => call(n.target, n.admin, 'POST', `/v1/invites/${id}/revoke`);
    expect((await revoke()).json).toEqual({ id, revoked: true });
    expectError(await revoke(), 409, 'invite already revoked');
    expectError(
      await call(n.target, n.admin, 'POST', `/v1/invites/${'Q'.repeat(22)}/revoke`),
      404,
      'no such invite',
    );
    expectError(await join(newIdentity('late'), token), 403, 'invite revoked');
  });

  it('P-12: an invite is durable before its token is shown; a revocation before it is answered', async () => {
    const { id } = parseToken(await mintToken()).payload;
    expect((await list()).json.map((i: { id: string }) => i.id)).toContain(id);
    await call(n.target, n.admin, 'POST', `/v1/invites/${id}/revoke`);
    const record = (await list()).json.find((i: { id: string }) => i.id === id);
    expect(record.revoked_at).toEqual(expect.any(Number));
  });

  it('P-14: 10 parallel mints all land; 12 newcomers racing for 5 uses get exactly 5', async () => {
    const before = (await list()).json.length;
    await Promise.all(Array.from({ length: 10 }, () => mintToken()));
    expect((await list()).json.length).toBe(before + 10);
    const token = await mintToken({ max_uses: 5 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => join(newIdentity(`racer${i}`), token)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    for (const r of results.filter((x) => x.status !== 201)) {
      expectError(r, 403, /^(invite already used|invite is busy, try again)$/);
    }
    const record = (await list()).json.find(
      (i: { id: string }) => i.id === parseToken(token).payload.id,
    );
    expect(record.used).toBe(5);
  });

  it('P-15: a newly joined key works at once on the control plane and the data plane', async () => {
    const newcomer = newIdentity('fresh');
    expect((await join(newcomer, await mintToken())).status).toBe(201);
    expect((await call(n.target, newcomer, 'GET', '/v1/me')).status).toBe(200);
    const nc = await rawNats(n.nats, newcomer);
    await nc.nc.close();
  });

  it('B-AUTH-03 (join): a replayed join is single-use by construction (409), and never a second user', async () => {
    const newcomer = newIdentity('replayer');
    const token = await mintToken({ max_uses: 3 });
    expect((await join(newcomer, token)).status).toBe(201);
    expectError(await join(newcomer, token), 409, 'already registered');
    const record = (await list()).json.find(
      (i: { id: string }) => i.id === parseToken(token).payload.id,
    );
    expect(record.used).toBe(1);
  });

  it('X-08: guessing tokens is rate limited per source (429 after 10 join attempts)', async () => {
    const source = loopbackSource(1900);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const probe = newIdentity('guess');
      const guess = `ubi1.${b64url(randomBytes(90))}.${b64url(randomBytes(64))}`;
      statuses.push(
        (
          await call(
            n.target,
            probe,
            'POST',
            '/v1/join',
            { token: guess, card: probe.card },
            { localAddress: source },
          )
        ).status,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

describe('signed claims and keys (P-18, P-19, P-21, P-22, P-20)', () => {
  it('P-18: the key id is mandatory and only the named key is tried', async () => {
    const { payload, signature } = parseToken(await mintToken());
    const { kid: _kid, ...noKid } = payload;
    expectError(
      await join(newIdentity('k'), withPayload(noKid, signature)),
      403,
      'malformed invite',
    );
    // With an unknown kid the original signature is never even tried against the real key.
    expectError(
      await join(newIdentity('k'), withPayload({ ...payload, kid: 'nope' }, signature)),
      403,
      'unknown invite key',
    );
  });

  it('P-19: the algorithm is fixed: other prefixes, JWT-style "none" tokens and bad signatures are refused', async () => {
    const token = await mintToken();
    const [, payload, signature] = token.split('.');
    const none = b64url(Buffer.from('{"alg":"none","typ":"JWT"}'));
    for (const variant of [
      `ubi0.${payload}.${signature}`,
      `${none}.${payload}.`,
      `ubi1.${payload}.`,
      `ubi1.${payload}.${signature!.slice(0, 84)}`,
    ]) {
      expectError(await join(newIdentity('alg'), variant), 403, 'malformed invite');
    }
    const flipped = signature!.startsWith('A')
      ? `B${signature!.slice(1)}`
      : `A${signature!.slice(1)}`;
    expectError(
      await join(newIdentity('alg'), `ubi1.${payload}.${flipped}`),
      403,
      'invalid invite signature',
    );
  });

  it('P-21: expiry and audience (node) are enforced; even a validly signed token must match its stored hash', async () => {
    const keys = readInviteKeys(n.dataDir);
    const seed = fromB64url(keys.keys.find((k) => k.kid === keys.primary)!.seed);
    const real = parseToken(await mintToken()).payload;
    const now = Math.floor(Date.now() / 1000);
    const cases: [unknown, string][] = [
      [{ ...real, exp: now - 1 }, 'invite expired'],
      [{ ...real, node: 'staging-node' }, 'invite is for another node'],
      [{ ...real, role: 'admin' }, 'unknown invite'], // same id, different token: hash mismatch
      [{ ...real, id: b64url(randomBytes(16)) }, 'unknown invite'],
    ];
    for (const [payload, message] of cases) {
      expectError(await join(newIdentity('claims'), signToken(payload, seed)), 403, message);
    }
    expectError(await mint({ ttl_seconds: 59 }), 400, /^ttl_seconds must be an integer from 60 to/);
    expectError(
      await mint({ ttl_seconds: 2_592_001 }),
      400,
      /^ttl_seconds must be an integer from 60 to/,
    );
    expectError(await mint({ max_uses: 1001 }), 400, /^max_uses must be an integer from 1 to/);
  });

  it('P-22: there is no shared or dev key: each node signs with its own random key', async () => {
    const keys = readInviteKeys(n.dataDir);
    expect(keys.keys).toHaveLength(1);
    const seed = fromB64url(keys.keys[0]!.seed);
    expect(seed.length).toBe(32);
    expect(new Set(seed).size).toBeGreaterThan(16);
    const { kid } = parseToken(await mintToken()).payload;
    expect(kid).toBe(keys.primary);
    expect(kid).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(kid).not.toMatch(/dev|test|default/i);
  });

  it('P-20: rotation: a new primary signs, the old key still verifies, dropping it revokes its tokens', async () => {
    const old = await mintToken({ max_uses: 3 });
    const ring = readInviteKeys(n.dataDir);
    const next = { kid: 'k2rotate', seed: b64url(randomBytes(32)) };
    await n.restart(() =>
      writeInviteKeys(n.dataDir, { primary: next.kid, keys: [...ring.keys, next] }),
    );
    expect(parseToken(await mintToken()).payload.kid).toBe(next.kid);
    expect((await join(newIdentity('rot1'), old)).status).toBe(201);
    await n.restart(() => writeInviteKeys(n.dataDir, { primary: next.kid, keys: [next] }));
    expectError(await join(newIdentity('rot2'), old), 403, 'unknown invite key');
  });

  it('KID-02: a key ring that breaks the construction rules stops the node from starting', async () => {
    const good = readInviteKeys(n.dataDir);
    const bad = [
      { primary: 'x', keys: [] },
      { primary: 'a', keys: [{ kid: 'a', seed: b64url(randomBytes(16)) }] },
      {
        primary: 'a',
        keys: [
          { kid: 'a', seed: good.keys[0]!.seed },
          { kid: 'a', seed: good.keys[0]!.seed },
        ],
      },
      { primary: 'missing', keys: good.keys },
    ];
    for (const ring of bad) {
      await expect(n.restart(() => writeInviteKeys(n.dataDir, ring))).rejects.toThrow(
        /InviteKeyRing|invite-keys\.json is damaged/,
      );
    }
    await n.restart(() => writeInviteKeys(n.dataDir, good));
    expect((await call(n.target, alice, 'GET', '/v1/me')).status).toBe(200);
  });
});
