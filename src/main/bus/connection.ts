/**
 * The peer's NATS connection: nkey authentication with the identity's Ed25519 key, TLS pinned
 * to the node's CA (never the system roots), the user's private inbox prefix (from `GET /v1/me`),
 * every NATS URL of the node (tried in order), reconnect forever, and a short ping interval so a dead link (after
 * sleep, a dropped Wi-Fi) is noticed within ~30 s. The connection state is an event the UI shows.
 *
 * Membership changes need no reconnect: the node reloads the server's permissions live.
 */
import { EventEmitter } from 'node:events';
import { connect } from '@nats-io/transport-node';
import { nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { nkeyUserSeed } from '../crypto';

export type ConnectionState =
  'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

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

  private set(state: ConnectionState): void {
    if (this.current === state || this.current === 'closed') return;
    this.current = state;
    this.emit('state', state);
  }

  private watch(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
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
