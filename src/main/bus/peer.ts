/**
 * The bus peer: what the desktop app's main process (and the CLI) runs against a node.
 *
 * - Control plane (signed HTTPS, CA pinned) for rooms, members, sealed keys, invite, kick and
 *   the rooms' stored history (room-history.ts).
 * - Data plane (NATS, nkey + pinned TLS, authorized per connection by the node's callout): a
 *   live core subscription on each room's subjects; live frames and history pages feed one
 *   per-room queue that verifies and opens every frame (§5.5), drops anything else with a
 *   reason (`dropped` event), and de-duplicates by message id. A room gained needs a reconnect
 *   (its permissions come with the connection); a refused reconnect after an admin removed this
 *   identity ends in the final `removed` state.
 * - Room keys live in memory only, per room and epoch; they are wiped when a room goes away.
 * - Events on the user's subject are hints: any event triggers a re-read over the control
 *   plane; `GET /v1/rooms` is also polled as a fallback.
 * - Sends go through the persisted outbox (sealed frames only), published as requests on the
 *   room subject; the node's receipt (stored, with its sequence) clears them (§12.3).
 */
import { EventEmitter } from 'node:events';
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
import { RoomHistory, type StoredFrame } from './room-history';
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
/** A refused reconnect asks the control plane at most this often whether access was removed. */
const REMOVED_CHECK_MIN_MS = 5_000;

export class BusError extends Error {
  override readonly name = 'BusError';
}

export interface MeDataPlane {
  readonly uid: string;
  readonly inbox_prefix: string;
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
  history?: RoomHistory;
  closed: boolean;
  ready: Promise<void>;
  /** performance.now() when this peer opened it: a room list fetched earlier cannot close it. */
  readonly openedAt: number;
}

