/**
 * The bus peer: what the desktop app's main process (and the CLI) runs against a node.
 *
 * - Control plane (signed HTTPS, CA pinned) for rooms, members, sealed keys, invite and kick.
 * - Data plane (NATS, nkey + pinned TLS): a live core subscription on each room's subjects and
 *   the user's pinned pull consumer (`c_<uid>`) on the room stream for history; both feed one
 *   per-room queue that verifies and opens every frame (§5.5), drops anything else with a
 *   reason (`dropped` event), and de-duplicates by message id.
 * - Room keys live in memory only, per room and epoch; they are wiped when a room goes away.
 * - Events on the user's subject are hints: any event triggers a re-read over the control
 *   plane; `GET /v1/rooms` is also polled as a fallback.
 * - Sends go through the persisted outbox (sealed frames only) and are published with the
 *   message id as JetStream `msgID`.
 */
import { EventEmitter } from 'node:events';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
} from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/nats-core';
import { ControlPlaneClient, ControlPlaneError } from '../control-plane';
import { loadConnection, type NodeConnection } from '../profile/connection';
import {
  base64urlDecode,
  createRoomKeyGrant,
  decodeFrame,
  encodeMessageBody,
  hexEncode,
  isRoomId,
  newRoomKey,
  newUlid,
  openFrame,
  openRoomKeyGrant,
  openRoomMeta,
  parseIdentityCard,
  parseMessageBody,
  parseRoomKeyGrant,
  roomKeyGrantToJson,
  sealFrame,
  sealRoomMeta,
  base64urlEncode,
  type Frame,
  type IdentityCard,
  type MessageBody,
} from '../protocol';
import { BusConnection, type BusConnectionOptions, type ConnectionState } from './connection';
import { FrameCache } from './frame-cache';
import { Outbox, type OutboxEntry } from './outbox';
import type {
  DeliveryPath,
  DroppedFrame,
  DropReason,
  KickReceipt,
  MemberInfo,
  MessageStatus,
  PeerIdentity,
  PeerLogEvent,
  ReceivedMessage,
  RoomDataPlane,
  RoomEntry,
  RoomInfo,
  RoomPolicy,
} from './types';

export const DEFAULT_POLL_INTERVAL_MS = 30_000;
const PUBLISH_TIMEOUT_MS = 5_000;
const RETRY_FLUSH_MS = 1_000;
/** Outbox entries published before waiting for their acks. */
const PUBLISH_WINDOW = 32;
const MEMBER_REFRESH_MIN_MS = 1_000;

export class BusError extends Error {
  override readonly name = 'BusError';
}

export interface MeDataPlane {
  readonly uid: string;
  readonly inbox_prefix: string;
  readonly consumer: string;
  readonly events: string;
}

export interface Me {
  readonly sign_pub: string;
  readonly endpoint: string;
  readonly handle: string;
  readonly role: 'admin' | 'member';
  readonly status: string;
  readonly card: string;
  readonly data_plane: MeDataPlane | null;
}

export interface BusPeerOptions {
  readonly profileDir: string;
  readonly identity: PeerIdentity;
  /** Default: the profile's `connection.json`. */
  readonly connection?: NodeConnection;
  readonly pollIntervalMs?: number;
  readonly connectionOptions?: Partial<
    Pick<BusConnectionOptions, 'pingIntervalMs' | 'maxPingOut' | 'reconnectTimeWaitMs' | 'name'>
  >;
  readonly log?: (entry: PeerLogEvent) => void;
}

export interface BusPeerEvents {
  state: [ConnectionState];
  message: [ReceivedMessage];
  dropped: [DroppedFrame];
  /** A frame already accepted arrived again (the other path, or a resend). */
  duplicate: [{ roomId: string; id: string; via: DeliveryPath }];
  status: [MessageStatus];
  /** The room list changed (added, removed, re-keyed, members changed). */
  rooms: [];
  'room-removed': [{ roomId: string }];
  error: [Error];
}

interface Member {
  readonly info: MemberInfo;
  readonly card: IdentityCard;
}

