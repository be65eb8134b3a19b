/**
 * The allowlist (admin only, default deny), the caller's own record, and the directory of
 * active users that members pick invitees from.
 */
import {
  encodeIdentityCard,
  parseIdentityCard,
  IdentityCardError,
  hexEncode,
  base64urlDecode,
} from '../../protocol';
import { HttpError } from '../control-plane/http-error';
import type { Route } from '../control-plane/routes';
import { HandleInUseError, StoreConflictError, type UserRecord } from '../store';
import { requireAdmin, requireSigner } from './guards';
import { parseJsonObject } from './json-body';
import { Membership } from '../membership/membership';
import type { NodeServices } from './services';

const SIGN_PUB_HEX = /^[0-9a-f]{64}$/;

export function publicUser(user: UserRecord) {
  return {
    sign_pub: user.sign_pub,
    endpoint: user.endpoint,
    handle: user.handle,
    role: user.role,
    status: user.status,
    created_at: user.created_at,
    revoked_at: user.revoked_at,
  };
}

/** The identity card of a stored user, as peers exchange them. */
export function userCard(user: UserRecord): string {
  return encodeIdentityCard({
    handle: user.handle,
    signPublic: Uint8Array.from(Buffer.from(user.sign_pub, 'hex')),
    kexPublic: base64urlDecode(user.kex_pub) ?? new Uint8Array(0),
  });
}

export function userRoutes(services: NodeServices): Route[] {
  const { store, effects, limits } = services;
  const now = services.now ?? Date.now;
  return [
    {
      method: 'GET',
      path: '/v1/me',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer }) => {
        const caller = requireSigner(signer);
        const user = await store.activeUser(caller.signPubHex);
        if (user === null) throw new HttpError(401, 'not authorized');
        return {
          status: 200,
          json: {
            ...publicUser(user),
            card: userCard(user),
            data_plane: services.names.user(user.endpoint),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/directory',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer }) => {
        requireSigner(signer);
        const users = (await store.listUsers()).filter((u) => u.status === 'active');
        return {
          status: 200,
          json: users.map((u) => ({ handle: u.handle, endpoint: u.endpoint, card: userCard(u) })),
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/users',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer }) => {
        requireAdmin(signer);
        return { status: 200, json: (await store.listUsers()).map(publicUser) };
      },
    },
    {
      method: 'POST',
      path: '/v1/users',
      auth: 'signed',
      maxBodyBytes: limits.json_body_bytes,
      handle: async ({ signer, body }) => {
        requireAdmin(signer);
        const input = parseJsonObject(body, ['card'], ['role']);
        const role = input.role ?? 'member';
        if (role !== 'member' && role !== 'admin')
          throw new HttpError(400, 'role must be member or admin');
        const card = parseCard(input.card);
        try {
          const user = await store.addUser(
            {
              signPubHex: hexEncode(card.signPublic),
              endpoint: card.id,
              kexPub: Buffer.from(card.kexPublic).toString('base64url'),
              handle: card.handle,
              role,
            },
            now(),
          );
          await effects.syncAccess();
          return { status: 201, json: publicUser(user) };
        } catch (error) {
          if (error instanceof HandleInUseError) throw new HttpError(409, error.message);
          if (error instanceof StoreConflictError) throw new HttpError(409, 'user already exists');
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/v1/users/:signPub/revoke',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer, params }) => {
        requireAdmin(signer);
        const signPub = params.signPub!.toLowerCase();
        if (!SIGN_PUB_HEX.test(signPub))
          throw new HttpError(400, 'sign_pub must be 64 hex characters');
        const target = await store.getUser(signPub);
        if (target === null) throw new HttpError(404, 'no such user');
        if (target.status === 'revoked') throw new HttpError(409, 'user already revoked');
        if (target.role === 'admin') {
          const admins = (await store.listUsers()).filter(
            (u) => u.role === 'admin' && u.status === 'active',
          );
          if (admins.length <= 1) throw new HttpError(409, 'cannot revoke the last admin');
        }
        // Both planes at once: the control plane refuses the key from now on, and every
        // data-plane connection is KICKed (reconnects are refused by the callout).
        const { user: revoked, cutAt } = await new Membership(store, effects).revoke(
          signPub,
          now(),
        );
        return { status: 200, json: { ...publicUser(revoked), acl_revoked_at: cutAt } };
      },
    },
  ];
}

function parseCard(value: unknown) {
  try {
    if (typeof value !== 'string') throw new HttpError(400, 'card must be a string');
    return parseIdentityCard(value);
  } catch (error) {
    if (error instanceof IdentityCardError)
      throw new HttpError(400, `bad identity card: ${error.message}`);
    throw error;
  }
}
