/**
 * Checks the sealed room keys a client hands the node. The node cannot open them, but it can
 * insist that each one is for this room, signed by the caller as granter, and addressed to
 * exactly the members it should reach: a kick whose rekey leaves a member without a key, or
 * keys a member who is gone, is refused.
 */
import {
  RoomKeyError,
  parseRoomKeyGrant,
  roomKeyGrantToJson,
  verifyRoomKeyGrant,
  type RoomKeyGrant,
} from '../../protocol';
import { HttpError } from '../control-plane/http-error';
import type { Signer } from '../control-plane/routes';
import type { SealedKeyRecord } from '../store';

export const MAX_GRANTS_PER_REQUEST = 1024;

export function parseGrants(value: unknown, roomId: string, caller: Signer): RoomKeyGrant[] {
  if (!Array.isArray(value) || value.length > MAX_GRANTS_PER_REQUEST) {
    throw new HttpError(
      400,
      `keys must be an array of at most ${MAX_GRANTS_PER_REQUEST} sealed keys`,
    );
  }
  const signPublic = Uint8Array.from(Buffer.from(caller.signPubHex, 'hex'));
  return value.map((item) => {
    let grant: RoomKeyGrant;
    try {
      grant = parseRoomKeyGrant(item);
    } catch (error) {
      if (error instanceof RoomKeyError) throw new HttpError(400, error.message);
      throw error;
    }
    if (grant.roomId !== roomId) throw new HttpError(400, 'sealed key is for another room');
    if (grant.granter !== caller.endpoint || !verifyRoomKeyGrant(grant, signPublic)) {
      throw new HttpError(400, 'sealed key must be signed by the caller');
    }
    return grant;
  });
}

/** Exactly one key per listed endpoint at `epoch`, and none for anybody else. */
export function requireExactCoverage(
  grants: readonly RoomKeyGrant[],
  epoch: number,
  endpoints: readonly string[],
): void {
  const expected = new Set(endpoints);
  const seen = new Set<string>();
  for (const grant of grants) {
    if (grant.epoch !== epoch) throw new HttpError(400, `sealed keys must be for epoch ${epoch}`);
    if (!expected.has(grant.endpoint))
      throw new HttpError(409, 'sealed key for someone who is not a remaining member');
    if (seen.has(grant.endpoint)) throw new HttpError(400, 'two sealed keys for one member');
    seen.add(grant.endpoint);
  }
  if (seen.size !== expected.size) {
    throw new HttpError(409, 'rekey must give every remaining member a key');
  }
}

export function toRecord(grant: RoomKeyGrant): SealedKeyRecord {
  return roomKeyGrantToJson(grant) as unknown as SealedKeyRecord;
}
