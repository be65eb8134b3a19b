import { describe, expect, it } from 'vitest';
import { RoomMetaError } from './errors.js';
import { openRoomMeta, roomMetaEpoch, roomMetaProblem, sealRoomMeta } from './room-meta.js';
import { OTHER_ROOM, ROOM, ROOM_KEY, ROOM_KEY_2 } from './test/fixtures.js';

const keys = new Map([
  [1, ROOM_KEY],
  [2, ROOM_KEY_2],
]);
const meta = { name: 'Design', topic: 'wire v1\nsecond line' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RoomMetaError);
    return (error as RoomMetaError).code;
  }
}

describe('room metadata', () => {
  it('round-trips and records its epoch', () => {
    const blob = sealRoomMeta({ roomId: ROOM, epoch: 2, meta }, ROOM_KEY_2);
    expect(roomMetaEpoch(blob)).toBe(2);
    expect(openRoomMeta(blob, ROOM, keys)).toEqual({ ...meta, epoch: 2 });
  });

  it('cannot be moved to another room or epoch, or tampered', () => {
    const blob = sealRoomMeta({ roomId: ROOM, epoch: 1, meta }, ROOM_KEY);
    expect(codeOf(() => openRoomMeta(blob, OTHER_ROOM, keys))).toBe('decrypt-failed');
    const relabeled = blob.slice();
    relabeled[4] = 2; // epoch 1 → 2 with epoch-2 key: wrong key, and AD differs
    expect(codeOf(() => openRoomMeta(relabeled, ROOM, new Map([[2, ROOM_KEY]])))).toBe(
      'decrypt-failed',
    );
    for (let i = 5; i < blob.length; i += 7) {
      const t = blob.slice();
      t[i]! ^= 0x10;
      expect(codeOf(() => openRoomMeta(t, ROOM, keys))).toBe('decrypt-failed');
    }
    expect(codeOf(() => openRoomMeta(blob.subarray(0, 20), ROOM, keys))).toBe('malformed');
    expect(codeOf(() => openRoomMeta(blob, ROOM, new Map()))).toBe('unknown-epoch');
  });

  it('validates name and topic', () => {
    expect(roomMetaProblem(meta)).toBeUndefined();
    expect(roomMetaProblem({ name: '', topic: '' })).toBe('bad-name');
    expect(roomMetaProblem({ name: ' x', topic: '' })).toBe('bad-name');
    expect(roomMetaProblem({ name: 'a\nb', topic: '' })).toBe('bad-name');
    expect(roomMetaProblem({ name: 'x'.repeat(101), topic: '' })).toBe('bad-name');
    expect(roomMetaProblem({ name: 'x', topic: 'a\u202eb' })).toBe('bad-topic');
    expect(roomMetaProblem({ name: 'x', topic: 'a\u0007' })).toBe('bad-topic');
    expect(roomMetaProblem({ name: 'x', topic: 'y'.repeat(1001) })).toBe('bad-topic');
    expect(() =>
      sealRoomMeta({ roomId: ROOM, epoch: 1, meta: { name: '', topic: '' } }, ROOM_KEY),
    ).toThrow();
  });
});
