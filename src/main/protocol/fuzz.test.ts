/** Parsers of attacker-controlled input throw only their own typed error (or return a reason). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RoomKeyError, RoomMetaError, MessageBodyError } from './errors.js';
import { FRAME_TYPES, type FrameType } from './frame.js';
import { parseMessageBody } from './message-body.js';
import { parseRoomKeyGrant } from './room-key.js';
import { openRoomMeta, sealRoomMeta } from './room-meta.js';
import {
  SIGNED_REQUEST_ERRORS,
  signRequest,
  verifySignedRequestHeaders,
} from './signed-request.js';
import { ALICE_SEED, ROOM, ROOM_KEY } from './test/fixtures.js';

function throwsOnly(kind: new (...args: never[]) => Error, fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(kind);
  }
}

const NOW = 1_767_225_600_000;
const headerValue = fc.option(
  fc.oneof(fc.string({ maxLength: 100 }), fc.array(fc.string(), { maxLength: 2 })),
  {
    nil: undefined,
  },
);

describe('fuzzing parsers of untrusted input', () => {
  it('verifySignedRequestHeaders never throws on arbitrary headers, paths and methods', () => {
    const good = signRequest({
      nodeId: 'n',
      method: 'GET',
      path: '/x',
      signSeed: ALICE_SEED,
      now: NOW,
    });
    fc.assert(
      fc.property(
        fc.record({
          'X-Unibus-Pub': fc.oneof(headerValue, fc.constant(good['X-Unibus-Pub'])),
          'X-Unibus-Ts': fc.oneof(headerValue, fc.constant(good['X-Unibus-Ts'])),
          'X-Unibus-Nonce': fc.oneof(headerValue, fc.constant(good['X-Unibus-Nonce'])),
          'X-Unibus-Sig': fc.oneof(headerValue, fc.constant(good['X-Unibus-Sig'])),
        }),
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 10 }),
        (headers, path, method) => {
          const result = verifySignedRequestHeaders({
            nodeId: 'n',
            method,
            path,
            body: new Uint8Array(0),
            headers,
            now: NOW,
          });
          if (!result.ok) expect(SIGNED_REQUEST_ERRORS[result.error]).toBeDefined();
          else expect(method === 'GET' && path === '/x').toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('parseMessageBody and parseRoomKeyGrant throw only their typed errors', () => {
    const types = Object.keys(FRAME_TYPES) as FrameType[];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.jsonValue(),
        fc.uint8Array({ maxLength: 60 }),
        (type, value, raw) => {
          throwsOnly(MessageBodyError, () =>
            parseMessageBody(type, new TextEncoder().encode(JSON.stringify(value))),
          );
          throwsOnly(MessageBodyError, () => parseMessageBody(type, raw));
          throwsOnly(RoomKeyError, () => parseRoomKeyGrant(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('openRoomMeta throws only RoomMetaError on random or mutated blobs', () => {
    const blob = sealRoomMeta({ roomId: ROOM, epoch: 1, meta: { name: 'n', topic: '' } }, ROOM_KEY);
    const keys = new Map([[1, ROOM_KEY]]);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.nat(blob.length - 1),
        fc.integer({ min: 1, max: 255 }),
        (raw, at, x) => {
          throwsOnly(RoomMetaError, () => openRoomMeta(raw, ROOM, keys));
          const mutated = blob.slice();
          mutated[at]! ^= x;
          expect(() => openRoomMeta(mutated, ROOM, keys)).toThrow(RoomMetaError);
        },
      ),
      { numRuns: 500 },
    );
  });
});
