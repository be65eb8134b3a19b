/**
 * Rooms and membership. The node sees ids, membership, policy and ciphertext: names and topics
 * arrive encrypted (`meta`), room keys sealed to each member. The routes validate; the
 * changes and their data-plane effects run in membership/ (a kick answers after the KICKs).
 */
import { ROOM_META_MAX_BYTES, base64urlDecode, isEndpointId, isRoomId } from '../../protocol';
import { HttpError } from '../control-plane/http-error';
import type { Route } from '../control-plane/routes';
import { StoreConflictError, type RoomPolicy, type RoomRecord } from '../store';
import { parseGrants, requireExactCoverage, toRecord } from './grants';
import { requireManager, requireMember, requireSigner } from './guards';
import { parseJsonObject } from './json-body';
import { Membership } from '../membership/membership';
import { roomMessagesRoute } from './messages-routes';
import type { NodeServices } from './services';
import { userCard } from './users-routes';

export function roomRoutes(services: NodeServices): Route[] {
  const { store, effects, limits } = services;
  const membership = new Membership(store, effects);
  const now = services.now ?? Date.now;
  const json = limits.json_body_bytes;

  const dataPlaneOf = (roomId: string) => services.names.room(roomId);

  return [
    {
      method: 'POST',
      path: '/v1/rooms',
      auth: 'signed',
      maxBodyBytes: json,
      handle: async ({ signer, body }) => {
        const caller = requireSigner(signer);
        const input = parseJsonObject(body, ['room_id', 'policy', 'meta', 'owner_key'], ['owner']);
        // The owner is the signer by construction; a declared owner must agree (seed H6).
        if (input.owner !== undefined && input.owner !== caller.endpoint) {
          throw new HttpError(403, 'the owner of a new room must be the signer');
        }
        const roomId = input.room_id;
        if (!isRoomId(roomId)) throw new HttpError(400, 'room_id must be a ULID');
        const policy = parsePolicy(input.policy);
        const meta = parseMeta(input.meta);
        const [ownerKey] = parseGrants([input.owner_key], roomId, caller);
        if (ownerKey!.endpoint !== caller.endpoint) {
          throw new HttpError(403, 'the owner of a new room must be the signer');
        }
        if (ownerKey!.epoch !== 1) throw new HttpError(400, 'a new room starts at epoch 1');
        let room: RoomRecord = {
          room_id: roomId,
          owner: caller.endpoint,
          policy,
          epoch: 1,
          members_rev: 0,
          meta,
          created_at: now(),
        };
        let status = 201;
        try {
          await store.createRoom(room, toRecord(ownerKey!), now());
        } catch (error) {
          if (!(error instanceof StoreConflictError)) throw error;
          // A retry by the same owner (say, after the data plane failed to apply) completes the
          // creation instead of failing forever; anyone else gets the conflict.
          const existing = await store.getRoom(roomId);
          if (existing?.owner !== caller.endpoint) throw new HttpError(409, 'room already exists');
          room = existing;
          status = 200;
        }
        await membership.roomCreated(room);
        return { status, json: { room, role: 'owner', data_plane: dataPlaneOf(roomId) } };
      },
    },
    {
      method: 'GET',
      path: '/v1/rooms',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer }) => {
        const caller = requireSigner(signer);
        const rooms = await store.roomsOf(caller.endpoint);
        return {
          status: 200,
          json: rooms.map(({ room, role }) => ({
            room,
            role,
            data_plane: dataPlaneOf(room.room_id),
          })),
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/rooms/:roomId',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer, params }) => {
        const { room, role } = await requireMember(store, params.roomId!, signer);
        return { status: 200, json: { room, role, data_plane: dataPlaneOf(room.room_id) } };
      },
    },
    {
      method: 'GET',
      path: '/v1/rooms/:roomId/members',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer, params }) => {
        await requireMember(store, params.roomId!, signer);
        const members = await store.listMembers(params.roomId!);
        const listed = await Promise.all(
          members.map(async (m) => {
            const user = await store.getUserByEndpoint(m.endpoint);
            return user === null
              ? null
              : {
                  endpoint: m.endpoint,
                  role: m.role,
                  since_epoch: m.since_epoch,
                  handle: user.handle,
                  status: user.status,
                  card: userCard(user),
                };
          }),
        );
        return { status: 200, json: listed.filter((m) => m !== null) };
      },
    },
    {
      method: 'GET',
      path: '/v1/rooms/:roomId/keys',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer, params }) => {
        // Only the caller's own sealed keys, only for members (seed H3).
        const { caller, room } = await requireMember(store, params.roomId!, signer);
        const keys = [];
        for (let epoch = 1; epoch <= room.epoch; epoch++) {
          const key = await store.sealedKey(room.room_id, epoch, caller.endpoint);
          if (key !== null) keys.push(key);
        }
        return { status: 200, json: keys };
      },
    },
    roomMessagesRoute(services),
    {
      method: 'POST',
      path: '/v1/rooms/:roomId/members',
      auth: 'signed',
      maxBodyBytes: json,
      handle: async ({ signer, params, body }) => {
        const { caller, room } = await requireManager(store, params.roomId!, signer);
        const input = parseJsonObject(body, ['endpoint', 'keys']);
        if (!isEndpointId(input.endpoint))
          throw new HttpError(400, 'endpoint must be an endpoint id');
        const invitee = await store.getUserByEndpoint(input.endpoint);
        if (invitee === null || invitee.status !== 'active')
          throw new HttpError(404, 'no such active user');
        const grants = parseGrants(input.keys, room.room_id, caller);
        if (grants.some((g) => g.endpoint !== invitee.endpoint)) {
          throw new HttpError(400, 'sealed keys must be for the invitee');
        }
        const epochs = new Set(grants.map((g) => g.epoch));
        if (!epochs.has(room.epoch))
          throw new HttpError(400, `the invitee needs the current key (epoch ${room.epoch})`);
        if (room.policy.history === 'since-join' && epochs.size > 1) {
          throw new HttpError(403, 'this room does not share history with new members');
        }
        if ([...epochs].some((e) => e > room.epoch))
          throw new HttpError(400, 'sealed key for a future epoch');
        const versioned = await store.getRoomVersioned(room.room_id);
        if (versioned === null) throw new HttpError(403, 'not a member of this room');
        try {
          await membership.invite(
            versioned.room,
            versioned.revision,
            {
              room_id: room.room_id,
              endpoint: invitee.endpoint,
              role: 'member',
              since_epoch: Math.min(...epochs),
              added_at: now(),
            },
            grants.map(toRecord),
          );
        } catch (error) {
          if (error instanceof StoreConflictError) {
            const already = await store.memberRole(room.room_id, invitee.endpoint);
            throw new HttpError(409, already ? 'already a member' : 'the room changed, try again');
          }
          throw error;
        }
        return {
          status: 201,
          json: { room_id: room.room_id, endpoint: invitee.endpoint, role: 'member' },
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/rooms/:roomId/kick',
      auth: 'signed',
      maxBodyBytes: json,
      handle: async ({ signer, params, body }) => {
        const { caller } = await requireManager(store, params.roomId!, signer);
        const input = parseJsonObject(body, ['endpoint', 'epoch', 'keys']);
        if (!isEndpointId(input.endpoint)) {
          throw new HttpError(400, 'endpoint must be an endpoint id');
        }
        const target = input.endpoint;
        // Read the room (and its revision) before the member list: any membership change in
        // between bumps the revision, and the compare-and-set below then refuses this kick.
        const versioned = await store.getRoomVersioned(params.roomId!);
        if (versioned === null) throw new HttpError(403, 'not a member of this room');
        const room = versioned.room;
        if (target === room.owner) throw new HttpError(403, 'the owner cannot be kicked');
        if (target === caller.endpoint) throw new HttpError(400, 'use leave to remove yourself');
        if (input.epoch !== room.epoch + 1) {
          throw new HttpError(409, `the next epoch is ${room.epoch + 1}`);
        }
        const members = await store.listMembers(room.room_id);
        if (!members.some((m) => m.endpoint === target)) {
          throw new HttpError(404, 'not a member of this room');
        }
        const remaining = members.filter((m) => m.endpoint !== target).map((m) => m.endpoint);
        const grants = parseGrants(input.keys, room.room_id, caller);
        requireExactCoverage(grants, room.epoch + 1, remaining);

        let result;
        try {
          result = await membership.kick(
            room,
            versioned.revision,
            target,
            grants.map(toRecord),
            remaining,
          );
        } catch (error) {
          if (error instanceof StoreConflictError) {
            throw new HttpError(409, 'the room changed, try again');
          }
          throw error;
        }
        return {
          status: 200,
          json: {
            room_id: room.room_id,
            removed: target,
            acl_revoked_at: result.cutAt,
            epoch: result.epoch,
            keyed: grants.length,
            members: remaining.length,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/rooms/:roomId/leave',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer, params }) => {
        const { caller, room, role } = await requireMember(store, params.roomId!, signer);
        if (role === 'owner' && (await store.listMembers(room.room_id)).length > 1) {
          throw new HttpError(409, 'the owner can leave only after the other members');
        }
        const versioned = await store.getRoomVersioned(room.room_id);
        if (versioned === null) throw new HttpError(403, 'not a member of this room');
        try {
          await membership.leave(versioned.room, versioned.revision, caller.endpoint);
        } catch (error) {
          if (error instanceof StoreConflictError)
            throw new HttpError(409, 'the room changed, try again');
          throw error;
        }
        return { status: 200, json: { room_id: room.room_id, left: true } };
      },
    },
  ];
}

function parsePolicy(value: unknown): RoomPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'policy must be an object');
  }
  const policy = value as Record<string, unknown>;
  const keys = Object.keys(policy).sort().join(',');
  if (keys !== 'history,persist')
    throw new HttpError(400, 'policy must have exactly persist and history');
  if (typeof policy.persist !== 'boolean')
    throw new HttpError(400, 'policy.persist must be a boolean');
  if (policy.history !== 'all' && policy.history !== 'since-join') {
    throw new HttpError(400, 'policy.history must be "all" or "since-join"');
  }
  return { persist: policy.persist, history: policy.history };
}

function parseMeta(value: unknown): string {
  const bytes = typeof value === 'string' ? base64urlDecode(value) : undefined;
  if (bytes === undefined || bytes.length === 0 || bytes.length > ROOM_META_MAX_BYTES) {
    throw new HttpError(
      400,
      `meta must be base64url ciphertext of at most ${ROOM_META_MAX_BYTES} bytes`,
    );
  }
  return value as string;
}
