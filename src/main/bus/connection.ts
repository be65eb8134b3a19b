/**
 * The peer's NATS connection: nkey authentication with the identity's Ed25519 key, TLS pinned
 * to the node's CA (never the system roots), the user's private inbox prefix (from `GET /v1/me`),
 * every NATS URL of the node (tried in order), reconnect forever, and a short ping interval so a dead link (after
 * sleep, a dropped Wi-Fi) is noticed within ~30 s. The connection state is an event the UI shows.
 *
 * The node authorizes each connection through its auth callout, and the permissions it grants
 * are fixed for the connection's life: a room gained needs a reconnect (`renewPermissions`), a
 * room lost arrives as a KICK (the client reconnects by itself, without the room). A refused
 * reconnect is reported (`auth-refused`): the peer asks the node whether access was removed.
 */
import { EventEmitter } from 'node:events';
import { connect } from '@nats-io/transport-node';
import { AuthorizationError, nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { nkeyUserSeed } from '../crypto';

/** `removed`: the node no longer lets this identity in (revoked by an admin); final. */
export type ConnectionState =
  'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed' | 'removed';

export interface BusConnectionOptions {
  /** `tls://host:port` URLs from the join link / connection profile. */
  readonly natsUrls: readonly string[];
  readonly caPem: string;
  readonly signSeed: Uint8Array;
  /** The user's private inbox prefix, `_INBOX_<uid>` (from `GET /v1/me`). */
  readonly inboxPrefix: string;
  readonly pingIntervalMs?: number;
  readonly maxPingOut?: number;
  readonly reconnectTimeWaitMs?: number;
  readonly name?: string;
}

export const DEFAULT_PING_INTERVAL_MS = 10_000;
export const DEFAULT_MAX_PING_OUT = 2;

/** nats.js speaks `nats://` and upgrades to TLS on the server's demand (the node requires it). */
export function natsServerUrls(urls: readonly string[]): string[] {
  return urls.map((url) => url.replace(/^tls:/, 'nats:'));
}

export interface BusConnectionEvents {
  state: [ConnectionState];
  /** The server refused the identity (on a reconnect): access may have been removed. */
  'auth-refused': [];
}

export class BusConnection extends EventEmitter<BusConnectionEvents> {
  private current: ConnectionState = 'connecting';

  private constructor(readonly nc: NatsConnection) {
    super();
  }

  get state(): ConnectionState {
    return this.current;
  }

  /**
   * Connects, waiting (retrying forever) until the node is reachable: a peer started while its
   * node is down comes up as soon as the node does.
   */
  static async open(options: BusConnectionOptions): Promise<BusConnection> {
    const seed = new TextEncoder().encode(nkeyUserSeed(options.signSeed));
    const nc = await connect({
      servers: natsServerUrls(options.natsUrls),
      tls: { ca: options.caPem },
      authenticator: nkeyAuthenticator(seed),
      inboxPrefix: options.inboxPrefix,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 1_000,
      reconnectJitterTLS: 500,
      pingInterval: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      maxPingOut: options.maxPingOut ?? DEFAULT_MAX_PING_OUT,
      waitOnFirstConnect: true,
      // Keep trying after a refusal (the node may be starting its callout); the peer decides
      // whether a refusal is final by asking the control plane.
      ignoreAuthErrorAbort: true,
      ignoreClusterUpdates: true,
      // In the profile's order: the address that answered when joining (or loopback, for the
      // host) first; an address that leads nowhere on this network costs a timeout per try.
      noRandomize: true,
      timeout: 5_000,
      ...(options.name ? { name: options.name } : {}),
    });
    const connection = new BusConnection(nc);
    connection.watch();
    connection.set('connected');
    return connection;
  }

  /**
   * Reconnects so the node's callout grants the current rooms (permissions are fixed per
   * connection). Resolves once connected again; subscriptions are re-made by the client.
   */
  async renewPermissions(timeoutMs = 15_000): Promise<void> {
    if (this.nc.isClosed()) throw new Error('connection closed');
    const back = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', on);
        reject(new Error('reconnect timed out'));
      }, timeoutMs);
      const on = (state: ConnectionState) => {
        if (state !== 'connected' && state !== 'closed' && state !== 'removed') return;
        clearTimeout(timer);
        this.off('state', on);
        if (state === 'connected') resolve();
        else reject(new Error(`connection ${state}`));
      };
      this.on('state', on);
    });
    await this.nc.reconnect();
    await back;
  }

  /** Final: access was removed; stops reconnecting. */
  async markRemoved(): Promise<void> {
    this.set('removed');
    await this.nc.close().catch(() => {});
  }

  private set(state: ConnectionState): void {
    if (this.current === state || this.current === 'closed' || this.current === 'removed') return;
    this.current = state;
    this.emit('state', state);
  }

  private watch(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'error') {
          const error = (s as { error?: unknown }).error;
          if (error instanceof AuthorizationError) this.emit('auth-refused');
        }
        if (s.type === 'disconnect') this.set('disconnected');
        else if (s.type === 'reconnecting') this.set('reconnecting');
        else if (s.type === 'reconnect') this.set('connected');
        else if (s.type === 'staleConnection') this.set('reconnecting');
        else if (s.type === 'close') this.set('closed');
      }
    })().catch(() => {});
    void this.nc.closed().then(() => this.set('closed'));
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) {
      this.set('closed');
      return;
    }
    if (this.current === 'connected') {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
      await Promise.race([this.nc.drain().catch(() => {}), timeout]);
    }
    if (!this.nc.isClosed()) await this.nc.close().catch(() => {});
    this.set('closed');
  }
}