export class BusPeer extends EventEmitter<BusPeerEvents> {
  private readonly rooms = new Map<string, RoomState>();
  private readonly statuses = new Map<string, MessageStatus>();
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private started = false;
  private flushing = false;
  private flushAgain = false;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private renewing: Promise<void> | null = null;
  private readonly retryRooms = new Map<string, NodeJS.Timeout>();
  private removedCheckedAt = 0;
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
    /** Rooms the current connection was authorized for (granted when it connected). */
    private permitted: ReadonlySet<string>,
  ) {
    super();
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
    // Read before connecting: the callout grants at least these rooms to the new connection.
    const permitted = new Set(
      (await control.get<RoomEntry[]>('/v1/rooms')).map((entry) => entry.room.room_id),
    );
    const bus = await BusConnection.open({
      natsUrls: connection.nats_urls,
      caPem: connection.ca_pem,
      signSeed: options.identity.keys.signSeed,
      inboxPrefix: me.data_plane.inbox_prefix,
      ...options.connectionOptions,
    });
    return new BusPeer(options, control, me, me.data_plane, bus, outbox, permitted);
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
    this.bus.on('auth-refused', () => void this.checkRemoved());
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

  private retryRoomSoon(roomId: string): void {
    if (this.closing || this.retryRooms.has(roomId)) return;
    const timer = setTimeout(() => {
      this.retryRooms.delete(roomId);
      this.scheduleRefresh(roomId);
    }, MEMBER_REFRESH_MIN_MS);
    timer.unref();
    this.retryRooms.set(roomId, timer);
  }

  private scheduleRefresh(roomId?: string): void {
    if (this.closing) return;
    this.refreshRooms(roomId).catch((error: unknown) =>
      this.log('refresh-failed', { error: String(error) }),
    );
  }

  private async refreshOnce(forced: ReadonlySet<string>): Promise<void> {
    if (this.closing) return;
    const listedAt = performance.now();
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
      // Anything the live subscription missed (a reconnect gap, a frame from a member this
      // peer did not know yet) is in history: read it once members and keys are fresh.
      room.history
        ?.catchUp()
        .catch((error: unknown) =>
          this.log('history-failed', { room_id: id, error: String(error) }),
        );
    }
    for (const [id, room] of [...this.rooms]) {
      // A room created while the list was on its way is not in it, yet it is ours.
      if (!present.has(id) && room.openedAt < listedAt) {
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
      openedAt: performance.now(),
    };
    this.rooms.set(room.id, room);
    room.ready = (async () => {
      await this.refreshMembers(room, true);
      await this.refreshKeys(room);
      if (room.closed) return;
      let cursor = 0;
      for (const cached of await this.cache.read(room.id)) {
        if (cached.seq !== undefined) cursor = Math.max(cursor, cached.seq);
        void this.enqueue(room, () =>
          this.receive(room, room.dataPlane.subject, cached.frame, 'cache', {
            signPublic: cached.signPublic,
          }),
        );
      }
      // The connection's permissions come from when it connected: a new room needs a new one.
      await this.ensurePermitted(room.id);
      if (room.closed) return;
      room.sub = this.bus.nc.subscribe(room.dataPlane.subjects, {
        callback: (error, msg) => {
          if (error) return;
          this.enqueue(room, () => this.receive(room, msg.subject, msg.data, 'live'));
        },
      });
      room.history = new RoomHistory(this.control, room.id, cursor, (stored: StoredFrame) =>
        this.enqueue(room, () =>
          this.receive(room, room.dataPlane.subject, stored.frame, 'history', {
            storedAt: stored.storedAt,
            seq: stored.seq,
          }),
        ),
      );
      // In the background, as live frames: a history frame may itself trigger a room refresh.
      room.history
        .catchUp()
        .catch((error: unknown) =>
          this.log('history-failed', { room_id: room.id, error: String(error) }),
        );
    })();
    room.ready.catch((error: unknown) => {
      this.log('room-open-failed', { room_id: room.id, error: String(error) });
      // Forget it so the next refresh (event or poll) opens it again.
      if (this.rooms.get(room.id) === room) this.closeRoom(room.id);
    });
    return room;
  }

  /**
   * Reconnects (once for any number of waiting rooms) when the connection was authorized
   * before this room was granted; the rooms listed just before the reconnect are granted by it.
   */
  private async ensurePermitted(roomId: string): Promise<void> {
    if (this.permitted.has(roomId)) return;
    this.renewing ??= (async () => {
      const listed = await this.control.get<RoomEntry[]>('/v1/rooms');
      await this.bus.renewPermissions();
      this.permitted = new Set(listed.map((entry) => entry.room.room_id));
      this.log('permissions-renewed', { rooms: this.permitted.size });
    })().finally(() => {
      this.renewing = null;
    });
    await this.renewing;
    if (!this.permitted.has(roomId)) throw new BusError(`room ${roomId} is not granted yet`);
  }

  /**
   * The node refused this identity on a reconnect: final if the control plane says so too (an
   * admin revoked it), otherwise a passing refusal (the node restarting) and reconnects go on.
   */
  private async checkRemoved(): Promise<void> {
    if (this.closing || Date.now() - this.removedCheckedAt < REMOVED_CHECK_MIN_MS) return;
    this.removedCheckedAt = Date.now();
    try {
      await this.control.get<Me>('/v1/me');
    } catch (error) {
      if (error instanceof ControlPlaneError && (error.status === 401 || error.status === 403)) {
        this.log('access-removed', { status: error.status });
        await this.bus.markRemoved();
      }
    }
  }

  private closeRoom(id: string): void {
    const room = this.rooms.get(id);
    if (!room) return;
    room.closed = true;
    this.rooms.delete(id);
    room.sub?.unsubscribe();
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
   * Reads the room's stored history up to the node's last message (history caught up), then
   * returns the room's messages.
   */
  async history(roomId: string, options: { timeoutMs?: number } = {}): Promise<ReceivedMessage[]> {
    const room = this.requireRoom(roomId);
    await room.ready;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BusError('history did not catch up in time')),
        options.timeoutMs ?? 10_000,
      );
    });
    try {
      await Promise.race([room.history?.catchUp(), deadline]);
    } finally {
      clearTimeout(timer);
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

  /**
   * Publishes a frame as a request on the room subject: live members get it at once, the node
   * stores it and answers with a receipt (§12.3). A refusal is final (the entry fails); a node
   * that could not store it now, or no answer, leaves the entry for the next pass.
   */
  private async publishEntry(entry: OutboxEntry, room: RoomState): Promise<void> {
    const reply = await this.bus.nc.request(room.dataPlane.subject, entry.frame, {
      timeout: PUBLISH_TIMEOUT_MS,
    });
    const receipt = parseReceipt(reply.string());
    if ('seq' in receipt) {
      this.log('stored', { id: entry.id, seq: receipt.seq, duplicate: receipt.duplicate });
      this.setStatus({ id: entry.id, roomId: entry.roomId, state: 'stored' });
      return;
    }
    if (receipt.code === 'unavailable') throw new BusError(receipt.error);
    this.log('refused', { id: entry.id, code: receipt.code });
    this.setStatus({ id: entry.id, roomId: entry.roomId, state: 'failed', reason: receipt.error });
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
    // A member added a moment ago (the member list is re-read at most once a second): look
    // again shortly; the frame, if stored, comes back from history (the one retry per room).
    if (reason === 'unknown-sender' && via === 'live') this.retryRoomSoon(room.id);
  }

  private async receive(
    room: RoomState,
    subject: string,
    data: Uint8Array,
    via: DeliveryPath,
    /** `storedAt`, `seq`: the node's store time and sequence (history); `signPublic`: the key a cached frame was verified with. */
    origin: { storedAt?: number; seq?: number; signPublic?: Uint8Array } = {},
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
        .append(room.id, {
          frame: data,
          signPublic: senderKey,
          ...(origin.seq !== undefined ? { seq: origin.seq } : {}),
        })
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

  /** Stops timers and subscriptions, wipes room keys, drains the connection. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    for (const timer of this.retryRooms.values()) clearTimeout(timer);
    await this.refreshing?.catch(() => {});
    for (const id of [...this.rooms.keys()]) this.closeRoom(id);
    this.eventsSub?.unsubscribe();
    await this.cache.settle();
    await this.bus.close();
  }
}

type Receipt =
  | { readonly seq: number; readonly duplicate: boolean }
  | { readonly error: string; readonly code: string };

/** The node's answer to a published frame; anything unreadable counts as "try again". */
function parseReceipt(text: string): Receipt {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.seq === 'number')
      return { seq: value.seq, duplicate: value.duplicate === true };
    if (typeof value.error === 'string' && typeof value.code === 'string') {
      return { error: value.error, code: value.code };
    }
  } catch {
    // fall through
  }
  return { error: 'unreadable receipt', code: 'unavailable' };
}

export function isControlPlaneForbidden(error: unknown): boolean {
  return error instanceof ControlPlaneError && error.status === 403;
}
