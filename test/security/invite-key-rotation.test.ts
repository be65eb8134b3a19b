/**
 * Signing keys that rotate (issue 12, Build 6). An admin replaces the invite-signing key: new
 * links name the new key, links signed by the old one keep working for the grace period the
 * admin chose and are refused after it — also after a restart. Nobody else can rotate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  expectError,
  newIdentity,
  parseToken,
  send,
  sleep,
  startNodeUnderTest,
  type Identity,
  type NodeUnderTest,
} from './toolkit';

let n: NodeUnderTest;
let alice: Identity;
const stranger = newIdentity('stranger');

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice] = await n.register('alice');
});
afterAll(() => n?.stop());

async function mint(): Promise<string> {
  const res = await call(n.target, n.admin, 'POST', '/v1/invites', {});
  expect(res.status).toBe(201);
  return res.json.token as string;
}

// Each joiner needs a handle of its own: the node refuses a second "joiner" (issue 12, Build 1).
let joiners = 0;
function redeem(token: string, who = newIdentity(`joiner${++joiners}`)) {
  return call(n.target, who, 'POST', '/v1/join', { token, card: who.card });
}

describe('who may rotate (issue 12, Build 6)', () => {
  it('R-12.K1: a member, an unregistered key and an unsigned request cannot rotate or list the keys', async () => {
    const before = parseToken(await mint()).payload.kid;
    expectError(
      await call(n.target, alice, 'POST', '/v1/invite-keys/rotate', {}),
      403,
      'admin only',
    );
    expectError(await call(n.target, alice, 'GET', '/v1/invite-keys'), 403, 'admin only');
    expectError(
      await call(n.target, stranger, 'POST', '/v1/invite-keys/rotate', {}),
      401,
      'not authorized',
    );
    expectError(
      await send(n.target, { method: 'POST', path: '/v1/invite-keys/rotate' }),
      401,
      'missing auth headers',
    );
    // Nothing changed: new links still carry the same key id.
    expect(parseToken(await mint()).payload.kid).toBe(before);
  });
});

describe('rotation with a grace period (issue 12, Build 6)', () => {
  it('R-12.K2: new links carry the new key; old links work during the grace period and are refused after it, also after a restart', async () => {
    const old1 = await mint();
    const old2 = await mint();
    const old3 = await mint();
    const oldKid = parseToken(old1).payload.kid;

    const rotated = await call(n.target, n.admin, 'POST', '/v1/invite-keys/rotate', {
      grace_seconds: 3,
    });
    expect(rotated.status).toBe(200);
    const newKid = rotated.json.kid as string;
    expect(newKid).not.toBe(oldKid);
    const retiring = (rotated.json.keys as { kid: string; retires_at: number | null }[]).find(
      (k) => k.kid === oldKid,
    );
    expect(retiring?.retires_at).toEqual(expect.any(Number));
    const listed = await call(n.target, n.admin, 'GET', '/v1/invite-keys');
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({ keys: rotated.json.keys });

    const fresh = await mint();
    expect(parseToken(fresh).payload.kid).toBe(newKid);
    // Inside the grace period the old key still verifies.
    expect((await redeem(old1)).status).toBe(201);

    // After it, the old key's links are refused with a message saying why.
    while (Date.now() < retiring!.retires_at! * 1000 + 1_100) await sleep(100);
    const late = await redeem(old2);
    console.log(`R-12.K2: an old-key link after the grace period: ${late.status} ${late.text}`);
    expectError(late, 403, 'invite signed by a retired key');
    expect((await redeem(fresh)).status).toBe(201);

    await n.restart();
    expectError(await redeem(old3), 403, 'invite signed by a retired key');
    expect(parseToken(await mint()).payload.kid).toBe(newKid);
  });

  it('R-12.K3: a rotation with no grace period cuts old links at once; bad grace values are a typed 400', async () => {
    const old = await mint();
    const res = await call(n.target, n.admin, 'POST', '/v1/invite-keys/rotate', {
      grace_seconds: 0,
    });
    expect(res.status).toBe(200);
    expectError(await redeem(old), 403, 'invite signed by a retired key');
    for (const grace_seconds of [-1, 1.5, '60', 30 * 24 * 3600 + 1]) {
      expectError(
        await call(n.target, n.admin, 'POST', '/v1/invite-keys/rotate', { grace_seconds }),
        400,
        'grace_seconds must be an integer from 0 to 2592000',
      );
    }
  });
});
