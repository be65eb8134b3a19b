import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AclInputError,
  DENY_ALL,
  compileAcl,
  compileUserAccess,
  inboxPrefix,
  roomMessageSubject,
  roomStreamName,
  roomSubjects,
  userEventSubject,
  type MembershipState,
} from '../index.js';

const NK = {
  alice: 'UAI5UPFXDAY4JET5Y4KSRZ3JTXE5P63VGMHG766OUZSPLNR3QAUHZWCJ',
  bob: 'UDKBWDCNKN7FEGF6CYHWWQ26AWXYKBKYAQN3IKB4MEFRYQBGQ7HUI7YU',
  eve: 'UB67O4WYALP3GD5DZMYVYZND3VWNACUA6BKLP3NFKCQH4BIAKBEAQTUC',
  mallory: 'UBLNVYDZB53LG6RRZCVTFVDTPJ2KAJRYHTHPSGVU65NZLNBCYE5B4R37',
};

const STATE: MembershipState = {
  users: [
    { uid: 'bob', nkey: NK.bob, active: true },
    { uid: 'alice', nkey: NK.alice, active: true },
    { uid: 'eve', nkey: NK.eve, active: true },
    { uid: 'mallory', nkey: NK.mallory, active: false },
  ],
  rooms: [
    { roomId: 'S', members: ['alice', 'mallory', 'ghost'] },
    { roomId: 'R', members: ['bob', 'alice'] },
    { roomId: 'empty', members: [] },
  ],
};

const GOLDEN = join(import.meta.dirname, 'golden');

function golden(name: string, value: unknown): void {
  const file = join(GOLDEN, `${name}.json`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  // Compared parsed, so Prettier's layout of the golden file does not matter.
  expect(JSON.parse(JSON.stringify(value))).toStrictEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('subject scheme', () => {
  it('names', () => {
    expect(roomSubjects('R')).toBe('unibus.room.R.>');
    expect(roomMessageSubject('R')).toBe('unibus.room.R.msg');
    expect(roomStreamName('R')).toBe('UNIBUS_R');
    expect(inboxPrefix('u1')).toBe('_INBOX_u1');
    expect(userEventSubject('u1')).toBe('unibus.user.u1.events');
  });
  it.each(['', 'a.b', 'a*', 'a>', 'a b', 'x'.repeat(65), 'é'])('rejects id %j', (id) => {
    expect(() => roomSubjects(id)).toThrow(AclInputError);
    expect(() => inboxPrefix(id)).toThrow(AclInputError);
  });
});

describe('compileAcl', () => {
  const out = compileAcl(STATE);

  it('matches the golden output', () => golden('three-users-two-rooms', out));

  it('is deterministic regardless of input order', () => {
    const shuffled: MembershipState = {
      users: [...STATE.users].reverse(),
      rooms: [...STATE.rooms].reverse().map((r) => ({ ...r, members: [...r.members].reverse() })),
    };
    expect(compileAcl(shuffled)).toEqual(out);
  });

  it('leaves revoked users out and ignores unknown members', () => {
    expect(out.map((u) => u.uid)).toEqual(['alice', 'bob', 'eve']);
    expect(JSON.stringify(out)).not.toContain('mallory');
    expect(JSON.stringify(out)).not.toContain('ghost');
  });

  it('a user without rooms may publish nothing (never an empty allow list)', () => {
    const eve = out.find((u) => u.uid === 'eve')!;
    expect(eve.permissions.publish).toEqual(DENY_ALL);
    expect(eve.permissions.subscribe.allow).toEqual(['_INBOX_eve.>', 'unibus.user.eve.events']);
  });

  it("never grants the forbidden classes: only core subjects of the user's rooms and inbox", () => {
    for (const u of out) {
      const grants = [...u.permissions.publish.allow, ...u.permissions.subscribe.allow];
      for (const g of grants) {
        // No JetStream at all (members read history over the control plane): nothing a member
        // may publish is answered by the server with a message it can steer (DECISIONS.md §22).
        expect(g).not.toMatch(/^(>|\$JS\.|\$KV\.|\$O\.|\$SYS\.|_INBOX\.|KV_|OBJ_)/);
        expect(g).toMatch(
          new RegExp(
            `^(unibus\\.room\\.[^.]+\\.>|_INBOX_${u.uid}\\.>|unibus\\.user\\.${u.uid}\\.events)$`,
          ),
        );
        // every room grant is one of the user's rooms
        const room = /^unibus\.room\.([^.]+)\./.exec(g)?.[1];
        if (room) expect(u.rooms).toContain(room);
      }
      expect(u.permissions.subscribe.deny).toContain('_INBOX.>');
      expect(u.permissions.publish.deny).toContain(u.rooms.length > 0 ? '$JS.>' : '>');
      expect(u.permissions).not.toHaveProperty('allowResponses');
    }
  });

  it("compileUserAccess: one user's grant is exactly their part of the full compile", () => {
    const alice = compileUserAccess({ uid: 'alice', nkey: NK.alice, active: true }, ['S', 'R']);
    expect(alice).toEqual(out.find((u) => u.uid === 'alice'));
    expect(compileUserAccess({ uid: 'm', nkey: NK.mallory, active: false }, ['S'])).toBeNull();
  });

  it.each<[string, MembershipState, RegExp]>([
    ['bad uid', { users: [{ uid: 'a.b', nkey: NK.alice, active: true }], rooms: [] }, /uid/],
    ['bad nkey', { users: [{ uid: 'a', nkey: 'SUAxyz', active: true }], rooms: [] }, /nkey/],
    [
      'duplicate uid',
      {
        users: [
          { uid: 'a', nkey: NK.alice, active: true },
          { uid: 'a', nkey: NK.bob, active: true },
        ],
        rooms: [],
      },
      /duplicate uid/,
    ],
    [
      'duplicate nkey',
      {
        users: [
          { uid: 'a', nkey: NK.alice, active: true },
          { uid: 'b', nkey: NK.alice, active: true },
        ],
        rooms: [],
      },
      /duplicate nkey/,
    ],
    ['bad room id', { users: [], rooms: [{ roomId: 'R.>', members: [] }] }, /roomId/],
    [
      'duplicate room',
      {
        users: [],
        rooms: [
          { roomId: 'R', members: [] },
          { roomId: 'R', members: [] },
        ],
      },
      /duplicate room/,
    ],
  ])('refuses %s', (_n, state, re) => {
    expect(() => compileAcl(state)).toThrow(AclInputError);
    expect(() => compileAcl(state)).toThrow(re);
  });
});
