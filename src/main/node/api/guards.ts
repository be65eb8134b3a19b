/**
 * Authorization checks shared by the handlers. Each one fails closed: a store error propagates
 * (503) and a missing fact is a denial. Admin checks are never relaxed (seed `requireAdmin`).
 */
import { HttpError } from '../control-plane/http-error';
import type { Signer } from '../control-plane/routes';
import type { MemberRole, NodeStore, RoomRecord } from '../store';

/** The control plane's allowlist check: active users only; store errors propagate (503). */
export function activeSignerLookup(
  store: NodeStore,
): (signPubHex: string) => Promise<Signer | null> {
  return async (signPubHex) => {
    const user = await store.activeUser(signPubHex);
    return user === null
      ? null
      : { signPubHex: user.sign_pub, endpoint: user.endpoint, role: user.role };
  };
}

export function requireSigner(signer: Signer | null): Signer {
  if (signer === null) throw new HttpError(401, 'not authorized');
  return signer;
}

export function requireAdmin(signer: Signer | null): Signer {
  const caller = requireSigner(signer);
  if (caller.role !== 'admin') throw new HttpError(403, 'admin only');
  return caller;
}

/** The room and the caller's role in it; 403 for non-members (and for unknown rooms, so a
 * non-member cannot tell an existing room from a missing one). */
export async function requireMember(
  store: NodeStore,
  roomId: string,
  signer: Signer | null,
): Promise<{ caller: Signer; room: RoomRecord; role: MemberRole }> {
  const caller = requireSigner(signer);
  const [room, role] = await Promise.all([
    store.getRoom(roomId),
    store.memberRole(roomId, caller.endpoint),
  ]);
  if (room === null || role === null) throw new HttpError(403, 'not a member of this room');
  return { caller, room, role };
}

/** Room owners manage membership; node admins may too, but only in rooms they belong to. */
export async function requireManager(
  store: NodeStore,
  roomId: string,
  signer: Signer | null,
): Promise<{ caller: Signer; room: RoomRecord }> {
  const { caller, room, role } = await requireMember(store, roomId, signer);
  if (role !== 'owner' && caller.role !== 'admin') {
    throw new HttpError(403, 'only the room owner or an admin can change membership');
  }
  return { caller, room };
}
