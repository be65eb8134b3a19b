/**
 * Membership as one node service (issue 13 Build 2, issue 14 Build 2): every change that moves
 * access — room created, member invited, kicked or leaving, user revoked — runs here in one
 * order, and the route answers only after it resolved (adding a user only needs the access
 * sync, which the user routes call directly):
 *
 *   store change (compare-and-set on the room record)
 *   → access sync: the auth callout and the frame ingest decide from the new state
 *   → lost access: KICK each of the user's connections (CONNZ by uid), after the replies
 *   → events (hints; peers also poll)
 *
 * A member who gains a room reconnects on `room.added` and is granted it by the callout.
 * Route handlers validate input and map errors; they never sequence effects themselves.
 */
import type { NodeEffects, NodeEvent } from '../api/services';
import type { MemberRecord, NodeStore, RoomRecord, SealedKeyRecord, UserRecord } from '../store';

export interface KickResult {
  /** When the kicked member's connections were cut (the KICK replies), unix ms. */
  readonly cutAt: number;
  readonly epoch: number;
}

export class Membership {
  constructor(
    private readonly store: NodeStore,
    private readonly effects: NodeEffects,
  ) {}

  /** A new room with its owner; the owner reconnects on `room.added` to use it. */
  async roomCreated(room: RoomRecord): Promise<void> {
    await this.effects.ensureRoomStream(room);
    await this.effects.syncAccess();
    await this.effects.publishEvent(room.owner, {
      type: 'room.added',
      room_id: room.room_id,
      epoch: 1,
    });
  }

  /** Adds a member (compare-and-set at `revision`); the invitee reconnects on `room.added`. */
  async invite(
    room: RoomRecord,
    revision: number,
    member: MemberRecord,
    keys: readonly SealedKeyRecord[],
  ): Promise<void> {
    await this.store.addMember(room, revision, member, keys);
    await this.effects.syncAccess();
    await this.effects.publishEvent(member.endpoint, {
      type: 'room.added',
      room_id: room.room_id,
      epoch: room.epoch,
    });
    await this.notify(room.room_id, 'members.changed', member.endpoint);
  }

  /**
   * Kicks `target`: the epoch moves first (compare-and-set: nothing is written if the room
   * changed), then the member goes, then their connections are cut. A crash in between leaves
   * the target listed without a key for the new epoch; repeating the kick finishes it.
   */
  async kick(
    room: RoomRecord,
    revision: number,
    target: string,
    keys: readonly SealedKeyRecord[],
    remaining: readonly string[],
  ): Promise<KickResult> {
    const epoch = room.epoch + 1;
    await this.store.rekey({ ...room, epoch }, revision, keys);
    await this.store.removeMember(room.room_id, target);
    await this.effects.syncAccess();
    const cutAt = await this.effects.disconnect([target]);
    await this.effects.publishEvent(target, { type: 'room.removed', room_id: room.room_id });
    await Promise.all(
      remaining.map((endpoint) =>
        this.effects.publishEvent(endpoint, {
          type: 'room.rekeyed',
          room_id: room.room_id,
          epoch,
        }),
      ),
    );
    return { cutAt, epoch };
  }

  /** The caller leaves; their connections reconnect without the room. */
  async leave(room: RoomRecord, revision: number, endpoint: string): Promise<void> {
    await this.store.leave(room, revision, endpoint);
    await this.effects.syncAccess();
    await this.effects.disconnect([endpoint]);
    await this.notify(room.room_id, 'members.changed');
  }

  /** Revokes the user (a status flip) and cuts every connection; reconnects are refused. */
  async revoke(signPubHex: string, now: number): Promise<{ user: UserRecord; cutAt: number }> {
    const revoked = await this.store.revokeUser(signPubHex, now);
    if (revoked === null) throw new Error('revoke: unknown user');
    await this.effects.syncAccess();
    const cutAt = await this.effects.disconnect([revoked.endpoint]);
    return { user: revoked, cutAt };
  }

  private async notify(roomId: string, type: 'members.changed', skip?: string): Promise<void> {
    const members = await this.store.listMembers(roomId);
    const event: NodeEvent = { type, room_id: roomId };
    await Promise.all(
      members
        .filter((m) => m.endpoint !== skip)
        .map((m) => this.effects.publishEvent(m.endpoint, event)),
    );
  }
}
