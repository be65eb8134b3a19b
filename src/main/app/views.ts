/**
 * Views for the renderer: what the peer knows, minus every key. A file message becomes name,
 * size and type only (its manifest, which holds the file key, stays in main).
 */
import type {
  KickReceiptView,
  MemberView,
  MessageView,
  PersonTrust,
  RoomView,
} from '../../shared/types';
import type {
  DropReason,
  DroppedFrame,
  KickReceipt,
  MemberInfo,
  MessageStatus,
  ReceivedMessage,
  RoomInfo,
} from '../bus';

export function roomView(room: RoomInfo, unread: number): RoomView {
  return {
    id: room.id,
    name: room.name ?? null,
    topic: room.topic ?? null,
    metaError: room.metaError ?? null,
    role: room.role,
    epoch: room.epoch,
    policy: { persist: room.policy.persist, history: room.policy.history },
    createdAt: room.createdAt,
    unread,
    removed: null,
  };
}

export function memberView(
  member: MemberInfo,
  me: string,
  key: { fingerprint: string; trust: PersonTrust },
): MemberView {
  return {
    endpoint: member.endpoint,
    handle: member.handle,
    role: member.role,
    status: member.status,
    sinceEpoch: member.sinceEpoch,
    isMe: member.endpoint === me,
    fingerprint: key.fingerprint,
    trust: key.trust,
  };
}

export function messageView(
  message: ReceivedMessage,
  me: string,
  status: MessageStatus | undefined,
  trust: PersonTrust,
): MessageView {
  const fromMe = message.sender === me;
  return {
    id: message.id,
    roomId: message.roomId,
    kind: message.file !== undefined ? 'file' : 'text',
    sender: message.sender,
    senderHandle: message.senderHandle ?? null,
    fromMe,
    text: message.text ?? null,
    file:
      message.file === undefined
        ? null
        : { name: message.file.name, size: message.file.size, mime: message.file.mime },
    timestamp: message.timestamp,
    signed: true, // accepted frames passed the signature and membership checks
    trust,
    state: fromMe ? (status?.state ?? 'stored') : null,
    reason: status?.reason ?? null,
  };
}

/** An own message still in the outbox (not yet seen back from the bus). */
export function pendingView(
  pending: {
    id: string;
    roomId: string;
    text: string | null;
    file: MessageView['file'];
    timestamp: number;
  },
  me: { endpoint: string; handle: string },
  status: MessageStatus | undefined,
): MessageView {
  return {
    id: pending.id,
    roomId: pending.roomId,
    kind: pending.file !== null ? 'file' : 'text',
    sender: me.endpoint,
    senderHandle: me.handle,
    fromMe: true,
    text: pending.text,
    file: pending.file,
    timestamp: pending.timestamp,
    signed: true,
    trust: 'me',
    state: status?.state ?? 'sending',
    reason: status?.reason ?? null,
  };
}

const DROP_REASONS: Readonly<Record<DropReason, string>> = {
  unsigned: 'it was not signed',
  'bad-signature': 'its signature did not verify',
  'wrong-room': 'it was made for another room',
  'unknown-epoch': 'it was sealed under a key this device does not have',
  'wrong-subject': 'it arrived on the wrong subject',
  'non-member': 'its sender is no longer a member',
  malformed: 'it was malformed',
  'bad-body': 'its content did not parse',
  'unknown-sender': 'its sender is not known in this room',
  'sender-mismatch': 'its sender did not match its signature',
  'decrypt-failed': 'it could not be decrypted',
};

/** A dropped frame stays visible: a row saying it could not be shown, and why. */
export function droppedView(dropped: DroppedFrame, serial: number): MessageView {
  return {
    id: `dropped-${serial}`,
    roomId: dropped.roomId,
    kind: 'dropped',
    sender: dropped.sender ?? '',
    senderHandle: null,
    fromMe: false,
    text: null,
    file: null,
    timestamp: Date.now(),
    signed: false,
    trust: 'unverified',
    state: null,
    reason: `A message could not be shown: ${DROP_REASONS[dropped.reason]}.`,
  };
}

export function kickReceiptView(receipt: KickReceipt): KickReceiptView {
  return {
    roomId: receipt.room_id,
    removed: receipt.removed,
    aclRevokedAt: receipt.acl_revoked_at,
    epoch: receipt.epoch,
    keyed: receipt.keyed,
    members: receipt.members,
  };
}
