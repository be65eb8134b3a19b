/**
 * Control plane, authorization: who may read which room, key and chunk (H3, X-12, P-38), owner
 * spoofing (H6), replaying an owner's signed grant (H11), the admin-only user routes (B-USR,
 * P-39, P-40) and policies that would weaken rooms (H4a, X-06).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  expectError,
  grant,
  newRoom,
  startNodeUnderTest,
  type Identity,
  type NewRoom,
  type NodeUnderTest,
} from './toolkit';

let n: NodeUnderTest;
let alice: Identity; // owner of room R
let bob: Identity; // registered, member of nothing of alice's
let carol: Identity; // plain member of R
let mallory: Identity; // plain member of R, attacker
let victim: Identity;
let R: NewRoom;
const chunk = new Uint8Array(randomBytes(300));
const chunkHash = createHash('sha256').update(chunk).digest('hex');

const api = (who: Identity, method: string, path: string, body?: unknown) =>
  call(n.target, who, method, path, body);

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice, bob, carol, mallory, victim] = await n.register(
    'alice',
    'bob',
    'carol',
    'mallory',
    'victim',
  );
  R = newRoom(alice);
  expect((await api(alice, 'POST', '/v1/rooms', R.body)).status).toBe(201);
  for (const member of [carol, mallory]) {
    const added = await api(alice, 'POST', `/v1/rooms/${R.roomId}/members`, {
      endpoint: member.endpoint,
      keys: [grant(alice, R.roomId, 1, R.roomKey, member)],
    });
    expect(added.status).toBe(201);
  }
  expect((await api(alice, 'PUT', `/v1/rooms/${R.roomId}/blobs/${chunkHash}`, chunk)).status).toBe(
    201,
  );
});
afterAll(() => n?.stop());

/** Nothing that identifies members or names the room's subjects. */
function expectNoRoomData(text: string): void {
  for (const secret of [
    alice.signPubHex,
    alice.endpoint,
    carol.endpoint,
    'unibus.room',
    'sealed',
    'kex_pub',
  ]) {
    expect(text).not.toContain(secret);
  }
}

describe('horizontal access (H3, B-DISC-01, P-38)', () => {
  it('H3: a registered non-member gets 403 on the room, its members and its keys, and learns nothing', async () => {
    const paths = [
      `/v1/rooms/${R.roomId}`,
      `/v1/rooms/${R.roomId}/members`,
      `/v1/rooms/${R.roomId}/keys`,
      `/v1/rooms/${R.roomId}/keys?endpoint=${alice.endpoint}`,
      `/v1/rooms/${R.roomId}/keys?endpoint=${bob.endpoint}`,
    ];
    for (const path of paths) {
      const res = await api(bob, 'GET', path);
      expectError(res, 403, 'not a member of this room');
      expectNoRoomData(res.text);
    }
    // The seed's per-endpoint room directory does not exist here at all.
    expectError(await api(bob, 'GET', `/members/${alice.endpoint}/rooms`), 404, 'not found');
  });

  it('H3: a non-member cannot tell an existing room from a missing one', async () => {
    const foreign = await api(bob, 'GET', `/v1/rooms/${R.roomId}/members`);
    const missing = await api(bob, 'GET', `/v1/rooms/${newRoom(bob).roomId}/members`);
    expect({ status: missing.status, text: missing.text }).toEqual({
      status: foreign.status,
      text: foreign.text,
    });
  });

  it('P-38: members read the room, but only their own sealed keys, whatever the query says', async () => {
    for (const who of [alice, carol]) {
      expect((await api(who, 'GET', `/v1/rooms/${R.roomId}`)).status).toBe(200);
      expect((await api(who, 'GET', `/v1/rooms/${R.roomId}/members`)).status).toBe(200);
      const keys = await api(who, 'GET', `/v1/rooms/${R.roomId}/keys?endpoint=${alice.endpoint}`);
      expect(keys.status).toBe(200);
      expect(keys.json.map((k: { endpoint: string }) => k.endpoint)).toEqual([who.endpoint]);
    }
    // A node admin who is not a member gets nothing either.
    expectError(
      await api(n.admin, 'GET', `/v1/rooms/${R.roomId}/keys`),
      403,
      'not a member of this room',
    );
  });

  it("B-DISC-01: room discovery lists only the caller's own rooms", async () => {
    const mine = (await api(carol, 'GET', '/v1/rooms')).json.map(
      (r: { room: { room_id: string } }) => r.room.room_id,
    );
    const his = (await api(bob, 'GET', '/v1/rooms')).json.map(
      (r: { room: { room_id: string } }) => r.room.room_id,
    );
    expect(mine).toContain(R.roomId);
    expect(his).not.toContain(R.roomId);
  });
});

