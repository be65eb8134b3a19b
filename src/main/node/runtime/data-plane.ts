/**
 * The node's side of data-plane authorization (ARCHITECTURE.md): membership in the store is
 * compiled into nats-server permissions and applied by a confirmed reload. Requests for a
 * reload are coalesced, and each caller waits for an apply that *read the store after* its own
 * change, so a slow earlier compile can never overwrite a newer one.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { nanos } from '@nats-io/nats-core';
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nkeyUserPublic } from '../../crypto';
import { compileAcl, type CompiledUser, type MembershipState } from '../acl/compile';
import type { DataPlaneNames } from '../acl/names';
import type { NodeEffects, NodeEvent } from '../api/services';
import type { NodeStore, RoomRecord } from '../store';

/** A non-persisted room keeps messages only long enough to ride out a reconnect. */
const EPHEMERAL_ROOM_MAX_AGE_MS = 5 * 60_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface DataPlaneOptions {
  readonly store: NodeStore;
  /** Connection of the node's BUS identity: manages room streams, consumers and events. */
  readonly bus: NatsConnection;
  /** Renders the full nats-server config for these users and applies it (confirmed reload). */
  readonly applyConfig: (users: readonly CompiledUser[]) => Promise<void>;
  readonly replicas: 1 | 3;
  /** Opaque tokens for room and user names on the data plane. */
  readonly names: DataPlaneNames;
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
}

export class DataPlane implements NodeEffects {
  private requested = 0;
  private applied = 0;
  private lastAppliedAt = 0;
  private running: Promise<void> | null = null;
  private jsm: JetStreamManager | undefined;

  constructor(private readonly options: DataPlaneOptions) {}

  async applyAcl(reason: string): Promise<number> {
    const wanted = ++this.requested;
    while (this.applied < wanted) {
      this.running ??= this.applyOnce(reason).finally(() => {
        this.running = null;
      });
      await this.running;
    }
    return this.lastAppliedAt;
  }

  async ensureRoomStream(room: RoomRecord): Promise<void> {
    const jsm = await this.manager();
    const { stream: name, subjects } = this.options.names.room(room.room_id);
    const exists = await jsm.streams.info(name).then(
      () => true,
      () => false,
    );
    if (exists) return;
    await jsm.streams.add({
      name,
      subjects: [subjects],
      storage: room.policy.persist ? StorageType.File : StorageType.Memory,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: room.policy.persist ? 0 : nanos(EPHEMERAL_ROOM_MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      num_replicas: this.options.replicas,
      deny_delete: true,
      deny_purge: true,
    });
  }

  async dropConsumers(endpoint: string, roomIds: readonly string[]): Promise<void> {
    const jsm = await this.manager();
    const { consumer } = this.options.names.user(endpoint);
    for (const roomId of roomIds) {
      await jsm.consumers
        .delete(this.options.names.room(roomId).stream, consumer)
        .catch((error: unknown) => {
          // Absent consumer or stream: nothing is delivering, which is the goal.
          this.options.log?.('data-plane.consumer-delete', { roomId, error: String(error) });
        });
    }
  }

  async publishEvent(endpoint: string, event: NodeEvent): Promise<void> {
    this.options.bus.publish(this.options.names.user(endpoint).events, JSON.stringify(event));
  }

  /** Current membership as the ACL compiler sees it. */
  async membershipState(): Promise<MembershipState> {
    const [users, rooms] = await Promise.all([
      this.options.store.listUsers(),
      this.options.store.listRoomsWithMembers(),
    ]);
    return {
      users: users.map((user) => ({
        uid: this.options.names.userToken(user.endpoint),
        nkey: nkeyUserPublic(Uint8Array.from(Buffer.from(user.sign_pub, 'hex'))),
        active: user.status === 'active',
      })),
      rooms: rooms.map(({ room, members }) => ({
        roomId: this.options.names.roomToken(room.room_id),
        members: members.map((m) => this.options.names.userToken(m.endpoint)),
      })),
    };
  }

  private async applyOnce(reason: string): Promise<void> {
    const target = this.requested;
    const started = Date.now();
    const users = compileAcl(await this.membershipState());
    await this.options.applyConfig(users);
    this.applied = target;
    this.lastAppliedAt = Date.now();
    this.options.log?.('data-plane.acl-applied', {
      reason,
      users: users.length,
      ms: this.lastAppliedAt - started,
    });
  }

  private async manager(): Promise<JetStreamManager> {
    this.jsm ??= await jetstreamManager(this.options.bus);
    return this.jsm;
  }
}
