/**
 * The node's state on JetStream KV. One implementation serves a single node (R1) and a cluster
 * (R3): only the bucket replica count differs. Reads used for authorization propagate
 * StoreUnavailableError, so callers deny on any store failure.
 *
 * KV has no multi-key transactions, so multi-step writes are ordered to fail safe: grants are
 * written before the membership that makes them reachable, and a removal deletes the
 * authoritative member key first, so a crash in between never leaves more access than intended.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { StoreConflictError } from './errors';
import { HANDLES_BUCKET, HandleClaims, isHandleClaim, type HandleClaim } from './handle-claims';
import { KvTable } from './kv-table';
import {
  isEndpointIndex,
  isMemberRecord,
  isMembershipIndex,
  isRoomRecord,
  isSealedKeyRecord,
  isUserRecord,
  type MemberRecord,
  type MemberRole,
  type RoomRecord,
  type SealedKeyRecord,
  type UserRecord,
  type UserRole,
} from './records';

export const BUCKETS = {
  users: 'UNIBUS_users',
  endpoints: 'UNIBUS_endpoints',
  rooms: 'UNIBUS_rooms',
  members: 'UNIBUS_members',
  memberships: 'UNIBUS_rooms_by_member',
  roomKeys: 'UNIBUS_room_keys',
} as const;

/** The seed's KV operation budget (004:12257). */
export const DEFAULT_STORE_TIMEOUT_MS = 5_000;

export interface NodeStoreOptions {
  readonly replicas: 1 | 3;
  readonly timeoutMs?: number;
}

export interface NewUser {
  readonly signPubHex: string;
  readonly endpoint: string;
  readonly kexPub: string;
  readonly handle: string;
  readonly role: UserRole;
}

export class NodeStore {
  private readonly handles: HandleClaims;

  private constructor(
    private readonly users: KvTable<UserRecord>,
    private readonly endpoints: KvTable<{ readonly sign_pub: string }>,
    private readonly rooms: KvTable<RoomRecord>,
    private readonly members: KvTable<MemberRecord>,
    private readonly memberships: KvTable<{ readonly role: MemberRole }>,
    private readonly roomKeys: KvTable<SealedKeyRecord>,
    handleClaims: KvTable<HandleClaim>,
  ) {
    this.handles = new HandleClaims(
      handleClaims,
      (signPubHex) => this.getUser(signPubHex),
      () => this.listUsers(),
    );
  }