describe('owner spoofing (H6)', () => {
  it('H6: the declared owner of a new room is the signer; foreign owners and foreign owner keys are 403', async () => {
    const spoofOwner = newRoom(mallory);
    expectError(
      await api(mallory, 'POST', '/v1/rooms', { ...spoofOwner.body, owner: victim.endpoint }),
      403,
      'the owner of a new room must be the signer',
    );
    // An owner key sealed to the victim (granted by mallory, so correctly signed).
    const spoofKey = newRoom(mallory);
    spoofKey.body.owner_key = grant(mallory, spoofKey.roomId, 1, spoofKey.roomKey, victim);
    expectError(
      await api(mallory, 'POST', '/v1/rooms', spoofKey.body),
      403,
      'the owner of a new room must be the signer',
    );
    // An owner key that claims the victim as granter cannot carry the victim's signature.
    const forged = newRoom(mallory);
    forged.body.owner_key = { ...forged.body.owner_key, granter: victim.endpoint };
    expectError(
      await api(mallory, 'POST', '/v1/rooms', forged.body),
      400,
      'sealed key must be signed by the caller',
    );
    const victimsRooms = await api(victim, 'GET', '/v1/rooms');
    expect(victimsRooms.json).toEqual([]);
    // Self-owned: fine.
    const own = newRoom(mallory);
    const created = await api(mallory, 'POST', '/v1/rooms', {
      ...own.body,
      owner: mallory.endpoint,
    });
    expect(created.status).toBe(201);
    expect(created.json.room.owner).toBe(mallory.endpoint);
  });
});

describe('encrypted chunks (X-12, B-BLOB-01, H9)', () => {
  it('X-12: a chunk is readable only through a room that references it, by its members', async () => {
    expect((await api(mallory, 'GET', `/v1/rooms/${R.roomId}/blobs/${chunkHash}`)).bytes).toEqual(
      chunk,
    );
    expectError(
      await api(bob, 'GET', `/v1/rooms/${R.roomId}/blobs/${chunkHash}`),
      403,
      'not a member of this room',
    );
    expectError(
      await api(bob, 'PUT', `/v1/rooms/${R.roomId}/blobs/${chunkHash}`, chunk),
      403,
      'not a member of this room',
    );
    // Knowing the hash from elsewhere grants nothing, even through a room bob owns.
    const own = newRoom(bob);
    expect((await api(bob, 'POST', '/v1/rooms', own.body)).status).toBe(201);
    expectError(
      await api(bob, 'GET', `/v1/rooms/${own.roomId}/blobs/${chunkHash}`),
      404,
      'no such blob in this room',
    );
    expect((await api(bob, 'HEAD', `/v1/rooms/${own.roomId}/blobs/${chunkHash}`)).status).toBe(404);
    const have = await api(bob, 'POST', `/v1/rooms/${own.roomId}/blobs/have`, {
      hashes: [chunkHash],
    });
    expect(have.json).toEqual({ have: [] });
  });

  it('B-BLOB-01: chunks are content-addressed: wrong bytes are never stored under a hash', async () => {
    const other = new Uint8Array(randomBytes(100));
    const fake = 'e'.repeat(64);
    expectError(
      await api(alice, 'PUT', `/v1/rooms/${R.roomId}/blobs/${fake}`, other),
      400,
      'body does not match its hash',
    );
    expectError(
      await api(alice, 'GET', `/v1/rooms/${R.roomId}/blobs/${fake}`),
      404,
      'no such blob in this room',
    );
    expectError(await api(alice, 'GET', `/v1/rooms/${R.roomId}/blobs/${'f'.repeat(64)}`), 404);
    expectError(
      await api(alice, 'GET', `/v1/rooms/${R.roomId}/blobs/NOTHEX`),
      400,
      'hash must be 64 lowercase hex',
    );
    expectError(
      await api(alice, 'GET', `/v1/rooms/${R.roomId}/blobs/../../etc/passwd`),
      400,
      'non-canonical request path',
    );
  });
});

