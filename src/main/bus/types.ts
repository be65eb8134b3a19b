/** Public shapes of the peer library (what the main process hands to IPC / the CLI prints). */
import type { IdentityKeyPairs } from '../identity';
import type { FileManifest, FrameDropReason, FrameType } from '../protocol';

/** The parts of the local identity the peer uses (an `Identity` fits). */
export interface PeerIdentity {
  readonly record: { readonly handle: string };
  readonly keys: IdentityKeyPairs;
}

export interface RoomPolicy {
  readonly persist: boolean;
  readonly history: 'all' | 'since-join';
}

/** The room's names on NATS: opaque tokens from the control plane (§11.3, §12). */
export interface RoomDataPlane {
  readonly subject: string;
  readonly subjects: string;
}

export interface RoomRecord {
  readonly room_id: string;
  readonly owner: string;
  readonly policy: RoomPolicy;
  readonly epoch: number;
  readonly meta: string;
  readonly created_at: number;
}

export interface RoomEntry {
  readonly room: RoomRecord;
  readonly role: 'owner' | 'member';
  readonly data_plane: RoomDataPlane | null;
}

/** A room as the UI sees it: decrypted name/topic, never keys. */
export interface RoomInfo {
  readonly id: string;
  /** Undefined when the metadata could not be opened (see `metaError`). */
  readonly name: string | undefined;
  readonly topic: string | undefined;
  readonly metaError?: string;
  readonly role: 'owner' | 'member';
  readonly owner: string;
  readonly epoch: number;
  readonly policy: RoomPolicy;
  readonly createdAt: number;
  /** Epochs whose key this peer holds. */
  readonly keyedEpochs: readonly number[];
  readonly messageCount: number;
}

export interface MemberInfo {
  readonly endpoint: string;
  /** Lowercase hex Ed25519 public key (its card's `sign_pub`). */
  readonly signPub: string;
  readonly handle: string;
  readonly role: 'owner' | 'member';
  readonly status: 'active' | 'revoked';
  readonly sinceEpoch: number;
}

/** `cache`: replayed from this profile's local frame cache (verified and opened again). */
export type DeliveryPath = 'live' | 'history' | 'cache';

export interface ReceivedMessage {
  readonly id: string;
  readonly roomId: string;
  readonly type: FrameType;
  readonly sender: string;
  readonly senderHandle: string | undefined;
  /** Text of a message or edit; undefined for a file or a redaction. */
  readonly text: string | undefined;
  /** Target message id of an edit or redaction. */
  readonly target: string | undefined;
  readonly hasFile: boolean;
  /**
   * The file manifest of a file message. It holds the file key: main-process only, never to be
   * passed to the renderer as is.
   */
  readonly file: FileManifest | undefined;
  /** Sender's clock: display only. */
  readonly timestamp: number;
  readonly epoch: number;
  readonly via: DeliveryPath;
}

/**
 * Why a frame was dropped. The §5.5 reasons, plus: `wrong-subject` (delivered on a subject
 * other than the room's message subject: a member can steer deliveries), `non-member` (signed
 * by a removed member after their removal), `bad-body` (opened, but the body does not parse).
 */
export type DropReason = FrameDropReason | 'wrong-subject' | 'non-member' | 'bad-body';

export interface DroppedFrame {
  readonly roomId: string;
  readonly reason: DropReason;
  readonly via: DeliveryPath;
  readonly subject: string;
  readonly sender?: string;
  readonly messageId?: string;
  readonly epoch?: number;
}

export type MessageState = 'sending' | 'stored' | 'failed';

export interface MessageStatus {
  readonly id: string;
  readonly roomId: string;
  readonly state: MessageState;
  /** Why it failed (state `failed`). */
  readonly reason?: string;
}

export interface KickReceipt {
  readonly room_id: string;
  readonly removed: string;
  readonly acl_revoked_at: number;
  readonly epoch: number;
  readonly keyed: number;
  readonly members: number;
}

export interface PeerLogEvent {
  readonly event: string;
  readonly detail: Record<string, unknown>;
}
