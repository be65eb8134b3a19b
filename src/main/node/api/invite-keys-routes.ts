/**
 * Rotating the invite signing key (issue 12, Build 6), admins only. New links are signed by the
 * new key at once; links signed by the replaced key keep working for the grace period asked for
 * (default one day) and are refused after it as "invite signed by a retired key". Seeds never
 * leave the node: the answer lists key ids and dates.
 */
import type { Route } from '../control-plane/routes';
import { requireAdmin } from './guards';
import { parseJsonObject, requireInteger } from './json-body';
import type { NodeServices } from './services';

export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 3600;

export function inviteKeyRoutes(services: NodeServices): Route[] {
  const { limits } = services;
  return [
    {
      method: 'GET',
      path: '/v1/invite-keys',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer }) => {
        requireAdmin(signer);
        return { status: 200, json: { keys: services.inviteKeys().view() } };
      },
    },
    {
      method: 'POST',
      path: '/v1/invite-keys/rotate',
      auth: 'signed',
      maxBodyBytes: limits.json_body_bytes,
      handle: async ({ signer, body }) => {
        requireAdmin(signer);
        const input = parseJsonObject(body, [], ['grace_seconds']);
        const graceSeconds = requireInteger(
          input.grace_seconds ?? DEFAULT_ROTATION_GRACE_SECONDS,
          'grace_seconds',
          0,
          limits.invite_max_ttl_seconds,
        );
        const ring = await services.rotateInviteKeys(graceSeconds);
        return { status: 200, json: { kid: ring.primaryKid, keys: ring.view() } };
      },
    },
  ];
}