describe('replaying an owner-signed grant (H11)', () => {
  it("H11: a captured owner grant cannot re-add a kicked member, in anyone's envelope", async () => {
    const room = newRoom(alice);
    expect((await api(alice, 'POST', '/v1/rooms', room.body)).status).toBe(201);
    for (const m of [carol, mallory]) {
      expect(
        (
          await api(alice, 'POST', `/v1/rooms/${room.roomId}/members`, {
            endpoint: m.endpoint,
            keys: [grant(alice, room.roomId, 1, room.roomKey, m)],
          })
        ).status,
      ).toBe(201);
    }
    const captured = {
      endpoint: carol.endpoint,
      keys: [grant(alice, room.roomId, 1, room.roomKey, carol)],
    };
    const next = new Uint8Array(randomBytes(32));
    const kick = await api(alice, 'POST', `/v1/rooms/${room.roomId}/kick`, {
      endpoint: carol.endpoint,
      epoch: 2,
      keys: [alice, mallory].map((m) => grant(alice, room.roomId, 2, next, m)),
    });
    expect(kick.status).toBe(200);
    const path = `/v1/rooms/${room.roomId}/members`;
    expectError(
      await api(mallory, 'POST', path, captured),
      403,
      'only the room owner or an admin can change membership',
    );
    expectError(await api(bob, 'POST', path, captured), 403, 'not a member of this room');
    // Even the owner's own stale payload does not bring carol back into the new epoch.
    expectError(
      await api(alice, 'POST', path, captured),
      400,
      'the invitee needs the current key (epoch 2)',
    );
    expectError(
      await api(carol, 'GET', `/v1/rooms/${room.roomId}/keys`),
      403,
      'not a member of this room',
    );
  });
});

describe('admin-only user management (B-USR, P-39, P-40, B-KV-01)', () => {
  it('B-USR-01: members get 403 on every user-management route; bad input is 400', async () => {
    expectError(await api(carol, 'GET', '/v1/users'), 403, 'admin only');
    expectError(await api(carol, 'POST', '/v1/users', { card: victim.card }), 403, 'admin only');
    expectError(await api(carol, 'POST', `/v1/users/${bob.signPubHex}/revoke`), 403, 'admin only');
    expectError(
      await api(n.admin, 'POST', `/v1/users/${'a'.repeat(63)}/revoke`),
      400,
      'sign_pub must be 64 hex characters',
    );
    expectError(
      await api(n.admin, 'POST', '/v1/users', { card: victim.card, role: 'root' }),
      400,
      'role must be member or admin',
    );
  });

  it('P-39: re-adding a known key is 409 and never changes its role', async () => {
    expectError(
      await api(n.admin, 'POST', '/v1/users', { card: bob.card, role: 'admin' }),
      409,
      'user already exists',
    );
    const users = (await api(n.admin, 'GET', '/v1/users')).json as {
      sign_pub: string;
      role: string;
    }[];
    expect(users.find((u) => u.sign_pub === bob.signPubHex)?.role).toBe('member');
    expectError(await api(bob, 'GET', '/v1/users'), 403, 'admin only');
  });

  it('P-40: revocation is an auditable status flip (kept, stamped, final), matched case-insensitively', async () => {
    const [temp] = await n.register('temp');
    const revoked = await api(n.admin, 'POST', `/v1/users/${temp.signPubHex.toUpperCase()}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ sign_pub: temp.signPubHex, status: 'revoked' });
    expect(revoked.json.revoked_at).toEqual(expect.any(Number));
    expect(revoked.json.acl_revoked_at).toEqual(expect.any(Number));
    const listed = (await api(n.admin, 'GET', '/v1/users')).json.find(
      (u: { sign_pub: string }) => u.sign_pub === temp.signPubHex,
    );
    expect(listed).toMatchObject({ status: 'revoked', revoked_at: revoked.json.revoked_at });
    expectError(
      await api(n.admin, 'POST', `/v1/users/${temp.signPubHex}/revoke`),
      409,
      'user already revoked',
    );
    expectError(
      await api(n.admin, 'POST', `/v1/users/${'ab'.repeat(32)}/revoke`),
      404,
      'no such user',
    );
    expectError(
      await api(n.admin, 'POST', '/v1/users', { card: temp.card }),
      409,
      'user already exists',
    );
    expectError(await api(temp, 'GET', '/v1/me'), 401, 'not authorized');
  });

  it('B-USR-02: the last admin cannot be revoked', async () => {
    expectError(
      await api(n.admin, 'POST', `/v1/users/${n.admin.signPubHex}/revoke`),
      409,
      'cannot revoke the last admin',
    );
  });
});

describe('room policies (H4a, X-06)', () => {
  it('X-06: a cleartext or unsigned room cannot be expressed: the policy has exactly persist and history', async () => {
    for (const extra of [
      { encrypt: false },
      { sign_msgs: false },
      { encrypt: true, sign_msgs: false },
    ]) {
      const room = newRoom(alice);
      const body = { ...room.body, policy: { ...room.body.policy, ...extra } };
      expectError(
        await api(alice, 'POST', '/v1/rooms', body),
        400,
        'policy must have exactly persist and history',
      );
    }
  });
});
