/**
 * Membership state → the closed allow-set of each active bus user. The auth callout issues it
 * in the user JWT of every connection (callout/, docs/PROTOCOL.md §12.4).
 * PURE: no I/O, no `node:` imports. Output is deterministic (sorted).
 *
 * Members live in the MEMBERS account, which has no JetStream and no imports: nothing there
 * answers a request except the node's own workers, so a member can direct no server-made
 * message (acknowledgement, status, delivery) anywhere (docs/DECISIONS.md §22). The allow-set
 * therefore holds only core subjects: their rooms, their private inbox, their event subject.
 */
import {
  AclInputError,
  assertId,
  inboxPrefix,
  roomSubjects,
  userEventSubject,
} from './subjects.js';

export interface AclUser {
  /** Endpoint id (URL-safe, no `.`): appears in subjects and consumer names. */
  readonly uid: string;
  /** The user's `U…` public nkey (from their Ed25519 signing key). */
  readonly nkey: string;
  /** Revoked users are left out: the callout refuses them. */
  readonly active: boolean;
}

export interface AclRoom {
  readonly roomId: string;
  /** uids of current members. */
  readonly members: readonly string[];
}

export interface MembershipState {
  readonly users: readonly AclUser[];
  readonly rooms: readonly AclRoom[];
}

export interface PermissionList {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/**
 * No `allow_responses`: it would let a member answer a message it received — its own echo
 * included — on any reply subject, so a member of room B could write into room A
 * (test/security/room-isolation.test.ts, "allow_responses").
 */
export interface UserPermissions {
  readonly publish: PermissionList;
  readonly subscribe: PermissionList;
}

export interface CompiledUser {
  readonly uid: string;
  readonly nkey: string;
  /** Room ids the user is a member of (sorted), for the node's bookkeeping. */
  readonly rooms: readonly string[];
  readonly permissions: UserPermissions;
}

const NKEY_USER_RE = /^U[A-Z2-7]{55}$/;

/**
 * Deny lists on top of the closed allow-set (deny overrides allow in nats-server). They never
 * overlap a grant; they keep a future grant mistake from opening these classes.
 */
export const USER_PUBLISH_DENY: readonly string[] = [
  '$JS.>',
  '$KV.>',
  '$O.>',
  '$SYS.>',
  '_INBOX.>',
  'unibus.user.>',
];

export const USER_SUBSCRIBE_DENY: readonly string[] = [
  '$JS.>',
  '$KV.>',
  '$O.>',
  '$SYS.>',
  '_INBOX.>',
];

/** Publish permissions of a user who may publish nothing. */
export const DENY_ALL: PermissionList = { allow: [], deny: ['>'] };

/**
 * Compile the allow-sets. Fails (AclInputError) on malformed ids or nkeys and on duplicate
 * uids/nkeys; room members that are not active users are ignored (fail closed).
 */
export function compileAcl(state: MembershipState): CompiledUser[] {
  const byUid = new Map<string, AclUser>();
  const nkeys = new Set<string>();
  for (const u of state.users) {
    assertId('uid', u.uid);
    if (!NKEY_USER_RE.test(u.nkey)) {
      throw new AclInputError(`user ${u.uid}: not a user public nkey`);
    }
    if (byUid.has(u.uid)) throw new AclInputError(`duplicate uid ${u.uid}`);
    if (nkeys.has(u.nkey)) throw new AclInputError(`duplicate nkey for ${u.uid}`);
    byUid.set(u.uid, u);
    nkeys.add(u.nkey);
  }
  const roomsOf = new Map<string, Set<string>>();
  const roomIds = new Set<string>();
  for (const r of state.rooms) {
    assertId('roomId', r.roomId);
    if (roomIds.has(r.roomId)) throw new AclInputError(`duplicate room ${r.roomId}`);
    roomIds.add(r.roomId);
    for (const m of r.members) {
      const u = byUid.get(m);
      if (!u || !u.active) continue;
      let set = roomsOf.get(m);
      if (!set) roomsOf.set(m, (set = new Set()));
      set.add(r.roomId);
    }
  }

  const out: CompiledUser[] = [];
  for (const u of [...byUid.values()].sort((a, b) => cmp(a.uid, b.uid))) {
    if (!u.active) continue;
    const rooms = [...(roomsOf.get(u.uid) ?? [])].sort(cmp);
    const pub: string[] = [];
    const sub: string[] = [inboxPrefix(u.uid) + '.>', userEventSubject(u.uid)];
    for (const roomId of rooms) {
      pub.push(roomSubjects(roomId));
      sub.push(roomSubjects(roomId));
    }
    out.push({
      uid: u.uid,
      nkey: u.nkey,
      rooms,
      permissions: {
        // nats-server reads an EMPTY allow list as "allow everything" (verified on 2.14.9),
        // so a user with nothing to publish gets an explicit deny-all instead.
        publish: pub.length > 0 ? { allow: pub, deny: USER_PUBLISH_DENY } : DENY_ALL,
        subscribe: { allow: sub, deny: USER_SUBSCRIBE_DENY },
      },
    });
  }
  return out;
}

/** The allow-set of one user (what the callout grants a connection), or null when revoked. */
export function compileUserAccess(user: AclUser, roomIds: readonly string[]): CompiledUser | null {
  const [compiled] = compileAcl({
    users: [user],
    rooms: roomIds.map((roomId) => ({ roomId, members: [user.uid] })),
  });
  return compiled ?? null;
}

/** Code-point order (locale-independent, so the output is the same on every machine). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
