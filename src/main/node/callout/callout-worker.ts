/**
 * The auth callout (nats-server config mode, docs/PROTOCOL.md §12.5). nats-server asks on
 * `$SYS.REQ.USER.AUTH` (in the NODE account) for every client that is not one of the node's
 * internal identities; this worker answers with a signed authorization response holding a
 * short-lived user JWT, or with an error (the connection is refused).
 *
 * Checks, in order: the request is signed by the server this node runs; the client proved
 * its nkey by signing the server's nonce; the key belongs to an active user; the user's rooms.
 * The grant is the closed allow-set of acl/compile.ts, placed in the MEMBERS account.
 *
 * With a current cache the answer is computed and sent synchronously (no await between the
 * cache read and the publish), so once a membership change has synced the cache, every answer
 * sent afterwards reflects it; `quiesce()` waits for the slower direct-read answers.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { signPublicFromNkey } from '../../crypto';
import {
  NatsJwtError,
  authorizationResponseClaims,
  hexEncode,
  parseAuthorizationRequest,
  signNatsJwt,
  userJwtClaims,
  verifyNonceSignature,
  type AuthorizationRequest,
} from '../../protocol';
import { compileUserAccess, type UserPermissions } from '../acl/compile';
import type { DataPlaneNames } from '../acl/names';
import { MEMBERS_ACCOUNT } from '../nats-server/config';
import type { NodeStore } from '../store';
import type { MembershipCache } from './membership-cache';

export const AUTH_CALLOUT_SUBJECT = '$SYS.REQ.USER.AUTH';
const QUEUE = 'unibus-callout';
/** How long a connection's permissions live without a new connect (a missed KICK's backstop). */
export const USER_JWT_TTL_SECONDS = 30 * 60;

export interface CalloutWorkerOptions {
  /** The node's connection in the callout account (NODE). */
  readonly nc: NatsConnection;
  readonly issuerSeed: Uint8Array;
  readonly names: DataPlaneNames;
  readonly cache: MembershipCache;
  /** Direct reads when the cache is not current. */
  readonly store: NodeStore;
  readonly now?: () => number;
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
}

type Decision =
  | { readonly grant: { readonly uid: string; readonly permissions: UserPermissions } }
  | { readonly refuse: string };

export class CalloutWorker {
  private sub: Subscription | undefined;
  private readonly pending = new Set<Promise<void>>();
  /** Answers given, by outcome (for tests and the log). */
  readonly counts = { granted: 0, refused: 0, direct: 0 };

  constructor(private readonly options: CalloutWorkerOptions) {}

  start(): void {
    this.sub = this.options.nc.subscribe(AUTH_CALLOUT_SUBJECT, {
      queue: QUEUE,
      callback: (error, msg) => {
        if (!error) this.handle(msg);
      },
    });
  }

  /** Resolves once every answer that needed a direct store read has been sent. */
  async quiesce(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private handle(msg: Msg): void {
    let request: AuthorizationRequest;
    try {
      request = parseAuthorizationRequest(msg.string());
    } catch (error) {
      // Not from our server (or malformed): nothing to answer to.
      this.log('callout.bad-request', { error: String(error) });
      return;
    }
    const problem = this.checkRequest(request);
    if (problem !== null) return this.answer(msg, request, { refuse: problem });
    const nkey = request.clientNkey!;
    if (this.options.cache.current) {
      return this.answer(msg, request, this.decideFromCache(nkey));
    }
    this.counts.direct++;
    const task = this.decideFromStore(nkey).then(
      (decision) => this.answer(msg, request, decision),
      (error: unknown) => {
        this.log('callout.store-unavailable', { error: String(error) });
        this.answer(msg, request, { refuse: 'authorization is unavailable, try again' });
      },
    );
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private checkRequest(request: AuthorizationRequest): string | null {
    const serverId = this.options.nc.info?.server_id;
    if (request.serverId !== serverId) return 'request from an unknown server';
    if (request.expiresAt !== undefined && request.expiresAt < this.nowSeconds()) {
      return 'request expired';
    }
    if (!request.clientNkey || !request.signedNonce || !request.nonce) {
      return 'an nkey is required';
    }
    if (!verifyNonceSignature(request.clientNkey, request.nonce, request.signedNonce)) {
      return 'the nonce signature does not verify';
    }
    return null;
  }

  private decideFromCache(nkey: string): Decision {
    const user = this.options.cache.user(signPubHexOf(nkey));
    if (!user?.active) return { refuse: 'not an active user' };
    return this.grant(nkey, user.endpoint, this.options.cache.roomsOf(user.endpoint));
  }

  private async decideFromStore(nkey: string): Promise<Decision> {
    const user = await this.options.store.activeUser(signPubHexOf(nkey));
    if (user === null) return { refuse: 'not an active user' };
    const rooms = await this.options.store.roomsOf(user.endpoint);
    return this.grant(
      nkey,
      user.endpoint,
      rooms.map((r) => r.room.room_id),
    );
  }

  private grant(nkey: string, endpoint: string, roomIds: readonly string[]): Decision {
    const { names } = this.options;
    const uid = names.userToken(endpoint);
    const access = compileUserAccess(
      { uid, nkey, active: true },
      roomIds.map((roomId) => names.roomToken(roomId)),
    );
    if (access === null) return { refuse: 'not an active user' };
    return { grant: { uid, permissions: access.permissions } };
  }

  private answer(msg: Msg, request: AuthorizationRequest, decision: Decision): void {
    const now = this.nowSeconds();
    const base = { userNkey: request.userNkey, serverId: request.serverId, issuedAt: now };
    let claims: Record<string, unknown>;
    if ('grant' in decision) {
      const { uid, permissions } = decision.grant;
      const jwt = signNatsJwt(
        userJwtClaims({
          userNkey: request.userNkey,
          name: uid,
          account: MEMBERS_ACCOUNT,
          pub: permissions.publish,
          sub: permissions.subscribe,
          issuedAt: now,
          expiresAt: now + USER_JWT_TTL_SECONDS,
        }),
        this.options.issuerSeed,
        'account',
      );
      claims = authorizationResponseClaims({ ...base, jwt });
      this.counts.granted++;
    } else {
      claims = authorizationResponseClaims({ ...base, error: decision.refuse });
      this.counts.refused++;
      this.log('callout.refused', { client: request.clientId, reason: decision.refuse });
    }
    try {
      msg.respond(signNatsJwt(claims, this.options.issuerSeed, 'account'));
    } catch (error) {
      if (!(error instanceof NatsJwtError)) throw error;
      this.log('callout.encode-failed', { error: error.message });
    }
  }

  private nowSeconds(): number {
    return Math.floor((this.options.now?.() ?? Date.now()) / 1000);
  }

  private log(event: string, detail: Record<string, unknown>): void {
    this.options.log?.(event, detail);
  }
}

/** The store's key of a user: the lowercase hex of the Ed25519 key inside the `U…` nkey. */
function signPubHexOf(nkey: string): string {
  return hexEncode(signPublicFromNkey(nkey));
}
