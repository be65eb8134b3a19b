/**
 * Who may connect and to which rooms, kept in memory from KV watches of the users and members
 * buckets (ARCHITECTURE.md "auth callout"). The callout answers every connect from here; when
 * the cache is not current (watch not yet loaded, connection down, a sync that timed out) the
 * callout reads the store directly instead, and denies if that fails too (fail closed).
 *
 * `sync()` is the barrier a membership change waits on before it cuts connections: it reads
 * each bucket's last sequence and waits until the watch has applied it, so a client that
 * reconnects after the KICK is authorized by the state that caused the KICK.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import { BUCKETS, StoreUnavailableError } from '../store';
import { decodeStored } from '../store/kv-table';
import { isMemberRecord, isUserRecord } from '../store/records';

export interface CachedUser {
  readonly signPub: string;
  readonly endpoint: string;
  readonly active: boolean;
}

interface Watched {
  readonly kv: KV;
  iterator?: QueuedIterator<KvWatchEntry>;
  /** Highest revision applied. */
  applied: number;
  loaded: boolean;
}

export class MembershipCache {
  private readonly users = new Map<string, CachedUser>();
  private readonly endpoints = new Map<string, string>();
  private readonly rooms = new Map<string, Set<string>>();
  private readonly waiters: { bucket: Watched; revision: number; resolve: () => void }[] = [];
  private stale = false;
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly usersBucket: Watched,
    private readonly membersBucket: Watched,
    private readonly timeoutMs: number,
    private readonly log: (event: string, detail: Record<string, unknown>) => void,
  ) {}

  /** Opens both watches and waits for their initial snapshot. */
  static async open(
    nc: NatsConnection,
    options: {
      readonly timeoutMs: number;
      readonly log?: (event: string, detail: Record<string, unknown>) => void;
    },
  ): Promise<MembershipCache> {
    const kvm = new Kvm(nc);
    const watched = async (bucket: string): Promise<Watched> => ({
      kv: await kvm.open(bucket),
      applied: 0,
      loaded: false,
    });
    const [users, members] = await Promise.all([watched(BUCKETS.users), watched(BUCKETS.members)]);
    const cache = new MembershipCache(
      nc,
      users,
      members,
      options.timeoutMs,
      options.log ?? (() => {}),
    );
    cache.watchConnection();
    await Promise.all([
      cache.start(cache.usersBucket, (entry) => cache.applyUser(entry)),
      cache.start(cache.membersBucket, (entry) => cache.applyMember(entry)),
    ]);
    await cache.sync();
    return cache;
  }

  /** Current: both snapshots loaded, the connection up, and no sync failed since. */
  get current(): boolean {
    return (
      !this.closed &&
      !this.stale &&
      this.usersBucket.loaded &&
      this.membersBucket.loaded &&
      !this.nc.isClosed()
    );
  }

  /** The user with this Ed25519 key (hex), or undefined when unknown. Only if `current`. */
  user(signPubHex: string): CachedUser | undefined {
    return this.users.get(signPubHex);
  }

  userByEndpoint(endpoint: string): CachedUser | undefined {
    const signPub = this.endpoints.get(endpoint);
    return signPub === undefined ? undefined : this.users.get(signPub);
  }

  roomsOf(endpoint: string): string[] {
    return [...(this.rooms.get(endpoint) ?? [])];
  }

  isMember(roomId: string, endpoint: string): boolean {
    return this.rooms.get(endpoint)?.has(roomId) ?? false;
  }

  /**
   * Waits until both watches applied every change stored so far. On failure the cache turns
   * stale (the callout then reads the store directly) and StoreUnavailableError is thrown.
   */
  async sync(): Promise<void> {
    try {
      await Promise.all([this.syncBucket(this.usersBucket), this.syncBucket(this.membersBucket)]);
      this.stale = false;
    } catch (error) {
      this.stale = true;
      this.log('membership-cache.stale', { error: String(error) });
      throw error instanceof StoreUnavailableError
        ? error
        : new StoreUnavailableError('membership cache sync failed', { cause: error });
    }
  }

  stop(): void {
    this.closed = true;
    this.usersBucket.iterator?.stop();
    this.membersBucket.iterator?.stop();
  }

  private async syncBucket(bucket: Watched): Promise<void> {
    const status = await withTimeout(bucket.kv.status(), this.timeoutMs, 'status');
    const last = status.streamInfo.state.last_seq;
    if (bucket.applied >= last) return;
    await withTimeout(
      new Promise<void>((resolve) => this.waiters.push({ bucket, revision: last, resolve })),
      this.timeoutMs,
      'watch',
    );
  }

  private async start(bucket: Watched, apply: (entry: KvWatchEntry) => void): Promise<void> {
    let resolveLoaded: () => void = () => {};
    const loaded = new Promise<void>((resolve) => (resolveLoaded = resolve));
    const iterator = await bucket.kv.watch();
    bucket.iterator = iterator;
    void (async () => {
      // An empty bucket has no initial entries: the first (update) entry or the sync marks it.
      bucket.loaded = false;
      for await (const entry of iterator) {
        try {
          apply(entry);
        } catch (error) {
          // A damaged record grants nothing: it is left out, and logged.
          this.log('membership-cache.bad-record', { key: entry.key, error: String(error) });
        }
        bucket.applied = Math.max(bucket.applied, entry.revision);
        if (entry.isUpdate || entry.delta === 0) {
          bucket.loaded = true;
          resolveLoaded();
        }
        this.release(bucket);
      }
      bucket.loaded = false;
      if (!this.closed) this.log('membership-cache.watch-ended', {});
    })();
    const status = await withTimeout(bucket.kv.status(), this.timeoutMs, 'status');
    if (status.streamInfo.state.messages === 0) {
      bucket.loaded = true;
      resolveLoaded();
    }
    await withTimeout(loaded, this.timeoutMs, 'initial watch');
  }

  private release(bucket: Watched): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.bucket === bucket && bucket.applied >= w.revision) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private applyUser(entry: KvWatchEntry): void {
    const signPub = entry.key;
    const previous = this.users.get(signPub);
    if (entry.operation !== 'PUT') {
      this.users.delete(signPub);
      if (previous) this.endpoints.delete(previous.endpoint);
      return;
    }
    const { record } = decodeStored(entry.string());
    if (!isUserRecord(record) || record.sign_pub !== signPub) {
      this.users.delete(signPub);
      throw new Error('not a user record');
    }
    this.users.set(signPub, {
      signPub,
      endpoint: record.endpoint,
      active: record.status === 'active',
    });
    this.endpoints.set(record.endpoint, signPub);
  }

  private applyMember(entry: KvWatchEntry): void {
    // Keys are `<roomId>.<endpoint>`; the key is authoritative, the value is checked.
    const dot = entry.key.indexOf('.');
    const roomId = entry.key.slice(0, dot);
    const endpoint = entry.key.slice(dot + 1);
    const remove = () => this.rooms.get(endpoint)?.delete(roomId);
    if (entry.operation !== 'PUT') {
      remove();
      return;
    }
    const { record } = decodeStored(entry.string());
    if (!isMemberRecord(record) || record.room_id !== roomId || record.endpoint !== endpoint) {
      remove();
      throw new Error('not a member record');
    }
    let set = this.rooms.get(endpoint);
    if (!set) this.rooms.set(endpoint, (set = new Set()));
    set.add(roomId);
  }

  /** A dropped connection may miss changes until the ordered watch resumes: stale until synced. */
  private watchConnection(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnecting') this.stale = true;
        if (s.type === 'reconnect') {
          this.sync().catch(() => {});
        }
      }
    })().catch(() => {});
  }
}

function withTimeout<T>(task: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreUnavailableError(`membership cache: ${what} timed out`)),
      ms,
    );
  });
  return Promise.race([task, deadline]).finally(() => clearTimeout(timer));
}
