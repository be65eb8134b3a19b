/**
 * The connected peer as the UI sees it: room and message views, unread counts, rooms the user
 * was removed from, dropped frames shown as such, notifications. Updates reach the renderer as
 * batched events (a history catch-up of thousands of messages is a handful of events).
 */
import type { MemberView, MessageView, RoomView, SettingsView } from '../../shared/types';
import { NotFoundError } from '../../shared/errors';
import type { IpcEventSink } from '../ipc';
import { BusPeer, type MessageStatus, type ReceivedMessage } from '../bus';
import type { Identity } from '../identity';
import type { MessageBody } from '../protocol';
import type { JsonFile } from './json-file';
import type { People } from './people';
import { openReadState, type ReadState } from './read-state';
import type { DesktopNotification } from './types';
import { shortFingerprintOf } from './safety-views';
import { droppedView, memberView, messageView, pendingView, roomView } from './views';

const MAX_DROPPED_PER_ROOM = 200;
const FLUSH_DELAY_MS = 30;

interface Pending {
  id: string;
  roomId: string;
  text: string | null;
  file: MessageView['file'];
  timestamp: number;
}

export interface PeerSessionHooks {
  readonly emit: IpcEventSink;
  readonly settings: () => SettingsView;
  readonly notify?: (notification: DesktopNotification) => void;
  readonly onUnreadTotal?: (total: number) => void;
  readonly onConnection: () => void;
  /** What the user knows of other people's keys (trust shown on members and messages). */
  readonly people: People;
}

export class PeerSession {
  private readonly pending = new Map<string, Pending>();
  private readonly dropped = new Map<string, MessageView[]>();
  private droppedSerial = 0;
  private readonly changed = new Map<string, Map<string, MessageView>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private roomsDirty = false;
  /** Each open room as last shown: what a kicked room keeps showing (marked removed). */
  private readonly lastRoomViews = new Map<string, RoomView>();

  private constructor(
    readonly peer: BusPeer,
    private readonly identity: Identity,
    private readonly readState: JsonFile<ReadState>,
    private readonly hooks: PeerSessionHooks,
  ) {}

  static async open(
    profileDir: string,
    identity: Identity,
    hooks: PeerSessionHooks,
  ): Promise<PeerSession> {
    const readState = await openReadState(profileDir);
    const peer = await BusPeer.connect({ profileDir, identity });
    const session = new PeerSession(peer, identity, readState, hooks);
    session.listen();
    await peer.start();
    session.roomsChanged();
    return session;
  }

  get endpoint(): string {
    return this.peer.endpoint;
  }

  private listen(): void {
    const peer = this.peer;
    peer.on('state', () => this.hooks.onConnection());
    peer.on('rooms', () => this.roomsChanged());
    peer.on('message', (message) => this.onMessage(message));
    peer.on('status', (status) => this.onStatus(status));
    peer.on('dropped', (dropped) => {
      const view = droppedView(dropped, ++this.droppedSerial);
      const list = this.dropped.get(dropped.roomId) ?? [];
      list.push(view);
      if (list.length > MAX_DROPPED_PER_ROOM) list.shift();
      this.dropped.set(dropped.roomId, list);
      this.queue(view);
    });
    peer.on('room-removed', ({ roomId }) => void this.onRemoved(roomId));
    peer.on('error', () => {}); // surfaced through state and statuses; never crash the host
  }

  // ------------------------------------------------------------------ rooms

  rooms(): RoomView[] {
    const open = this.peer
      .openRooms()
      .map((room) => roomView(room, this.unread(room.id)))
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
    return [...open, ...Object.values(this.readState.current.removed)];
  }

  private unread(roomId: string): number {
    const lastRead = this.readState.current.lastRead[roomId] ?? '';
    let count = 0;
    for (const message of this.peer.messages(roomId)) {
      if (message.sender !== this.endpoint && message.id > lastRead) count++;
    }
    return count;
  }

  async markRead(roomId: string): Promise<void> {
    if (this.isRemoved(roomId)) return;
    const messages = this.roomMessages(roomId);
    const newest = messages.at(-1)?.id;
    const current = this.readState.current;
    if (newest === undefined || current.lastRead[roomId] === newest) return;
    await this.readState.save({ ...current, lastRead: { ...current.lastRead, [roomId]: newest } });
    this.roomsChanged();
  }

  async dismiss(roomId: string): Promise<void> {
    const { [roomId]: _gone, ...removed } = this.readState.current.removed;
    await this.readState.save({ ...this.readState.current, removed });
    this.roomsChanged();
  }

  async leave(roomId: string): Promise<void> {
    this.requireOpen(roomId);
    await this.peer.leaveRoom(roomId);
    this.roomsChanged();
  }

  private async onRemoved(roomId: string): Promise<void> {
    const last = this.lastRoomViews.get(roomId);
    if (last === undefined) return;
    const current = this.readState.current;
    const removed: RoomView = { ...last, unread: 0, removed: 'kicked' };
    await this.readState
      .save({ ...current, removed: { ...current.removed, [roomId]: removed } })
      .catch(() => {});
    this.roomsChanged();
  }

  private roomsChanged(): void {
    this.roomsDirty = true;
    this.scheduleFlush();
  }

