/**
 * Strict JSON bodies on every route (issue 12, "Also: duplicate JSON keys … BOM"). A parser
 * that keeps the last of two equal keys lets a body mean one thing to a reviewer, a proxy or a
 * logging tool and another to the node (`{"role":"member","role":"admin"}`); a leading UTF-8
 * BOM is not JSON (RFC 8259 §8.1). Both are a typed 400 before any handler acts on the body.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  concat,
  expectError,
  newIdentity,
  newRoom,
  utf8,
  type Identity,
  type NodeUnderTest,
  startNodeUnderTest,
} from './toolkit';

const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
const DUPLICATE = 'duplicate key in JSON: ';
const BOM_MESSAGE = 'body must not start with a byte order mark';

let n: NodeUnderTest;
let alice: Identity;
let roomId: string;

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice] = await n.register('alice');
  const room = newRoom(alice);
  roomId = room.roomId;
  expect((await call(n.target, alice, 'POST', '/v1/rooms', room.body)).status).toBe(201);
});
afterAll(() => n?.stop());

/** Every documented route that takes a JSON body (PROTOCOL.md §11.2: POST with a body limit). */
const DOC = readFileSync(join(__dirname, '../../docs/PROTOCOL.md'), 'utf8');
const jsonRoutes = [...DOC.matchAll(/^\| POST \| (\/\S*) \| (signed|newcomer) \| ([1-9]\d*) \|/gm)]
  .map((m) => m[1]!)
  .filter((path) => !path.includes(':hash'));

/** Who may call each route, and a key its body accepts (so a duplicate is the only fault). */
const CALLERS: Record<string, { who: () => Identity; key: string; value: string }> = {
  '/v1/users': { who: () => n.admin, key: 'role', value: '"member"' },
  '/v1/rooms': { who: () => alice, key: 'owner', value: '"x"' },
  '/v1/rooms/:roomId/members': { who: () => alice, key: 'endpoint', value: '"x"' },
  '/v1/rooms/:roomId/kick': { who: () => alice, key: 'endpoint', value: '"x"' },
  '/v1/invites': { who: () => n.admin, key: 'role', value: '"member"' },
  '/v1/join': { who: () => newIdentity('newcomer'), key: 'token', value: '"x"' },
  '/v1/rooms/:roomId/blobs/have': { who: () => alice, key: 'hashes', value: '[]' },
  '/v1/invite-keys/rotate': { who: () => n.admin, key: 'grace_seconds', value: '60' },
};

const concrete = (path: string) => path.replace(':roomId', roomId);

async function inviteCount(): Promise<number> {
  return ((await call(n.target, n.admin, 'GET', '/v1/invites')).json as unknown[]).length;
}

describe('duplicate keys and a byte order mark, on every JSON route', () => {
  it('R-12.J1: every documented JSON route refuses a repeated key with a typed 400', async () => {
    expect(jsonRoutes.length).toBeGreaterThanOrEqual(7);
    for (const path of jsonRoutes) {
      const caller = CALLERS[path];
      expect({ path, known: caller !== undefined }).toEqual({ path, known: true });
      const { who, key, value } = caller!;
      const body = utf8(`{"${key}":${value},"${key}":${value}}`);
      const reply = await call(n.target, who(), 'POST', concrete(path), body, {
        contentType: 'application/json',
      });
      expect({ path, status: reply.status, error: reply.json?.error }).toEqual({
        path,
        status: 400,
        error: `${DUPLICATE}${key}`,
      });
      expectError(reply, 400);
    }
  });

  it('R-12.J2: every documented JSON route refuses a body that starts with a UTF-8 BOM', async () => {
    for (const path of jsonRoutes) {
      const { who } = CALLERS[path]!;
      const reply = await call(n.target, who(), 'POST', concrete(path), concat(BOM, utf8('{}')), {
        contentType: 'application/json',
      });
      expect({ path, status: reply.status, error: reply.json?.error }).toEqual({
        path,
        status: 400,
        error: BOM_MESSAGE,
      });
    }
  });

  it('R-12.J3: {"role":"member","role":"admin"} mints nothing (also spelled with an escape, nested, or after a BOM)', async () => {
    const before = await inviteCount();
    const bodies = [
      utf8('{"role":"member","role":"admin"}'),
      utf8('{"role":"member","r\\u006fle":"admin"}'),
      concat(BOM, utf8('{"role":"admin"}')),
    ];
    const replies = [];
    for (const body of bodies) {
      replies.push(
        await call(n.target, n.admin, 'POST', '/v1/invites', body, {
          contentType: 'application/json',
        }),
      );
    }
    console.log(
      `R-12.J3 answers: ${replies.map((r) => `${r.status} ${r.json?.error ?? r.json?.invite?.role}`).join(' | ')}`,
    );
    expectError(replies[0]!, 400, `${DUPLICATE}role`);
    expectError(replies[1]!, 400, `${DUPLICATE}role`);
    expectError(replies[2]!, 400, BOM_MESSAGE);
    expect(await inviteCount()).toBe(before);

    // Nested: a repeated key inside `policy` of a new room.
    const room = newRoom(alice);
    const nested = JSON.stringify(room.body).replace(
      '"policy":{"persist":true,',
      '"policy":{"persist":true,"persist":false,',
    );
    expect(nested).toContain('"persist":true,"persist":false');
    expectError(
      await call(n.target, alice, 'POST', '/v1/rooms', utf8(nested), {
        contentType: 'application/json',
      }),
      400,
      `${DUPLICATE}persist`,
    );
    expectError(await call(n.target, alice, 'GET', `/v1/rooms/${room.roomId}`), 403);
  });

  it('R-12.J4: an identity card that repeats "handle" is refused where cards enter (users, join)', async () => {
    const mallory = newIdentity('mallory');
    const card = mallory.card.replace('"handle":"mallory"', '"handle":"mallory","handle":"admin"');
    expect(card).toContain('"handle":"admin"');
    const added = await call(n.target, n.admin, 'POST', '/v1/users', { card });
    expectError(added, 400, /^bad identity card: .*repeats a key/);
    const token = (await call(n.target, n.admin, 'POST', '/v1/invites', {})).json.token as string;
    const joined = await call(n.target, mallory, 'POST', '/v1/join', { token, card });
    expectError(joined, 400, /^bad identity card: .*repeats a key/);
    expectError(await call(n.target, mallory, 'GET', '/v1/me'), 401, 'not authorized');
  });
});