interface RoomState {
  readonly id: string;
  entry: RoomEntry;
  readonly dataPlane: RoomDataPlane;
  readonly keys: Map<number, Uint8Array>;
  members: Map<string, Member>;
  /** Members seen earlier and gone since, with the time this peer learned it. */
  readonly former: Map<string, { card: IdentityCard; removedAt: number }>;
  membersFetchedAt: number;
  epochCheckedAt: number;
  readonly seen: Set<string>;
  readonly messages: Map<string, ReceivedMessage>;
  queue: Promise<void>;
  sub?: Subscription;
  consumer?: ConsumerMessages;
  closed: boolean;
  ready: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BusPeer extends EventEmitter<BusPeerEvents> {
  private readonly rooms = new Map<string, RoomState>();
  private readonly statuses = new Map<string, MessageStatus>();
  private readonly js: JetStreamClient;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private started = false;
  private flushing = false;
  private flushAgain = false;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private readonly refreshRoomsForced = new Set<string>();
  private roomsLoaded = false;
  private eventsSub?: Subscription;
  private readonly cache: FrameCache;

  private constructor(
    private readonly options: BusPeerOptions,
    readonly control: ControlPlaneClient,
    readonly me: Me,
    private readonly dataPlane: MeDataPlane,
    private readonly bus: BusConnection,
    private readonly outbox: Outbox,
  ) {
    super();
    this.js = jetstream(bus.nc, { timeout: PUBLISH_TIMEOUT_MS });
    this.cache = new FrameCache(options.profileDir);
  }

  /** Connects to the profile's node and loads the user's rooms (`connect` + `start`). */
  static async open(options: BusPeerOptions): Promise<BusPeer> {
    const peer = await BusPeer.connect(options);
    await peer.start();
    return peer;
  }

  /**
   * Connects (control plane, NATS) without opening rooms yet: attach `message` / `dropped` /
   * `status` listeners, then call `start()`, so no event of the first catch-up is missed.
   */
  static async connect(options: BusPeerOptions): Promise<BusPeer> {
    const connection = options.connection ?? (await loadConnection(options.profileDir));
    const control = new ControlPlaneClient({
      nodeId: connection.node_id,
      urls: connection.control_urls,
      caPem: connection.ca_pem,
      signSeed: options.identity.keys.signSeed,
    });
    const me = await control.get<Me>('/v1/me');
    if (!me.data_plane) throw new BusError('this node runs without a data plane');
    const outbox = await Outbox.open(options.profileDir);
    const bus = await BusConnection.open({
      natsUrls: connection.nats_urls,
      caPem: connection.ca_pem,
      signSeed: options.identity.keys.signSeed,
      inboxPrefix: me.data_plane.inbox_prefix,
      ...options.connectionOptions,
    });
    return new BusPeer(options, control, me, me.data_plane, bus, outbox);
  }

  get endpoint(): string {
    return this.me.endpoint;
  }

  get connectionState(): ConnectionState {
    return this.bus.state;
  }

  get outboxSize(): number {
    return this.outbox.size;
  }

  private log(event: string, detail: Record<string, unknown>): void {
    this.options.log?.({ event, detail });
  }

  /** Subscribes to the user's events, opens every room (history catch-up), starts the outbox. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.bus.on('state', (state) => {
      this.log('connection', { state });
      this.emit('state', state);
      if (state === 'connected') {
        this.kickFlush();
        this.scheduleRefresh();
      }
    });
    this.eventsSub = this.bus.nc.subscribe(this.dataPlane.events, {
      callback: (error, msg) => {
        if (error) return;
        // Events are unsigned hints (§13): only the named room is re-read, over the control plane.
        if (msg.subject !== this.dataPlane.events) return;
        let roomId: string | undefined;
        try {
          const value = JSON.parse(msg.string()) as { type?: unknown; room_id?: unknown };
          if (isRoomId(value.room_id)) roomId = value.room_id;
          this.log('event', { type: value.type, room_id: roomId });
        } catch {
          return;
        }
        this.scheduleRefresh(roomId);
      },
    });
    for (const entry of this.outbox.list()) {
      this.setStatus({ id: entry.id, roomId: entry.roomId, state: 'sending' });
    }
    await this.refreshRooms();
    const interval = this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.pollTimer = setInterval(() => this.scheduleRefresh(), interval);
    this.pollTimer.unref();
    this.kickFlush();
  }

  // ---------------------------------------------------------------- rooms

  /** Re-reads the room list (single flight; a request during a refresh runs one more). */
  refreshRooms(forceRoom?: string): Promise<void> {
    if (forceRoom) this.refreshRoomsForced.add(forceRoom);
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          const forced = new Set(this.refreshRoomsForced);
          this.refreshRoomsForced.clear();
          await this.refreshOnce(forced);
        } while (this.refreshAgain && !this.closing);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private scheduleRefresh(roomId?: string): void {
    if (this.closing) return;
    this.refreshRooms(roomId).catch((error: unknown) =>
      this.log('refresh-failed', { error: String(error) }),
    );
  }

  private async refreshOnce(forced: ReadonlySet<string>): Promise<void> {
    if (this.closing) return;
    const entries = await this.control.get<RoomEntry[]>('/v1/rooms');
    const present = new Set<string>();
    let changed = false;
    for (const entry of entries) {
      const id = entry.room.room_id;
      if (!isRoomId(id) || !entry.data_plane) continue;
      present.add(id);
      const room = this.rooms.get(id);
      if (!room) {
        this.openRoom(entry);
        changed = true;
        continue;
      }
      await room.ready.catch(() => {});
      const epochChanged = entry.room.epoch !== room.entry.room.epoch;
      room.entry = entry;
      // A rekey moves the room's epoch before its sealed keys are stored, so a refresh can see
      // the new epoch first: keep fetching until the current epoch's key is here.
      const missingKey = !room.keys.has(entry.room.epoch);
      if (epochChanged || missingKey || forced.has(id)) {
        try {
          await this.refreshMembers(room, true);
          await this.refreshKeys(room);
        } catch (error) {
          // e.g. 403 right after a removal: the next refresh drops the room.
          this.log('room-refresh-failed', { room_id: id, error: String(error) });
        }
        changed = true;
      }
    }
    for (const id of [...this.rooms.keys()]) {
      if (!present.has(id)) {
        this.closeRoom(id);
        this.emit('room-removed', { roomId: id });
        changed = true;
      }
    }
    await Promise.all([...this.rooms.values()].map((r) => r.ready.catch(() => {})));
    this.roomsLoaded = true;
    if (changed) {
      this.emit('rooms');
      this.kickFlush();
    }
  }

  private openRoom(entry: RoomEntry, presetKey?: { epoch: number; key: Uint8Array }): RoomState {
    const existing = this.rooms.get(entry.room.room_id);
    if (existing) return existing;
    const room: RoomState = {
      id: entry.room.room_id,
      entry,
      dataPlane: entry.data_plane!,
      keys: new Map(presetKey ? [[presetKey.epoch, presetKey.key]] : []),
      members: new Map(),
      former: new Map(),
      membersFetchedAt: 0,
      epochCheckedAt: 0,
      seen: new Set(),
      messages: new Map(),
      queue: Promise.resolve(),
      closed: false,
      ready: Promise.resolve(),
    };
    this.rooms.set(room.id, room);
    room.ready = (async () => {
      await this.refreshMembers(room, true);
      await this.refreshKeys(room);
      if (room.closed) return;
      for (const cached of await this.cache.read(room.id)) {
        void this.enqueue(room, () =>
          this.receive(room, room.dataPlane.subject, cached.frame, 'cache', {
            signPublic: cached.signPublic,
          }),
        );
      }
      room.sub = this.bus.nc.subscribe(room.dataPlane.subjects, {
        callback: (error, msg) => {
          if (error) return;
          this.enqueue(room, () => this.receive(room, msg.subject, msg.data, 'live'));
        },
      });
      await this.startConsumer(room);
    })();
    room.ready.catch((error: unknown) => {
      this.log('room-open-failed', { room_id: room.id, error: String(error) });
      // Forget it so the next refresh (event or poll) opens it again.
      if (this.rooms.get(room.id) === room) this.closeRoom(room.id);
    });
    return room;
  }

  private async startConsumer(room: RoomState): Promise<void> {
    const durable = this.dataPlane.consumer;
    const jsm = await jetstreamManager(this.bus.nc, { checkAPI: false });
    try {
      await jsm.consumers.add(room.dataPlane.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
    } catch (error) {
      // An existing consumer with another config is still ours to read.
      this.log('consumer-add', { room_id: room.id, error: String(error) });
    }
    if (room.closed) return;
    const consumer = await this.js.consumers.get(room.dataPlane.stream, durable);
    const messages = await consumer.consume({ max_messages: 256, expires: 5_000 });
    room.consumer = messages;
    if (room.closed) {
      void messages.close();
      return;
    }
    void (async () => {
      for await (const m of messages) {
        if (room.closed) break;
        const storedAt = Math.floor(m.info.timestampNanos / 1_000_000);
        await this.enqueue(room, () =>
          this.receive(room, m.subject, m.data, 'history', { storedAt }),
        );
        m.ack();
      }
    })().catch((error: unknown) =>
      this.log('consumer-stopped', { room_id: room.id, error: String(error) }),
    );
  }

  private closeRoom(id: string): void {
    const room = this.rooms.get(id);
    if (!room) return;
    room.closed = true;
    this.rooms.delete(id);
    room.sub?.unsubscribe();
    void room.consumer?.close();
    for (const key of room.keys.values()) key.fill(0);
    room.keys.clear();
    this.log('room-closed', { room_id: id });
  }

  private requireRoom(roomId: string): RoomState {
    const room = this.rooms.get(roomId);
    if (!room) throw new BusError(`not a member of room ${roomId}`);
    return room;
  }

  private async refreshMembers(room: RoomState, force = false): Promise<void> {
    if (!force && Date.now() - room.membersFetchedAt < MEMBER_REFRESH_MIN_MS) return;
    room.membersFetchedAt = Date.now();
    const list = await this.control.get<
      {
        endpoint: string;
        role: 'owner' | 'member';
        since_epoch: number;
        handle: string;
        status: 'active' | 'revoked';
        card: string;
      }[]
    >(`/v1/rooms/${room.id}/members`);
    const next = new Map<string, Member>();
    for (const m of list) {
      let card: IdentityCard;
      try {
        card = parseIdentityCard(m.card);
      } catch {
        continue;
      }
      if (card.id !== m.endpoint) continue;
      next.set(m.endpoint, {
        card,
        info: {
          endpoint: m.endpoint,
          signPub: hexEncode(card.signPublic),
          handle: m.handle,
          role: m.role,
          status: m.status,
          sinceEpoch: m.since_epoch,
        },
      });
    }
    for (const [endpoint, old] of room.members) {
      if (!next.has(endpoint) && !room.former.has(endpoint)) {
        room.former.set(endpoint, { card: old.card, removedAt: Date.now() });
      }
    }
    for (const endpoint of next.keys()) room.former.delete(endpoint);
    room.members = next;
  }

  /** Fetches this user's sealed keys and opens the ones not held yet (§7). */
  private async refreshKeys(room: RoomState): Promise<void> {
    const records = await this.control.get<unknown[]>(`/v1/rooms/${room.id}/keys`);
    const keys = this.options.identity.keys;
    for (const record of records) {
      let grant;
      try {
        grant = parseRoomKeyGrant(record);
      } catch (error) {
        this.log('room-key-rejected', { room_id: room.id, error: String(error) });
        continue;
      }
      if (grant.roomId !== room.id || grant.endpoint !== this.me.endpoint) continue;
      if (room.keys.has(grant.epoch)) continue;
      let granter = room.members.get(grant.granter)?.card ?? room.former.get(grant.granter)?.card;
      if (!granter) {
        await this.refreshMembers(room);
        granter = room.members.get(grant.granter)?.card;
      }
      if (!granter) {
        this.log('room-key-rejected', {
          room_id: room.id,
          epoch: grant.epoch,
          error: 'granter is not a member of the room',
        });
        continue;
      }
      try {
        const key = openRoomKeyGrant(
          grant,
          { roomId: room.id, epoch: grant.epoch },
          { kexPublic: keys.kexPublic, kexPrivate: keys.kexPrivate },
          granter.signPublic,
        );
        room.keys.set(grant.epoch, key);
      } catch (error) {
        this.log('room-key-rejected', {
          room_id: room.id,
          epoch: grant.epoch,
          error: String(error),
        });
      }
    }
  }

  private roomInfo(room: RoomState): RoomInfo {
    const r = room.entry.room;
    let name: string | undefined;
    let topic: string | undefined;
    let metaError: string | undefined;
    const blob = base64urlDecode(r.meta);
    if (!blob) metaError = 'malformed';
    else {
      try {
        const meta = openRoomMeta(blob, room.id, room.keys);
        name = meta.name;
        topic = meta.topic;
      } catch (error) {
        metaError = error instanceof Error ? error.message : String(error);
      }
    }
    return {
      id: room.id,
      name,
      topic,
      ...(metaError ? { metaError } : {}),
      role: room.entry.role,
      owner: r.owner,
      epoch: r.epoch,
      policy: r.policy,
      createdAt: r.created_at,
      keyedEpochs: [...room.keys.keys()].sort((a, b) => a - b),
      messageCount: room.messages.size,
    };
  }

  /** The rooms this peer has open right now, without asking the node. */
  openRooms(): RoomInfo[] {
    return [...this.rooms.values()].map((room) => this.roomInfo(room));
  }

  /** The user's rooms, re-read from the node, names decrypted. */
  async listRooms(): Promise<RoomInfo[]> {
    await this.refreshRooms();
    return [...this.rooms.values()].map((room) => this.roomInfo(room));
  }

  async room(roomId: string): Promise<RoomInfo> {
    const room = this.requireRoom(roomId);
    await room.ready;
    return this.roomInfo(room);
  }

  /** The card of a member (or former member) of an open room, if this peer knows one. */
  knownCard(endpoint: string): IdentityCard | undefined {
    for (const room of this.rooms.values()) {
      const card = room.members.get(endpoint)?.card ?? room.former.get(endpoint)?.card;
      if (card !== undefined) return card;
    }
    return undefined;
  }

  async members(roomId: string): Promise<MemberInfo[]> {
    const room = this.requireRoom(roomId);
    await this.refreshMembers(room, true);
    return [...room.members.values()].map((m) => m.info);
  }

  async createRoom(
    name: string,
    options: { topic?: string; policy?: Partial<RoomPolicy> } = {},
  ): Promise<RoomInfo> {
    const roomId = newUlid();
    const key = newRoomKey();
    const policy: RoomPolicy = {
      persist: options.policy?.persist ?? true,
      history: options.policy?.history ?? 'all',
    };
    const meta = sealRoomMeta(
      { roomId, epoch: 1, meta: { name, topic: options.topic ?? '' } },
      key,
    );
    const ownerKey = createRoomKeyGrant(
      {
        roomId,
        epoch: 1,
        roomKey: key,
        member: { endpoint: this.me.endpoint, kexPublic: this.options.identity.keys.kexPublic },
      },
      this.options.identity.keys.signSeed,
    );
    const entry = await this.control.post<RoomEntry>('/v1/rooms', {
      room_id: roomId,
      policy,
      meta: base64urlEncode(meta),
      owner_key: roomKeyGrantToJson(ownerKey),
    });
    if (!entry.data_plane) throw new BusError('the node returned no data plane for the room');
    const room = this.openRoom(entry, { epoch: 1, key });
    await room.ready;
    this.emit('rooms');
    return this.roomInfo(room);
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.control.post(`/v1/rooms/${roomId}/leave`);
    this.closeRoom(roomId);
    this.emit('rooms');
  }

  /** An invitee's card: a pasted card (JSON), or a handle / endpoint id from the directory. */
  private async resolveCard(who: string): Promise<IdentityCard> {
    const text = who.trim();
    if (text.startsWith('{')) return parseIdentityCard(text);
    const directory =
      await this.control.get<{ handle: string; endpoint: string; card: string }[]>('/v1/directory');
    const found = directory.find((u) => u.handle === text || u.endpoint === text);
    if (!found) throw new BusError(`no active user ${text} on this node`);
    const card = parseIdentityCard(found.card);
    if (card.id !== found.endpoint) throw new BusError('the directory card does not match');
    return card;
  }

  /**
   * Adds a user to the room: seals the current key (and the older ones this peer holds when the
   * room's history policy is `all`) to the invitee's card, signed by this user.
   */
  async invite(
    roomId: string,
    who: string,
  ): Promise<{ room_id: string; endpoint: string; role: string }> {
    const room = this.requireRoom(roomId);
    await room.ready;
    const card = await this.resolveCard(who);
    const current = (await this.control.get<RoomEntry>(`/v1/rooms/${roomId}`)).room.epoch;
    if (!room.keys.has(current)) await this.refreshKeys(room);
    if (!room.keys.has(current)) throw new BusError(`no key for the current epoch ${current}`);
    const epochs =
      room.entry.room.policy.history === 'all'
        ? [...room.keys.keys()].filter((e) => e <= current).sort((a, b) => a - b)
        : [current];
    const keys = epochs.map((epoch) =>
      roomKeyGrantToJson(
        createRoomKeyGrant(
          {
            roomId,
            epoch,
            roomKey: room.keys.get(epoch)!,
            member: { endpoint: card.id, kexPublic: card.kexPublic },
          },
          this.options.identity.keys.signSeed,
        ),
      ),
    );
    const result = await this.control.post<{ room_id: string; endpoint: string; role: string }>(
      `/v1/rooms/${roomId}/members`,
      { endpoint: card.id, keys },
    );
    await this.refreshMembers(room, true);
    return result;
  }

  /**
   * Removes a member and rotates the key: a fresh key for the next epoch sealed to exactly the
   * remaining members (from a fresh member list), then `POST /kick`. Returns the node's receipt.
   */
  async kick(roomId: string, who: string): Promise<KickReceipt> {
    const room = this.requireRoom(roomId);
    await room.ready;
    await this.refreshMembers(room, true);
    const target = [...room.members.values()].find(
      (m) => m.info.handle === who || m.info.endpoint === who,
    );
    if (!target) throw new BusError(`${who} is not a member of this room`);
    const current = (await this.control.get<RoomEntry>(`/v1/rooms/${roomId}`)).room.epoch;
    const epoch = current + 1;
    const key = newRoomKey();
    const remaining = [...room.members.values()].filter(
      (m) => m.info.endpoint !== target.info.endpoint,
    );
    const keys = remaining.map((m) =>
      roomKeyGrantToJson(
        createRoomKeyGrant(
          {
            roomId,
            epoch,
            roomKey: key,
            member: { endpoint: m.info.endpoint, kexPublic: m.card.kexPublic },
          },
          this.options.identity.keys.signSeed,
        ),
      ),
    );
    const receipt = await this.control.post<KickReceipt>(`/v1/rooms/${roomId}/kick`, {
      endpoint: target.info.endpoint,
      epoch,
      keys,
    });
    room.keys.set(receipt.epoch, key);
    room.members.delete(target.info.endpoint);
    room.former.set(target.info.endpoint, {
      card: target.card,
      removedAt: receipt.acl_revoked_at,
    });
    room.entry = { ...room.entry, room: { ...room.entry.room, epoch: receipt.epoch } };
    this.emit('rooms');
    return receipt;
  }

  // ---------------------------------------------------------------- messages

  /** Accepted messages of a room so far, in message-id order. */
  messages(roomId: string): ReceivedMessage[] {
    const room = this.requireRoom(roomId);
    return [...room.messages.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Waits until the room's consumer has delivered everything stored (history caught up), then
   * returns the room's messages.
   */
  async history(roomId: string, options: { timeoutMs?: number } = {}): Promise<ReceivedMessage[]> {
    const room = this.requireRoom(roomId);
    await room.ready;
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    const consumer = await this.js.consumers.get(room.dataPlane.stream, this.dataPlane.consumer);
    for (;;) {
      const info = await consumer.info();
      if (info.num_pending === 0 && info.num_ack_pending === 0) break;
      if (Date.now() > deadline) throw new BusError('history did not catch up in time');
      await sleep(50);
    }
    await room.queue;
    return this.messages(roomId);
  }

  status(id: string): MessageStatus | undefined {
    return this.statuses.get(id);
  }

  private setStatus(status: MessageStatus): void {
    this.statuses.set(status.id, status);
    this.emit('status', status);
  }

  /**
   * Seals and signs a text message under the room's current key, stores the frame in the outbox
   * and starts publishing it. Resolves with state `sending` once the frame is durable in the
   * outbox; `status` events report `stored` (PubAck) or `failed`.
   */
  async send(roomId: string, text: string): Promise<MessageStatus> {
    return this.sendBody(roomId, { type: 'message', text });
  }

  async sendBody(roomId: string, body: MessageBody): Promise<MessageStatus> {
    const room = this.requireRoom(roomId);
    await room.ready;
    let epoch = room.entry.room.epoch;
    if (!room.keys.has(epoch)) {
      // Offline (the outbox case) the newest key held still seals the frame; never fail a send
      // just because the node cannot be asked right now.
      await this.refreshKeys(room).catch((error: unknown) =>
        this.log('room-key-refresh-failed', { room_id: roomId, error: String(error) }),
      );
    }
    epoch = Math.max(...room.keys.keys());
    const key = room.keys.get(epoch);
    if (!key) throw new BusError('no room key held for this room');
    const timestamp = Date.now();
    const id = newUlid(timestamp);
    const frame = sealFrame(
      {
        type: body.type,
        roomId,
        epoch,
        plaintext: encodeMessageBody(body),
        messageId: id,
        timestamp,
      },
      key,
      this.options.identity.keys.signSeed,
    );
    // `sending` first: a flush already under way may publish the entry before `add` resolves.
    const status: MessageStatus = { id, roomId, state: 'sending' };
    this.setStatus(status);
    await this.outbox.add({ id, roomId, frame, createdAt: timestamp });
    this.kickFlush();
    return status;
  }

  /** `send`, then wait for `stored` or `failed`. */
  async sendAndWait(roomId: string, text: string, timeoutMs = 15_000): Promise<MessageStatus> {
    const sent = await this.send(roomId, text);
    return this.waitForStatus(sent.id, timeoutMs);
  }

  waitForStatus(id: string, timeoutMs = 15_000): Promise<MessageStatus> {
    const now = this.statuses.get(id);
    if (now && now.state !== 'sending') return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('status', on);
        reject(new BusError(`message ${id} still sending after ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (s: MessageStatus) => {
        if (s.id !== id || s.state === 'sending') return;
        clearTimeout(timer);
        this.off('status', on);
        resolve(s);
      };
      this.on('status', on);
    });
  }

  private kickFlush(): void {
    if (this.closing) return;
    this.flush().catch((error: unknown) => this.log('flush-failed', { error: String(error) }));
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closing) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kickFlush();
    }, RETRY_FLUSH_MS);
    this.retryTimer.unref();
  }

  /** Publishes the outbox in order; single flight, re-run when a send arrives meanwhile. */
  private async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        await this.flushPass();
      } while (this.flushAgain && !this.closing);
    } finally {
      this.flushing = false;
    }
  }

  /**
   * One pass over the outbox: publishes up to PUBLISH_WINDOW entries at a time (acks come back
   * pipelined), and gives up on a window as soon as the connection drops instead of waiting out
   * the publish timeout — the next pass on reconnect resends the same msgIDs, which JetStream
   * and receivers deduplicate. Stops at the first failure and retries later.
   */
  private async flushPass(): Promise<void> {
    const done: string[] = [];
    const cut = this.connectionCut();
    try {
      const entries = this.outbox.list();
      for (let start = 0; start < entries.length; start += PUBLISH_WINDOW) {
        if (this.closing) return;
        if (this.bus.state !== 'connected') {
          this.scheduleRetry();
          return;
        }
        const window: { entry: OutboxEntry; room: RoomState }[] = [];
        for (const entry of entries.slice(start, start + PUBLISH_WINDOW)) {
          const room = this.rooms.get(entry.roomId);
          if (room) {
            window.push({ entry, room });
          } else if (!this.roomsLoaded) {
            this.scheduleRetry();
            return;
          } else {
            done.push(entry.id);
            this.setStatus({
              id: entry.id,
              roomId: entry.roomId,
              state: 'failed',
              reason: 'not a member of this room',
            });
          }
        }
        const acks = window.map(({ entry, room }) => this.publishEntry(entry, room));
        // An abandoned window's late answers are settled here; resends cover them.
        for (const ack of acks) ack.catch(() => {});
        try {
          await Promise.race([Promise.all(acks), cut.dropped]);
        } catch (error) {
          this.log('publish-failed', { error: String(error) });
          this.scheduleRetry();
          return;
        }
        done.push(...window.map(({ entry }) => entry.id));
        if (done.length >= 64) await this.outbox.remove(done.splice(0));
      }
    } finally {
      cut.dispose();
      if (done.length > 0) await this.outbox.remove(done);
    }
  }

  private async publishEntry(entry: OutboxEntry, room: RoomState): Promise<void> {
    const ack = await this.js.publish(room.dataPlane.subject, entry.frame, {
      msgID: entry.id,
      timeout: PUBLISH_TIMEOUT_MS,
    });
    this.log('stored', { id: entry.id, seq: ack.seq, duplicate: ack.duplicate });
    this.setStatus({ id: entry.id, roomId: entry.roomId, state: 'stored' });
  }

  /** A promise that rejects when the connection leaves `connected` (until disposed). */
  private connectionCut(): { dropped: Promise<never>; dispose: () => void } {
    let onState: (state: string) => void = () => {};
    const dropped = new Promise<never>((_, reject) => {
      onState = (state) => {
        if (state !== 'connected') reject(new BusError(`connection ${state}`));
      };
      this.bus.on('state', onState);
    });
    dropped.catch(() => {});
    return { dropped, dispose: () => this.bus.off('state', onState) };
  }

  // ---------------------------------------------------------------- receiving

  private enqueue(room: RoomState, task: () => Promise<void>): Promise<void> {
    const next = room.queue.then(task).catch((error: unknown) => {
      this.log('receive-failed', { room_id: room.id, error: String(error) });
    });
    room.queue = next;
    return next;
  }

  private drop(
    room: RoomState,
    reason: DropReason,
    via: DeliveryPath,
    subject: string,
    frame?: Frame,
  ): void {
    const dropped: DroppedFrame = {
      roomId: room.id,
      reason,
      via,
      subject,
      ...(frame ? { sender: frame.sender, messageId: frame.messageId, epoch: frame.epoch } : {}),
    };
    this.log('dropped', { ...dropped });
    this.emit('dropped', dropped);
  }

  private async receive(
    room: RoomState,
    subject: string,
    data: Uint8Array,
    via: DeliveryPath,
    /** `storedAt`: the node's store time (history); `signPublic`: the key a cached frame was verified with. */
    origin: { storedAt?: number; signPublic?: Uint8Array } = {},
  ): Promise<void> {
    if (room.closed) return;
    const storedAt = origin.storedAt;
    // A member can steer deliveries (§12): only the room's own message subject counts.
    if (subject !== room.dataPlane.subject) return this.drop(room, 'wrong-subject', via, subject);
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch {
      return this.drop(room, 'malformed', via, subject);
    }
    if (via !== 'cache' && frame.roomId === room.id && frame.signature !== null) {
      if (!room.members.has(frame.sender) && !room.former.has(frame.sender)) {
        await this.refreshMembers(room).catch(() => {});
      }
      if (
        !room.keys.has(frame.epoch) &&
        frame.epoch > room.entry.room.epoch &&
        Date.now() - room.epochCheckedAt >= MEMBER_REFRESH_MIN_MS
      ) {
        // At most once a second per room: frames claiming a future epoch cannot force a flood.
        room.epochCheckedAt = Date.now();
        await this.refreshRooms(room.id).catch(() => {});
        if (room.closed) return;
      }
    }
    const former = room.former.get(frame.sender);
    if (via !== 'cache' && former && !room.members.has(frame.sender)) {
      // Signed by someone no longer in the room: accept only what the node stored before this
      // peer learned of the removal (history), never live traffic.
      if (via === 'live' || storedAt === undefined || storedAt > former.removedAt) {
        return this.drop(room, 'non-member', via, subject, frame);
      }
    }
    const senderKey =
      via === 'cache'
        ? origin.signPublic
        : (room.members.get(frame.sender)?.card.signPublic ??
          room.former.get(frame.sender)?.card.signPublic);
    const opened = openFrame(frame, {
      expectedRoomId: room.id,
      roomKeysByEpoch: room.keys,
      senderSignPublic: () => senderKey,
    });
    if (!opened.ok) return this.drop(room, opened.reason, via, subject, frame);
    if (room.seen.has(frame.messageId)) {
      this.emit('duplicate', { roomId: room.id, id: frame.messageId, via });
      return;
    }
    let body: MessageBody;
    try {
      body = parseMessageBody(frame.type, opened.plaintext);
    } catch {
      return this.drop(room, 'bad-body', via, subject, frame);
    }
    room.seen.add(frame.messageId);
    if (via !== 'cache' && senderKey) {
      this.cache
        .append(room.id, { frame: data, signPublic: senderKey })
        .catch((error: unknown) => this.log('cache-failed', { error: String(error) }));
    }
    const member = room.members.get(frame.sender);
    const message: ReceivedMessage = {
      id: frame.messageId,
      roomId: room.id,
      type: frame.type,
      sender: frame.sender,
      senderHandle: member?.info.handle ?? room.former.get(frame.sender)?.card.handle,
      text: 'text' in body ? body.text : undefined,
      target: 'target' in body ? body.target : undefined,
      hasFile: 'file' in body,
      file: 'file' in body ? body.file : undefined,
      timestamp: frame.timestamp,
      epoch: frame.epoch,
      via,
    };
    room.messages.set(message.id, message);
    this.emit('message', message);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops timers, subscriptions and consumers, wipes room keys, drains the connection. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.refreshing?.catch(() => {});
    for (const id of [...this.rooms.keys()]) this.closeRoom(id);
    this.eventsSub?.unsubscribe();
    await this.cache.settle();
    await this.bus.close();
  }
}

export function isControlPlaneForbidden(error: unknown): boolean {
  return error instanceof ControlPlaneError && error.status === 403;
}