  isRemoved(roomId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.readState.current.removed, roomId);
  }

  requireOpen(roomId: string): void {
    if (!this.peer.openRooms().some((room) => room.id === roomId)) {
      throw new NotFoundError(
        this.isRemoved(roomId)
          ? 'You were removed from this room.'
          : 'This room does not exist or you are not a member.',
      );
    }
  }

  async members(roomId: string): Promise<MemberView[]> {
    this.requireOpen(roomId);
    return (await this.peer.members(roomId)).map((m) => {
      const fingerprint = shortFingerprintOf(m.signPub);
      this.hooks.people.observe(m.endpoint, m.handle, { signPub: m.signPub, fingerprint });
      return memberView(m, this.endpoint, {
        fingerprint,
        trust: this.trustOf(m.endpoint, m.handle),
      });
    });
  }

  // ------------------------------------------------------------------ trust

  trustOf(endpoint: string, handle: string) {
    return this.hooks.people.trustOf(endpoint, handle, this.endpoint).trust;
  }

  /** A message as shown: its sender is noted as seen, and their key's trust comes along. */
  private viewOf(message: ReceivedMessage, status: MessageStatus | undefined): MessageView {
    const handle = message.senderHandle;
    if (handle !== undefined) this.hooks.people.observe(message.sender, handle);
    const trust = handle === undefined ? 'unverified' : this.trustOf(message.sender, handle);
    return messageView(message, this.endpoint, status, trust);
  }

  /** Shows the messages of these people again after the user verified or accepted a key. */
  trustChanged(endpoints: readonly string[]): void {
    const who = new Set(endpoints);
    for (const room of this.peer.openRooms()) {
      for (const message of this.peer.messages(room.id)) {
        if (who.has(message.sender)) this.queue(this.viewOf(message, this.peer.status(message.id)));
      }
    }
  }

  // --------------------------------------------------------------- messages

  /** Everything to show in a room: accepted messages, own messages still sending, drops. */
  roomMessages(roomId: string): MessageView[] {
    if (this.isRemoved(roomId) && !this.peer.openRooms().some((r) => r.id === roomId)) {
      return this.dropped.get(roomId) ?? [];
    }
    this.requireOpen(roomId);
    const received = this.peer.messages(roomId);
    const seen = new Set(received.map((m) => m.id));
    const views = received.map((m) => this.viewOf(m, this.peer.status(m.id)));
    for (const p of this.pending.values()) {
      if (p.roomId === roomId && !seen.has(p.id)) views.push(this.pendingOf(p));
    }
    views.push(...(this.dropped.get(roomId) ?? []));
    return views.sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : 1));
  }

  async send(roomId: string, body: MessageBody, file: MessageView['file']): Promise<MessageView> {
    this.requireOpen(roomId);
    const status = await this.peer.sendBody(roomId, body);
    const pending: Pending = {
      id: status.id,
      roomId,
      text: 'text' in body && typeof body.text === 'string' ? body.text : null,
      file,
      timestamp: Date.now(),
    };
    this.pending.set(status.id, pending);
    const view = this.pendingOf(pending);
    this.queue(view);
    return view;
  }

  private pendingOf(p: Pending): MessageView {
    return pendingView(
      p,
      { endpoint: this.endpoint, handle: this.identity.record.handle },
      this.peer.status(p.id),
    );
  }

  private onMessage(message: ReceivedMessage): void {
    if (message.type !== 'message') return; // edits and redactions are not shown in this version
    this.pending.delete(message.id);
    this.queue(this.viewOf(message, this.peer.status(message.id)));
    if (message.sender !== this.endpoint) {
      this.roomsChanged(); // unread counts
      if (message.via === 'live' && this.hooks.settings().notifications) this.notify(message);
    }
  }

  private onStatus(status: MessageStatus): void {
    const pending = this.pending.get(status.id);
    if (pending !== undefined) {
      this.queue(this.pendingOf(pending));
      return;
    }
    const message = this.peer.messages(status.roomId).find((m) => m.id === status.id);
    if (message !== undefined) this.queue(this.viewOf(message, status));
  }

  private notify(message: ReceivedMessage): void {
    const room = this.peer.openRooms().find((r) => r.id === message.roomId);
    const handle = message.senderHandle;
    const changed = handle !== undefined && this.trustOf(message.sender, handle) === 'changed';
    this.hooks.notify?.({
      title: `${handle ?? 'Someone'}${changed ? ' (new key, not verified)' : ''} in ${room?.name ?? 'a room'}`,
      body: message.text ?? (message.file !== undefined ? `sent ${message.file.name}` : ''),
      roomId: message.roomId,
    });
  }

  /** The received message with `messageId`, manifest included (main process only). */
  message(roomId: string, messageId: string): ReceivedMessage {
    this.requireOpen(roomId);
    const found = this.peer.messages(roomId).find((m) => m.id === messageId);
    if (found === undefined) throw new NotFoundError('That message is not here (any more).');
    return found;
  }

  // ----------------------------------------------------------------- events

  private queue(view: MessageView): void {
    let room = this.changed.get(view.roomId);
    if (room === undefined) this.changed.set(view.roomId, (room = new Map()));
    room.set(view.id, view);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    for (const [roomId, views] of this.changed) {
      this.hooks.emit('messages.changed', { roomId, messages: [...views.values()] });
    }
    this.changed.clear();
    if (this.roomsDirty) {
      this.roomsDirty = false;
      const rooms = this.rooms();
      for (const room of rooms) if (room.removed === null) this.lastRoomViews.set(room.id, room);
      this.hooks.emit('rooms.changed', rooms);
      this.hooks.onUnreadTotal?.(rooms.reduce((sum, room) => sum + room.unread, 0));
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.peer.removeAllListeners();
    await this.peer.close();
  }
}
