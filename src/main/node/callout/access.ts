/**
 * Data-plane access after a membership change (ARCHITECTURE.md "kick by KICK"): permissions
 * are fixed per connection (the user JWT), so a loss of access means closing the user's
 * connections; the client reconnects and the callout authorizes it from the new state.
 *
 *   sync()        the callout and the frame ingest decide from the store's latest state
 *   disconnect()  every MEMBERS connection of the users, found with CONNZ (filtered by the
 *                 JWT name, the uid token) and closed with KICK; resolves after the replies
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataPlaneNames } from '../acl/names';
import { MEMBERS_ACCOUNT } from '../nats-server/config';
import type { CalloutWorker } from './callout-worker';
import type { MembershipCache } from './membership-cache';

const SYS_TIMEOUT_MS = 5_000;
/** CONNZ page size: a user rarely has more than a few connections. */
const CONNZ_LIMIT = 1024;

export class DataPlaneAccessError extends Error {
  override readonly name = 'DataPlaneAccessError';
}

export interface DataPlaneAccessOptions {
  /** The node's system-account connection (CONNZ, KICK), opened on first use. */
  readonly system: () => Promise<NatsConnection>;
  /** The connection the callout answers on: flushed so its answers are processed. */
  readonly calloutConnection: NatsConnection;
  readonly cache: MembershipCache;
  readonly callout: CalloutWorker;
  /** Workers that decide from membership and must finish decisions made before a change. */
  readonly others: readonly { quiesce(): Promise<void> }[];
  readonly names: DataPlaneNames;
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
}

interface ConnzReply {
  readonly data?: {
    readonly server_id?: string;
    readonly connections?: readonly { readonly cid: number }[];
  };
  readonly error?: { readonly description?: string };
}

export class DataPlaneAccess {
  constructor(private readonly options: DataPlaneAccessOptions) {}

  /**
   * Barrier after a store change: the cache has applied it (or is marked stale, so the callout
   * reads the store), the answers decided before it have been sent, and nats-server has
   * processed them (a flush of the callout's connection), so CONNZ now lists every connection
   * that was authorized under the old state.
   */
  async sync(): Promise<void> {
    const { cache, callout, others, calloutConnection } = this.options;
    await cache.sync().catch(() => {
      // Stale now: every later decision reads the store directly.
    });
    await callout.quiesce();
    await Promise.all(others.map((o) => o.quiesce()));
    await calloutConnection.flush();
  }

  /** KICKs every data-plane connection of these users; resolves with the time it was done. */
  async disconnect(endpoints: readonly string[]): Promise<number> {
    let kicked = 0;
    for (const endpoint of endpoints) {
      const uid = this.options.names.userToken(endpoint);
      const { serverId, cids } = await this.connectionsOf(uid);
      for (const cid of cids) {
        await this.kick(serverId, cid);
        kicked++;
      }
    }
    this.options.log?.('access.disconnected', { users: endpoints.length, connections: kicked });
    return Date.now();
  }

  /** The user's connections in MEMBERS (the callout names each connection by the uid token). */
  async connectionsOf(uid: string): Promise<{ serverId: string; cids: number[] }> {
    const cids: number[] = [];
    let serverId = '';
    for (let offset = 0; ; offset += CONNZ_LIMIT) {
      const reply = await (
        await this.options.system()
      ).request(
        `$SYS.REQ.ACCOUNT.${MEMBERS_ACCOUNT}.CONNZ`,
        JSON.stringify({ user: uid, limit: CONNZ_LIMIT, offset }),
        { timeout: SYS_TIMEOUT_MS },
      );
      const body = reply.json<ConnzReply & { server?: { id?: string } }>();
      const id = body.data?.server_id ?? body.server?.id;
      if (body.error || typeof id !== 'string') {
        throw new DataPlaneAccessError(`CONNZ failed: ${body.error?.description ?? 'no server'}`);
      }
      serverId = id;
      const page = (body.data?.connections ?? []).map((c) => c.cid);
      cids.push(...page);
      if (page.length < CONNZ_LIMIT) return { serverId, cids };
    }
  }

  private async kick(serverId: string, cid: number): Promise<void> {
    const reply = await (
      await this.options.system()
    ).request(`$SYS.REQ.SERVER.${serverId}.KICK`, JSON.stringify({ cid }), {
      timeout: SYS_TIMEOUT_MS,
    });
    const body = reply.json<{ error?: { code?: number; description?: string } }>();
    // A connection that closed meanwhile is gone already: that is the goal.
    if (body.error && body.error.code !== 404) {
      throw new DataPlaneAccessError(`KICK ${cid} failed: ${body.error.description ?? ''}`);
    }
  }
}
