/**
 * What the API handlers need from the rest of the node. The effects are the node's side of
 * authorization on the data plane; membership/ orchestrates them after every change, and a
 * route reports success only once they resolved (a kick is not done until the KICKs replied).
 */
import type { BlobStore } from '../blobs/blob-store';
import type { BlobRefs } from '../blobs/blob-refs';
import type { InviteKeyRing, InviteStore } from '../invites';
import type { DataPlaneNames } from '../acl/names';
import type { NodeStore, RoomRecord } from '../store';

export type NodeEvent =
  | { readonly type: 'room.added'; readonly room_id: string; readonly epoch: number }
  | { readonly type: 'room.removed'; readonly room_id: string }
  | { readonly type: 'room.rekeyed'; readonly room_id: string; readonly epoch: number }
  | { readonly type: 'members.changed'; readonly room_id: string };

/** One page of a room's stored frames (`GET /v1/rooms/:roomId/messages`, §11.6). */
export interface RoomMessagesPage {
  readonly messages: readonly {
    readonly seq: number;
    readonly stored_at: number;
    readonly frame: Uint8Array;
  }[];
  /** The stream's last sequence when read: the reader is caught up once it has seen it. */
  readonly last_seq: number;
}

export interface NodeEffects {
  /**
   * Barrier after a store change: from now on the data plane authorizes connections and
   * frames by the store's latest state (the auth callout's cache has applied the change).
   */
  syncAccess(): Promise<void>;
  /** Closes every data-plane connection of these users (KICK); resolves with the time (ms) done. */
  disconnect(endpoints: readonly string[]): Promise<number>;
  /** Creates the room's stream with the node's fixed configuration (idempotent). */
  ensureRoomStream(room: RoomRecord): Promise<void>;
  /** Best effort: peers also poll, so a lost event is only a delay. */
  publishEvent(endpoint: string, event: NodeEvent): Promise<void>;
  /** Stored frames of the room with a sequence above `afterSeq`, at most `limit`. */
  readMessages(roomId: string, afterSeq: number, limit: number): Promise<RoomMessagesPage>;
}

export interface Posture {
  readonly node_id: string;
  readonly tls: true;
  readonly auth: 'signed';
  readonly acl: true;
  readonly at_rest: boolean;
  readonly store: 'jetstream-kv';
  readonly replicas: 1 | 3;
  readonly cluster: boolean;
  readonly server_version: string;
}

export interface Limits {
  readonly json_body_bytes: number;
  readonly blob_chunk_bytes: number;
  /** Most hashes in one `POST /v1/rooms/:roomId/blobs/have`. */
  readonly blob_have_max_hashes: number;
  /** Per identity: bytes of chunk references it created (a chunk shared by two rooms counts twice). */
  readonly quota_bytes_per_user: number;
  /** Per identity: number of chunk references it created. */
  readonly quota_blobs_per_user: number;
  readonly invite_max_uses: number;
  readonly invite_max_ttl_seconds: number;
}

export interface NodeServices {
  readonly nodeId: string;
  readonly store: NodeStore;
  readonly invites: InviteStore;
  /** Current invite signing keys; a function so rotation takes effect without a restart. */
  readonly inviteKeys: () => InviteKeyRing;
  /**
   * Replaces the invite signing key (issue 12, Build 6): the new ring is on disk before it is
   * used; the old primary verifies for `graceSeconds` more. Resolves with the new ring.
   */
  readonly rotateInviteKeys: (graceSeconds: number) => Promise<InviteKeyRing>;
  readonly joinLink: (token: string) => string;
  readonly effects: NodeEffects;
  readonly posture: () => Posture;
  readonly limits: Limits;
  readonly now?: () => number;
  /** Opaque data-plane names members use for subjects, streams, consumers and inboxes. */
  readonly names: DataPlaneNames;
  /** Ciphertext chunk storage and which rooms reference which chunk. */
  readonly blobs: BlobStore;
  readonly blobRefs: BlobRefs;
}

export const DEFAULT_LIMITS: Limits = {
  json_body_bytes: 1024 * 1024,
  blob_chunk_bytes: 4 * 1024 * 1024 + 16,
  blob_have_max_hashes: 8192,
  quota_bytes_per_user: 16 * 1024 * 1024 * 1024,
  quota_blobs_per_user: 131_072,
  invite_max_uses: 1000,
  invite_max_ttl_seconds: 30 * 24 * 3600,
};