  /** Creates the buckets if absent (idempotent) and opens them. */
  static async open(nc: NatsConnection, options: NodeStoreOptions): Promise<NodeStore> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
    const open = <T>(bucket: string, isValid: (v: unknown) => v is T) =>
      KvTable.open(nc, bucket, isValid, { replicas: options.replicas, timeoutMs });
    return new NodeStore(
      await open(BUCKETS.users, isUserRecord),
      await open(BUCKETS.endpoints, isEndpointIndex),
      await open(BUCKETS.rooms, isRoomRecord),
      await open(BUCKETS.members, isMemberRecord),
      await open(BUCKETS.memberships, isMembershipIndex),
      await open(BUCKETS.roomKeys, isSealedKeyRecord),
      // Not in BUCKETS: a store made before look-alike claims existed gets it on open.
      await open(HANDLES_BUCKET, isHandleClaim),
    );
  }

  // ---- users (the allowlist) ----

  /**
   * Adds an active user; StoreConflictError if the key (or its endpoint) is already known,
   * HandleInUseError (a StoreConflictError) if the handle looks like an active user's (§2.1).
   */
  async addUser(user: NewUser, now = Date.now()): Promise<UserRecord> {
    const record: UserRecord = {
      sign_pub: user.signPubHex,
      endpoint: user.endpoint,
      kex_pub: user.kexPub,
      handle: user.handle,
      role: user.role,
      status: 'active',
      created_at: now,
      revoked_at: null,
    };
    // The handle claim, then the endpoint index: a crash leaves a claim or an index entry
    // without a user, which grants nothing (and the claim lapses, see handle-claims.ts).
    await this.handles.claim(user.signPubHex, user.handle, now);
    await this.endpoints.create(user.endpoint, { sign_pub: user.signPubHex });
    await this.users.create(user.signPubHex, record);
    return record;
  }

  /** HandleInUseError when `handle` looks like an active user's other than `signPubHex`. */
  async checkHandle(signPubHex: string, handle: string, now = Date.now()): Promise<void> {
    await this.handles.check(signPubHex, handle, now);
  }

  async getUser(signPubHex: string): Promise<UserRecord | null> {
    return (await this.users.get(signPubHex))?.value ?? null;
  }

  async getUserByEndpoint(endpoint: string): Promise<UserRecord | null> {
    const index = await this.endpoints.get(endpoint);
    if (index === null) return null;
    const user = await this.getUser(index.value.sign_pub);
    return user?.endpoint === endpoint ? user : null;
  }

  /** The user if registered and active; null otherwise. Throws when the store cannot answer. */
  async activeUser(signPubHex: string): Promise<UserRecord | null> {
    const user = await this.getUser(signPubHex);
    return user?.status === 'active' ? user : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    const keys = await this.users.keys('>');
    const users = await Promise.all(keys.map((key) => this.getUser(key)));
    return users.filter((user): user is UserRecord => user !== null);
  }

  async hasActiveAdmin(): Promise<boolean> {
    return (await this.listUsers()).some((u) => u.role === 'admin' && u.status === 'active');
  }

  /** Status flip, never a delete (auditable). Returns null for an unknown key. */
  async revokeUser(signPubHex: string, now = Date.now()): Promise<UserRecord | null> {
    const current = await this.users.get(signPubHex);
    if (current === null) return null;
    if (current.value.status === 'revoked') return current.value;
    const revoked: UserRecord = { ...current.value, status: 'revoked', revoked_at: now };
    await this.users.update(signPubHex, revoked, current.revision);
    return revoked;
  }

  // ---- rooms and membership ----

  /**
   * Creates the room with its owner as first member holding the epoch-1 key. The room record
   * goes first, so a duplicate id fails before anything else is written.
   */
  async createRoom(room: RoomRecord, ownerKey: SealedKeyRecord, now = Date.now()): Promise<void> {
    await this.rooms.create(room.room_id, room);
    await this.roomKeys.put(sealedKeyId(ownerKey), ownerKey);
    await this.addMembership({
      room_id: room.room_id,
      endpoint: room.owner,
      role: 'owner',
      since_epoch: room.epoch,
      added_at: now,
    });
  }

  /** Every room with its members: the input of the data-plane ACL compiler. */
  async listRoomsWithMembers(): Promise<{ room: RoomRecord; members: MemberRecord[] }[]> {
    const roomIds = await this.rooms.keys('>');
    const rooms = await Promise.all(
      roomIds.map(async (roomId) => {
        const room = await this.getRoom(roomId);
        return room === null ? null : { room, members: await this.listMembers(roomId) };
      }),
    );
    return rooms.filter((r): r is { room: RoomRecord; members: MemberRecord[] } => r !== null);
  }

  async getRoom(roomId: string): Promise<RoomRecord | null> {
    return (await this.rooms.get(roomId))?.value ?? null;
  }

  async getRoomVersioned(roomId: string): Promise<{ room: RoomRecord; revision: number } | null> {
    const entry = await this.rooms.get(roomId);
    return entry === null ? null : { room: entry.value, revision: entry.revision };
  }

  /** The member's role, or null when not a member. Throws when the store cannot answer. */
  async memberRole(roomId: string, endpoint: string): Promise<MemberRole | null> {
    return (await this.members.get(memberId(roomId, endpoint)))?.value.role ?? null;
  }

  async getMember(roomId: string, endpoint: string): Promise<MemberRecord | null> {
    return (await this.members.get(memberId(roomId, endpoint)))?.value ?? null;
  }

  async listMembers(roomId: string): Promise<MemberRecord[]> {
    const keys = await this.members.keys(`${roomId}.*`);
    const members = await Promise.all(
      keys.map(async (key) => (await this.members.get(key))?.value),
    );
    return members.filter((m): m is MemberRecord => m !== undefined && m.room_id === roomId);
  }

  async roomsOf(endpoint: string): Promise<{ room: RoomRecord; role: MemberRole }[]> {
    const keys = await this.memberships.keys(`${endpoint}.*`);
    const rooms = await Promise.all(
      keys.map(async (key) => {
        const roomId = key.slice(endpoint.length + 1);
        // The member key is authoritative; the reverse index only says where to look.
        const [room, role] = await Promise.all([
          this.getRoom(roomId),
          this.memberRole(roomId, endpoint),
        ]);
        return room !== null && role !== null ? { room, role } : null;
      }),
    );
    return rooms.filter((r): r is { room: RoomRecord; role: MemberRole } => r !== null);
  }

  /**
   * Adds a member: claims the change with a compare-and-set on the room record (so it cannot
   * interleave with a kick's rekey), then stores the sealed keys, then the membership.
   * StoreConflictError when already a member or when the room changed since `revision`.
   */
  async addMember(
    room: RoomRecord,
    revision: number,
    member: MemberRecord,
    keys: readonly SealedKeyRecord[],
  ): Promise<void> {
    if ((await this.members.get(memberId(room.room_id, member.endpoint))) !== null) {
      throw new StoreConflictError('already a member');
    }
    await this.rooms.update(room.room_id, { ...room, members_rev: room.members_rev + 1 }, revision);
    for (const key of keys) await this.roomKeys.put(sealedKeyId(key), key);
    await this.addMembership(member);
  }

  /** Deletes the authoritative member key first, then the reverse index and the member's keys. */
  async removeMember(roomId: string, endpoint: string): Promise<void> {
    await this.members.delete(memberId(roomId, endpoint));
    await this.memberships.delete(membershipId(endpoint, roomId));
    for (const key of await this.roomKeys.keys(`${roomId}.*.${endpoint}`)) {
      await this.roomKeys.delete(key);
    }
  }

  /**
   * Moves the room to `next.epoch` with one sealed key per listed endpoint. The compare-and-set
   * on the room record comes first: a concurrent membership change makes this fail with
   * StoreConflictError before any key is written, so two rekeys never mix their keys.
   */
  async rekey(next: RoomRecord, revision: number, keys: readonly SealedKeyRecord[]): Promise<void> {
    await this.rooms.update(next.room_id, { ...next, members_rev: next.members_rev + 1 }, revision);
    for (const key of keys) await this.roomKeys.put(sealedKeyId(key), key);
  }

  /** A member leaves: claims the change on the room record, then removes the membership. */
  async leave(room: RoomRecord, revision: number, endpoint: string): Promise<void> {
    await this.rooms.update(room.room_id, { ...room, members_rev: room.members_rev + 1 }, revision);
    await this.removeMember(room.room_id, endpoint);
  }

  async sealedKey(
    roomId: string,
    epoch: number,
    endpoint: string,
  ): Promise<SealedKeyRecord | null> {
    return (await this.roomKeys.get(`${roomId}.${epoch}.${endpoint}`))?.value ?? null;
  }

  private async addMembership(member: MemberRecord): Promise<void> {
    await this.members.create(memberId(member.room_id, member.endpoint), member);
    await this.memberships.put(membershipId(member.endpoint, member.room_id), {
      role: member.role,
    });
  }
}

function memberId(roomId: string, endpoint: string): string {
  return `${roomId}.${endpoint}`;
}

function membershipId(endpoint: string, roomId: string): string {
  return `${endpoint}.${roomId}`;
}

function sealedKeyId(key: SealedKeyRecord): string {
  return `${key.room_id}.${key.epoch}.${key.endpoint}`;
}
