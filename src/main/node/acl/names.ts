/**
 * Opaque data-plane names. The nats-server config (a plain file in the node's data directory)
 * and every subject on the wire carry tokens instead of room ids and endpoint ids, so disk
 * access to the node or a look at the traffic does not reveal which rooms exist or who is in
 * them: a token is HMAC-SHA256 under a per-node secret, cut to 128 bits, base64url.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlEncode } from '../../protocol';
import {
  inboxPrefix,
  roomMessageSubject,
  roomStreamName,
  roomSubjects,
  userEventSubject,
} from './subjects';

/** What a member needs to reach a room on the data plane (the stream is the node's own). */
export interface RoomDataPlane {
  readonly subject: string;
  readonly subjects: string;
}

/** What a user needs to connect: their inbox prefix and event subject. */
export interface UserDataPlane {
  readonly uid: string;
  readonly inbox_prefix: string;
  readonly events: string;
}

export class DataPlaneNames {
  constructor(private readonly secret: Uint8Array) {
    if (secret.length !== 32) throw new RangeError('DataPlaneNames: secret must be 32 bytes');
  }

  roomToken(roomId: string): string {
    return this.token('room', roomId);
  }

  userToken(endpoint: string): string {
    return this.token('user', endpoint);
  }

  room(roomId: string): RoomDataPlane {
    const token = this.roomToken(roomId);
    return { subject: roomMessageSubject(token), subjects: roomSubjects(token) };
  }

  /** The room's stream in the BUS account: only the node writes and reads it. */
  roomStream(roomId: string): string {
    return roomStreamName(this.roomToken(roomId));
  }

  user(endpoint: string): UserDataPlane {
    const uid = this.userToken(endpoint);
    return {
      uid,
      inbox_prefix: inboxPrefix(uid),
      events: userEventSubject(uid),
    };
  }

  private token(kind: string, id: string): string {
    const label = new TextEncoder().encode(`unibus:v1:${kind}-token\u0000${id}`);
    return base64urlEncode(hmac(sha256, this.secret, label).subarray(0, 16));
  }
}
