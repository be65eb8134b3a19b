/**
 * The unibus subject scheme (data plane). PURE: no I/O.
 *
 * | what                      | subject / name                         | who                     |
 * |---------------------------|----------------------------------------|-------------------------|
 * | room traffic              | `unibus.room.<roomId>.>`               | members pub + sub       |
 * | room messages             | `unibus.room.<roomId>.msg`             | members pub + sub       |
 * | room stream               | `UNIBUS_<roomId>` over `unibus.room.<roomId>.>` | node creates  |
 * | a member's consumer       | `c_<uid>` on `UNIBUS_<roomId>`         | that member             |
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

export function consumerName(uid: string): string {
  assertId('uid', uid);
  return `c_${uid}`;
}

export function inboxPrefix(uid: string): string {
  assertId('uid', uid);
  return `_INBOX_${uid}`;
}

export function userEventSubject(uid: string): string {
  assertId('uid', uid);
  return `${USER_PREFIX}.${uid}.events`;
}

/**
 * The JetStream API subjects a member needs for its own pinned pull consumer on one room
 * stream, as nats.js 3.4 sends them (`jsmconsumer_api.js`, `consumer.js`):
 * - create/update: `CONSUMER.CREATE.<stream>.<name>` and `…<name>.<filter>` (single filter);
 *   `CONSUMER.DURABLE.CREATE.<stream>.<name>` (legacy form nats.js uses for `filter_subjects`);
 * - `CONSUMER.INFO.<stream>.<name>` (`js.consumers.get`, heartbeat recovery);
 * - `CONSUMER.MSG.NEXT.<stream>.<name>` (pull requests: fetch/next/consume);
 * - `$JS.ACK.<stream>.<name>.>` (acks, naks, in-progress, term).
 */
export function memberConsumerApiSubjects(roomId: string, uid: string, create = true): string[] {
  const s = roomStreamName(roomId);
  const c = consumerName(uid);
  const createGrants = create
    ? [
        `$JS.API.CONSUMER.CREATE.${s}.${c}`,
        `$JS.API.CONSUMER.CREATE.${s}.${c}.>`,
        `$JS.API.CONSUMER.DURABLE.CREATE.${s}.${c}`,
      ]
    : [];
  return [
    ...createGrants,
    `$JS.API.CONSUMER.INFO.${s}.${c}`,
    `$JS.API.CONSUMER.MSG.NEXT.${s}.${c}`,
    `$JS.ACK.${s}.${c}.>`,
  ];
}
