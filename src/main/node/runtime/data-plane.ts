/**
 * The node's side of the data plane (ARCHITECTURE.md): room streams in the BUS account (only
 * the node writes them — frame ingest — and reads them — history), events to members, and the
 * access effects of membership changes (callout cache barrier, KICK). No nats-server config is
 * ever rewritten for a member: the auth callout authorizes each connection.
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
import type { DataPlaneNames } from '../acl/names';
import { LEGACY_CONSUMER_PREFIX } from '../acl/subjects';
import type { NodeEffects, NodeEvent, RoomMessagesPage } from '../api/services';
import type { DataPlaneAccess } from '../callout/access';
import type { RoomRecord } from '../store';

/** A non-persisted room keeps messages only long enough to ride out a reconnect. */
const EPHEMERAL_ROOM_MAX_AGE_MS = 5 * 60_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** Bytes of frames one history page reads at most (frames are ≤ 1 MiB each). */
const PAGE_MAX_BYTES = 4 * 1024 * 1024;

export interface DataPlaneOptions {
  /** The node's BUS identity: room streams. */
  readonly bus: NatsConnection;
  /** The node's MEMBERS identity: events on members' subjects. */
  readonly members: NatsConnection;
  readonly access: DataPlaneAccess;
  readonly replicas: 1 | 3;
  /** Opaque tokens for room and user names on the data plane. */
  readonly names: DataPlaneNames;
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
}

export class DataPlane implements NodeEffects {
  private jsm: JetStreamManager | undefined;

  constructor(private readonly options: DataPlaneOptions) {}

  syncAccess(): Promise<void> {
    return this.options.access.sync();
  }

  disconnect(endpoints: readonly string[]): Promise<number> {
    return this.options.access.disconnect(endpoints);
  }

  async ensureRoomStream(room: RoomRecord): Promise<void> {
    const jsm = await this.manager();
    const name = this.options.names.roomStream(room.room_id);
    const { subjects } = this.options.names.room(room.room_id);
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
      // History pages are direct reads by sequence (readMessages).
      allow_direct: true,
    });
  }

  async publishEvent(endpoint: string, event: NodeEvent): Promise<void> {
    this.options.members.publish(this.options.names.user(endpoint).events, JSON.stringify(event));
  }

  async readMessages(roomId: string, afterSeq: number, limit: number): Promise<RoomMessagesPage> {
    const jsm = await this.manager();
    const stream = this.options.names.roomStream(roomId);
    const info = await jsm.streams.info(stream);
    const last = info.state.last_seq;
    const messages: { seq: number; stored_at: number; frame: Uint8Array }[] = [];
    if (afterSeq >= last || info.state.messages === 0) return { messages, last_seq: last };
    const batch = await jsm.direct.getBatch(stream, {
      seq: Math.max(afterSeq + 1, info.state.first_seq),
      batch: limit,
      max_bytes: PAGE_MAX_BYTES,
    });
    for await (const m of batch) {
      messages.push({ seq: m.seq, stored_at: m.time.getTime(), frame: m.data });
    }
    return { messages, last_seq: last };
  }

  /**
   * Store format 1 → 2 for one room stream: direct reads on, and the members' pinned consumers
   * (`c_<uid>`, from before members lost JetStream access) deleted. Idempotent.
   */
  async upgradeRoomStream(roomId: string): Promise<{ consumersDeleted: number }> {
    const jsm = await this.manager();
    const name = this.options.names.roomStream(roomId);
    const info = await jsm.streams.info(name).catch(() => null);
    if (info === null) return { consumersDeleted: 0 };
    if (!info.config.allow_direct) await jsm.streams.update(name, { allow_direct: true });
    let consumersDeleted = 0;
    for await (const consumer of jsm.consumers.list(name)) {
      if (!consumer.name.startsWith(LEGACY_CONSUMER_PREFIX)) continue;
      await jsm.consumers.delete(name, consumer.name);
      consumersDeleted++;
    }
    return { consumersDeleted };
  }

  private async manager(): Promise<JetStreamManager> {
    this.jsm ??= await jetstreamManager(this.options.bus);
    return this.jsm;
  }
}
