/** `unibus rooms list|create NAME|invite ROOM HANDLE|kick ROOM HANDLE|leave ROOM`. */
import { parseArgs } from 'node:util';
import { BusPeer, type RoomInfo } from '../../main/bus';
import { isRoomId } from '../../main/protocol';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';

const USAGE =
  'usage: unibus rooms list | create NAME [--topic T] [--no-persist] [--since-join] | invite ROOM HANDLE | kick ROOM HANDLE | leave ROOM';

/** Opens the profile's peer, runs `task`, and always closes the peer. */
export async function withPeer<T>(
  profileDir: string,
  task: (peer: BusPeer) => Promise<T>,
): Promise<T> {
  const identity = await openProfileIdentity(profileDir);
  const peer = await BusPeer.open({ profileDir, identity });
  try {
    return await task(peer);
  } finally {
    await peer.close();
  }
}

/** A room by id, or by its (decrypted) name when exactly one room has it. */
export async function resolveRoom(peer: BusPeer, text: string): Promise<RoomInfo> {
  const rooms = await peer.listRooms();
  if (isRoomId(text)) {
    const room = rooms.find((r) => r.id === text);
    if (!room) throw new Error(`not a member of room ${text}`);
    return room;
  }
  const named = rooms.filter((r) => r.name === text);
  if (named.length === 0) throw new Error(`no room named ${text}`);
  if (named.length > 1) throw new Error(`several rooms are named ${text}: use the room id`);
  return named[0]!;
}

function roomJson(room: RoomInfo): Record<string, unknown> {
  return {
    id: room.id,
    name: room.name ?? null,
    topic: room.topic ?? null,
    role: room.role,
    epoch: room.epoch,
    policy: room.policy,
  };
}

export async function roomsCommand(args: string[], profileDir: string, out: Output): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      if (rest.length > 0) throw new UsageError(USAGE);
      await withPeer(profileDir, async (peer) => {
        const rooms = await peer.listRooms();
        for (const room of rooms) {
          out.result(roomJson(room), `${room.id}  ${room.name ?? '(unreadable)'}  ${room.role}`);
        }
        if (rooms.length === 0 && !out.json) out.info('no rooms');
      });
      return;
    }
    case 'create': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          topic: { type: 'string' },
          'no-persist': { type: 'boolean' },
          'since-join': { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1) throw new UsageError(USAGE);
      await withPeer(profileDir, async (peer) => {
        const room = await peer.createRoom(positionals[0]!, {
          ...(values.topic !== undefined ? { topic: values.topic } : {}),
          policy: {
            persist: !values['no-persist'],
            history: values['since-join'] ? 'since-join' : 'all',
          },
        });
        out.result(roomJson(room), room.id);
      });
      return;
    }
    case 'invite':
    case 'kick': {
      if (rest.length !== 2) throw new UsageError(USAGE);
      await withPeer(profileDir, async (peer) => {
        const room = await resolveRoom(peer, rest[0]!);
        if (sub === 'invite') {
          const added = await peer.invite(room.id, rest[1]!);
          out.result(
            { id: room.id, room_id: room.id, endpoint: added.endpoint, role: added.role },
            `invited ${rest[1]} (${added.endpoint}) to ${room.name ?? room.id}`,
          );
        } else {
          const receipt = await peer.kick(room.id, rest[1]!);
          out.result(
            { id: room.id, ...receipt },
            `removed ${receipt.removed}; ACL revoked at ${new Date(receipt.acl_revoked_at).toISOString()}; epoch ${receipt.epoch}; ${receipt.keyed} of ${receipt.members} members keyed`,
          );
        }
      });
      return;
    }
    case 'leave': {
      if (rest.length !== 1) throw new UsageError(USAGE);
      await withPeer(profileDir, async (peer) => {
        const room = await resolveRoom(peer, rest[0]!);
        await peer.leaveRoom(room.id);
        out.result({ id: room.id, left: true }, `left ${room.name ?? room.id}`);
      });
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}
