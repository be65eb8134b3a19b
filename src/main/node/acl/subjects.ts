/**
 * The unibus subject scheme (data plane). PURE: no I/O.
 *
 * | what                      | subject / name                         | who                     |
 * |---------------------------|----------------------------------------|-------------------------|
 * | room traffic              | `unibus.room.<roomId>.>`               | members pub + sub       |
 * | room messages             | `unibus.room.<roomId>.msg`             | members pub + sub       |
 * | room stream (BUS account) | `UNIBUS_<roomId>` over `unibus.room.<roomId>.>` | node only     |
 * | private inbox prefix      | `_INBOX_<uid>` (nats.js `inboxPrefix`) | that user subscribes    |
 * | per-user events           | `unibus.user.<uid>.events`             | node pub, user sub      |
 */

/** Ids that appear as a subject token or in a stream/consumer name. */
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export class AclInputError extends Error {
  override readonly name = 'AclInputError';
}

export function assertId(kind: 'uid' | 'roomId', id: string): void {
  if (!ID_RE.test(id)) {
    throw new AclInputError(`${kind} must match ${ID_RE.source}: ${JSON.stringify(id)}`);
  }
}

export const ROOM_PREFIX = 'unibus.room';
export const USER_PREFIX = 'unibus.user';
export const ROOM_STREAM_PREFIX = 'UNIBUS_';

export function roomSubjects(roomId: string): string {
  assertId('roomId', roomId);
  return `${ROOM_PREFIX}.${roomId}.>`;
}

export function roomMessageSubject(roomId: string): string {
  assertId('roomId', roomId);
  return `${ROOM_PREFIX}.${roomId}.msg`;
}

export function roomStreamName(roomId: string): string {
  assertId('roomId', roomId);
  return `${ROOM_STREAM_PREFIX}${roomId}`;
}

/** Legacy (store format 1): members' pinned consumers, deleted by the format-2 migration. */
export const LEGACY_CONSUMER_PREFIX = 'c_';

export function inboxPrefix(uid: string): string {
  assertId('uid', uid);
  return `_INBOX_${uid}`;
}

export function userEventSubject(uid: string): string {
  assertId('uid', uid);
  return `${USER_PREFIX}.${uid}.events`;
}
