export { InviteKeyRing } from './key-ring';
export { INVITES_BUCKET, InviteStore, type InviteRecord, type PublicInvite } from './invite-store';
export { formatJoinLink, parseJoinLink, type JoinLink } from './join-link';
export {
  INVITE_TOKEN_PREFIX,
  InviteTokenError,
  inviteTokenHash,
  mintInviteToken,
  verifyInviteToken,
  type InvitePayload,
  type InviteRole,
  type SigningKey,
} from './token';
