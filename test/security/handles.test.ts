/**
 * Impersonation by handle (issue 12, PROTOCOL.md §2.1): a second "alice" must not get in, in any
 * spelling a reader could take for "alice". The attacker holds a valid invite (or is an admin
 * adding a card) and fresh keys of their own; the node must refuse the handle with a sentence,
 * without spending the invite, and keep refusing under a race of two joins for one name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  expectError,
  loopbackSource,
  newIdentity,
  startNodeUnderTest,
  type Identity,
  type NodeUnderTest,
} from './toolkit';

let n: NodeUnderTest;
let alice: Identity;
let sources = 0;

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice] = await n.register('alice');
});
afterAll(() => n?.stop());

const refusal = (existing: string) =>
  `Someone on this node already uses a name that looks like '${existing}'. Choose another name`;

/** Redeems from a fresh source address (the join route has a per-source budget). */
const join = (who: Identity, token: string) =>
  call(
    n.target,
    who,
    'POST',
    '/v1/join',
    { token, card: who.card },
    { localAddress: loopbackSource(2000 + sources++) },
  );

async function mintToken(maxUses: number): Promise<{ token: string; id: string }> {
  const res = await call(n.target, n.admin, 'POST', '/v1/invites', { max_uses: maxUses });
  expect(res.status).toBe(201);
  return { token: res.json.token as string, id: res.json.invite.id as string };
}

async function usesOf(inviteId: string): Promise<number> {
  const res = await call(n.target, n.admin, 'GET', '/v1/invites');
  return (res.json as { id: string; used: number }[]).find((i) => i.id === inviteId)!.used;
}

const LOOK_ALIKES_OF_ALICE = {
  exact: 'alice',
  'case-changed': 'Alice',
  'all capitals': 'ALICE',
  'fullwidth (U+FF21…)': '\uff21\uff2c\uff29\uff23\uff25',
  'Cyrillic a (U+0430)': '\u0430lice',
  'Greek Alpha and capital I for l (mixed)': '\u0391Iice',
} as const;

describe('a second "alice" is refused at join (issue 12, PROTOCOL.md §2.1)', () => {
  it.each(Object.entries(LOOK_ALIKES_OF_ALICE))('refused: %s', async (_, handle) => {
    const { token, id } = await mintToken(1);
    const impostor = newIdentity(handle);
    expectError(await join(impostor, token), 409, refusal('alice'));
    // Nothing is lost: the invite is unspent, the key is not registered.
    expect(await usesOf(id)).toBe(0);
    expect((await call(n.target, impostor, 'GET', '/v1/me')).status).toBe(401);
  });

  it('the same handles are refused through the admin route (POST /v1/users)', async () => {
    for (const handle of Object.values(LOOK_ALIKES_OF_ALICE)) {
      const res = await call(n.target, n.admin, 'POST', '/v1/users', {
        card: newIdentity(handle).card,
      });
      expectError(res, 409, refusal('alice'));
    }
  });

  it('fullwidth "ａdmin" looks like the admin and is refused', async () => {
    const { token } = await mintToken(1);
    expectError(await join(newIdentity('\uff41dmin'), token), 409, refusal('admin'));
  });

  it('a name that only shares letters ("alicia") joins', async () => {
    const { token } = await mintToken(1);
    expect((await join(newIdentity('alicia'), token)).status).toBe(201);
  });

  it('two joins racing for look-alike names: exactly one gets in', async () => {
    const { token } = await mintToken(10);
    const results = await Promise.all(
      ['carol', 'Carol', 'CAROL', '\u0441arol'].map((h) => join(newIdentity(h), token)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.json.error).toMatch(/^Someone on this node already uses a name that looks like/);
    }
  });

  it('revoking alice frees her handle for a new identity; the old record stays revoked', async () => {
    const revoked = await call(n.target, n.admin, 'POST', `/v1/users/${alice.signPubHex}/revoke`);
    expect(revoked.status).toBe(200);
    const { token } = await mintToken(2);
    const newAlice = newIdentity('Alice');
    expect((await join(newAlice, token)).status).toBe(201);
    // And now the new one holds the name.
    expectError(await join(newIdentity('alice'), token), 409, refusal('Alice'));
    const users = (await call(n.target, n.admin, 'GET', '/v1/users')).json as {
      handle: string;
      status: string;
      sign_pub: string;
    }[];
    expect(users.find((u) => u.sign_pub === alice.signPubHex)?.status).toBe('revoked');
    expect(users.find((u) => u.sign_pub === newAlice.signPubHex)?.status).toBe('active');
  });
});
