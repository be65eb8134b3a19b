/**
 * What the node stores, one JSON record per KV key. The node sees ids, membership, public keys
 * and ciphertext only: room names and topics arrive encrypted (`meta`) and room keys sealed.
 */
export type UserRole = 'admin' | 'member';
export type MemberRole = 'owner' | 'member';

export interface UserRecord {
  /** Lowercase hex Ed25519 public key: the allowlist key and the NATS nkey. */
  readonly sign_pub: string;
  readonly endpoint: string;
  /** base64url X25519 public key. */
  readonly kex_pub: string;
  readonly handle: string;
  readonly role: UserRole;
  readonly status: 'active' | 'revoked';
  readonly created_at: number;
  readonly revoked_at: number | null;
}

export interface RoomPolicy {
  /** Messages are kept in the room's JetStream stream. */
  readonly persist: boolean;
  /** What a new member may read: everything before they joined, or only what follows. */
  readonly history: 'all' | 'since-join';
}

export interface RoomRecord {
  readonly room_id: string;
  readonly owner: string;
  readonly policy: RoomPolicy;
  readonly epoch: number;
  /** Bumped by every membership change: concurrent changes lose a compare-and-set. */
  readonly members_rev: number;
  /** Encrypted name and topic, opaque to the node (base64url). */
  readonly meta: string;
  readonly created_at: number;
}

export interface MemberRecord {
  readonly room_id: string;
  readonly endpoint: string;
  readonly role: MemberRole;
  /** First epoch whose key this member holds. */
  readonly since_epoch: number;
  readonly added_at: number;
}

/** A sealed room key as the protocol defines it (docs/PROTOCOL.md), stored verbatim. */
export interface SealedKeyRecord {
  readonly room_id: string;
  readonly epoch: number;
  readonly endpoint: string;
  readonly granter: string;
  readonly sealed: string;
  readonly sig: string;
}

const HEX_KEY = /^[0-9a-f]{64}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimestamp(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isEpoch(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= 0xffffffff;
}

export function isUserRecord(value: unknown): value is UserRecord {
  return (
    isObject(value) &&
    typeof value.sign_pub === 'string' &&
    HEX_KEY.test(value.sign_pub) &&
    typeof value.endpoint === 'string' &&
    ID.test(value.endpoint) &&
    typeof value.kex_pub === 'string' &&
    BASE64URL.test(value.kex_pub) &&
    typeof value.handle === 'string' &&
    (value.role === 'admin' || value.role === 'member') &&
    (value.status === 'active' || value.status === 'revoked') &&
    isTimestamp(value.created_at) &&
    (value.revoked_at === null || isTimestamp(value.revoked_at))
  );
}

export function isRoomRecord(value: unknown): value is RoomRecord {
  return (
    isObject(value) &&
    typeof value.room_id === 'string' &&
    ID.test(value.room_id) &&
    typeof value.owner === 'string' &&
    ID.test(value.owner) &&
    isObject(value.policy) &&
    typeof value.policy.persist === 'boolean' &&
    (value.policy.history === 'all' || value.policy.history === 'since-join') &&
    isEpoch(value.epoch) &&
    isTimestamp(value.members_rev) &&
    typeof value.meta === 'string' &&
    BASE64URL.test(value.meta) &&
    isTimestamp(value.created_at)
  );
}

export function isMemberRecord(value: unknown): value is MemberRecord {
  return (
    isObject(value) &&
    typeof value.room_id === 'string' &&
    ID.test(value.room_id) &&
    typeof value.endpoint === 'string' &&
    ID.test(value.endpoint) &&
    (value.role === 'owner' || value.role === 'member') &&
    isEpoch(value.since_epoch) &&
    isTimestamp(value.added_at)
  );
}

export function isSealedKeyRecord(value: unknown): value is SealedKeyRecord {
  return (
    isObject(value) &&
    typeof value.room_id === 'string' &&
    ID.test(value.room_id) &&
    isEpoch(value.epoch) &&
    typeof value.endpoint === 'string' &&
    ID.test(value.endpoint) &&
    typeof value.granter === 'string' &&
    ID.test(value.granter) &&
    typeof value.sealed === 'string' &&
    BASE64URL.test(value.sealed) &&
    typeof value.sig === 'string' &&
    BASE64URL.test(value.sig)
  );
}

export function isEndpointIndex(value: unknown): value is { readonly sign_pub: string } {
  return isObject(value) && typeof value.sign_pub === 'string' && HEX_KEY.test(value.sign_pub);
}

export function isMembershipIndex(value: unknown): value is { readonly role: MemberRole } {
  return isObject(value) && (value.role === 'owner' || value.role === 'member');
}
