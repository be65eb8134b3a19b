/**
 * Invites: an admin mints one (the token is in that response and nowhere else, ever), lists
 * them without secrets, revokes them; a newcomer redeems one with their identity card, signing
 * the request with the card's own key so nobody can enrol someone else's key.
 */
import { hexEncode, IdentityCardError, parseIdentityCard } from '../../protocol';
import { HttpError } from '../control-plane/http-error';
import { RateLimiter } from '../control-plane/rate-limiter';
import type { Route } from '../control-plane/routes';
import { InviteTokenError, mintInviteToken, verifyInviteToken } from '../invites';
import { HandleInUseError, StoreConflictError } from '../store';
import { requireAdmin } from './guards';
import { parseJsonObject, requireInteger } from './json-body';
import type { NodeServices } from './services';
import { publicUser } from './users-routes';

const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
/** Ten attempts at once, then one every ten seconds, per source address. */
const JOIN_RATE = { ratePerSecond: 0.1, burst: 10, maxSources: 10_000 } as const;

export function inviteRoutes(services: NodeServices): Route[] {
  const { store, invites, effects, limits } = services;
  const now = services.now ?? Date.now;
  const joinLimiter = new RateLimiter(JOIN_RATE);
  return [
    {
      method: 'POST',
      path: '/v1/invites',
      auth: 'signed',
      maxBodyBytes: limits.json_body_bytes,
      handle: async ({ signer, body }) => {
        const admin = requireAdmin(signer);
        const input = parseJsonObject(body, [], ['role', 'ttl_seconds', 'max_uses']);
        const role = input.role ?? 'member';
        if (role !== 'member' && role !== 'admin')
          throw new HttpError(400, 'role must be member or admin');
        const ttl = requireInteger(
          input.ttl_seconds ?? DEFAULT_TTL_SECONDS,
          'ttl_seconds',
          60,
          limits.invite_max_ttl_seconds,
        );
        const maxUses = requireInteger(input.max_uses ?? 1, 'max_uses', 1, limits.invite_max_uses);
        const nowMs = now();
        const { token, payload } = mintInviteToken(services.inviteKeys().primary, {
          nodeId: services.nodeId,
          role,
          expiresAt: Math.floor(nowMs / 1000) + ttl,
        });
        // Disk (the replicated store) first; the token is shown only after it is durable.
        const invite = await invites.add(payload, token, {
          maxUses,
          createdBy: admin.endpoint,
          now: nowMs,
        });
        return { status: 201, json: { invite, token, link: services.joinLink(token) } };
      },
    },
    {
      method: 'GET',
      path: '/v1/invites',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer }) => {
        requireAdmin(signer);
        return { status: 200, json: await invites.list() };
      },
    },
    {
      method: 'POST',
      path: '/v1/invites/:inviteId/revoke',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer, params }) => {
        requireAdmin(signer);
        const outcome = await invites.revoke(params.inviteId!, now());
        if (outcome === 'not-found') throw new HttpError(404, 'no such invite');
        if (outcome === 'already-revoked') throw new HttpError(409, 'invite already revoked');
        return { status: 200, json: { id: params.inviteId, revoked: true } };
      },
    },
    {
      method: 'POST',
      path: '/v1/join',
      auth: 'newcomer',
      maxBodyBytes: 16 * 1024,
      handle: async ({ newcomer, body, remoteAddress }) => {
        if (newcomer === null) throw new HttpError(401, 'not authorized');
        // Redeeming is open to unregistered keys, so it gets a much tighter budget per source.
        if (!joinLimiter.tryTake(remoteAddress)) throw new HttpError(429, 'too many join attempts');
        const input = parseJsonObject(body, ['token', 'card']);
        let card;
        try {
          if (typeof input.card !== 'string') throw new HttpError(400, 'card must be a string');
          card = parseIdentityCard(input.card);
        } catch (error) {
          if (error instanceof IdentityCardError)
            throw new HttpError(400, `bad identity card: ${error.message}`);
          throw error;
        }
        if (hexEncode(card.signPublic) !== newcomer.signPubHex) {
          throw new HttpError(403, 'the request must be signed by the key on the card');
        }
        const nowMs = now();
        try {
          const keys = services.inviteKeys();
          const nowSeconds = Math.floor(nowMs / 1000);
          const payload = verifyInviteToken(input.token, {
            nodeId: services.nodeId,
            publicKeyFor: (kid) => keys.publicKeyFor(kid),
            isRetired: (kid) => keys.isRetired(kid, nowSeconds),
            nowSeconds,
          });
          if ((await store.getUser(newcomer.signPubHex)) !== null)
            throw new HttpError(409, 'already registered');
          // Before the invite is spent: a refused name must not cost the newcomer their link.
          await store.checkHandle(newcomer.signPubHex, card.handle, nowMs);
          await invites.redeem(payload, input.token as string, Math.floor(nowMs / 1000));
          const user = await store.addUser(
            {
              signPubHex: newcomer.signPubHex,
              endpoint: card.id,
              kexPub: Buffer.from(card.kexPublic).toString('base64url'),
              handle: card.handle,
              role: payload.role,
            },
            nowMs,
          );
          // The new user may connect as soon as this answers: the callout must know them.
          await effects.syncAccess();
          return { status: 201, json: { user: publicUser(user), node_id: services.nodeId } };
        } catch (error) {
          if (error instanceof InviteTokenError) throw new HttpError(403, error.message);
          if (error instanceof HandleInUseError) throw new HttpError(409, error.message);
          if (error instanceof StoreConflictError) throw new HttpError(409, 'already registered');
          throw error;
        }
      },
    },
  ];
}
