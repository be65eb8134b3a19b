import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecodeError } from './errors.js';
import {
  FRAME_HEADER_BYTES,
  FRAME_MAX_BYTES,
  FRAME_MAX_PLAINTEXT,
  decodeFrame,
  encodeFrame,
  type Frame,
} from './frame.js';
import { openFrame, sealFrame } from './frame-seal.js';
import {
  ALICE,
  ALICE_SEED,
  ALICE_SIGN_PUBLIC,
  MESSAGE_ID,
  ROOM,
  ROOM_KEY,
  TIMESTAMP,
  fill,
} from './test/fixtures.js';

const plaintext = new TextEncoder().encode('{"text":"hello"}');
const valid = sealFrame(
  {
    type: 'message',
    roomId: ROOM,
    epoch: 1,
    messageId: MESSAGE_ID,
    timestamp: TIMESTAMP,
    nonce: fill(3, 24),
    plaintext,
  },
  ROOM_KEY,
  ALICE_SEED,
);

function decodeOrError(bytes: Uint8Array): Frame | FrameDecodeError {
  try {
    return decodeFrame(bytes);
  } catch (error) {
    return error as FrameDecodeError;
  }
}

function expectCode(bytes: Uint8Array, code: string): void {
  const result = decodeOrError(bytes);
  expect(result).toBeInstanceOf(FrameDecodeError);
  expect((result as FrameDecodeError).code).toBe(code);
}

describe('frame layout', () => {
  it('decodes a sealed frame to its fields', () => {
    const f = decodeFrame(valid);
    expect(f).toMatchObject({
      version: 1,
      type: 'message',
      roomId: ROOM,
      epoch: 1,
      sender: ALICE,
      messageId: MESSAGE_ID,
      timestamp: TIMESTAMP,
    });
    expect(f.nonce).toEqual(fill(3, 24));
    expect(f.ciphertext).toHaveLength(plaintext.length + 16);
    expect(f.signature).toHaveLength(64);
    expect(valid).toHaveLength(FRAME_HEADER_BYTES + 4 + f.ciphertext.length + 1 + 64);
    expect(encodeFrame(f)).toEqual(valid);
  });

  it('encodes an unsigned frame with signature length 0', () => {
    const f = { ...decodeFrame(valid), signature: null };
    const bytes = encodeFrame(f);
    expect(bytes[bytes.length - 1]).toBe(0);
    expect(decodeFrame(bytes).signature).toBeNull();
  });

  it('rejects each malformed field with its code', () => {
    const mutate = (at: number, value: number): Uint8Array => {
      const b = valid.slice();
      b[at] = value;
      return b;
    };
    expectCode(valid.subarray(0, 50), 'too-short');
    expectCode(mutate(0, 2), 'bad-version');
    expectCode(mutate(1, 0), 'bad-type');
    expectCode(mutate(1, 9), 'bad-type');
    const zeroEpoch = valid.slice();
    zeroEpoch.fill(0, 18, 22);
    expectCode(zeroEpoch, 'bad-epoch');
    expectCode(mutate(70, 1), 'bad-timestamp');
    expectCode(mutate(FRAME_HEADER_BYTES + 3, 15), 'bad-length');
    expectCode(mutate(FRAME_HEADER_BYTES, 0xff), 'bad-length');
    expectCode(mutate(FRAME_HEADER_BYTES + 2, 1), 'too-short');
    expectCode(mutate(valid.length - 65, 63), 'bad-signature-length');
    expectCode(valid.subarray(0, valid.length - 1), 'too-short');
    expectCode(new Uint8Array([...valid, 0]), 'trailing-bytes');
    expectCode(new Uint8Array(FRAME_MAX_BYTES + 1), 'too-long');
  });

  it('the largest allowed plaintext fits exactly in FRAME_MAX_BYTES', () => {
    const big = sealFrame(
      { type: 'message', roomId: ROOM, epoch: 1, plaintext: new Uint8Array(FRAME_MAX_PLAINTEXT) },
      ROOM_KEY,
      ALICE_SEED,
    );
    expect(big).toHaveLength(FRAME_MAX_BYTES);
    expect(decodeFrame(big).ciphertext).toHaveLength(FRAME_MAX_PLAINTEXT + 16);
    expect(() =>
      sealFrame(
        {
          type: 'message',
          roomId: ROOM,
          epoch: 1,
          plaintext: new Uint8Array(FRAME_MAX_PLAINTEXT + 1),
        },
        ROOM_KEY,
        ALICE_SEED,
      ),
    ).toThrow();
  });
});

describe('frame decoder fuzzing (fast-check)', () => {
  it('random bytes give a FrameDecodeError or a frame that re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const result = decodeOrError(bytes);
        if (result instanceof FrameDecodeError) return;
        expect(encodeFrame(result)).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('random header-shaped bytes (valid version and type) never crash the decoder or openFrame', () => {
    const arb = fc
      .tuple(fc.constantFrom(1, 2, 3), fc.uint8Array({ minLength: 100, maxLength: 300 }))
      .map(([type, rest]) => new Uint8Array([1, type, ...rest]));
    fc.assert(
      fc.property(arb, (bytes) => {
        const result = decodeOrError(bytes);
        if (!(result instanceof FrameDecodeError)) expect(encodeFrame(result)).toEqual(bytes);
        const opened = openFrame(bytes, {
          expectedRoomId: ROOM,
          roomKeysByEpoch: new Map([[1, ROOM_KEY]]),
          senderSignPublic: ALICE_SIGN_PUBLIC,
        });
        expect(opened.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('mutations of a valid frame (flips, truncation, insertion, splices) are typed errors or drops', () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('flip' as const),
        at: fc.nat(valid.length - 1),
        bit: fc.nat(7),
      }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(valid.length) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(valid.length),
        data: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      }),
      fc.record({
        kind: fc.constant('set' as const),
        at: fc.nat(valid.length - 1),
        data: fc.uint8Array({ minLength: 1, maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let bytes = valid.slice();
        for (const m of mutations) {
          if (m.kind === 'flip') {
            if (m.at < bytes.length) bytes[m.at]! ^= 1 << m.bit;
          } else if (m.kind === 'cut') bytes = bytes.slice(0, m.at);
          else if (m.kind === 'insert')
            bytes = new Uint8Array([
              ...bytes.subarray(0, m.at),
              ...m.data,
              ...bytes.subarray(m.at),
            ]);
          else
            bytes.set(
              m.data.subarray(0, Math.max(0, bytes.length - m.at)),
              Math.min(m.at, bytes.length),
            );
        }
        const result = decodeOrError(bytes);
        if (!(result instanceof FrameDecodeError)) expect(encodeFrame(result)).toEqual(bytes);
        const opened = openFrame(bytes, {
          expectedRoomId: ROOM,
          roomKeysByEpoch: new Map([[1, ROOM_KEY]]),
          senderSignPublic: ALICE_SIGN_PUBLIC,
        });
        const same = bytes.length === valid.length && bytes.every((b, i) => b === valid[i]);
        expect(opened.ok).toBe(same);
      }),
      { numRuns: 1500 },
    );
  });

  it('decodeFrame throws FrameDecodeError for non-byte input', () => {
    expect(decodeOrError('x' as unknown as Uint8Array)).toBeInstanceOf(FrameDecodeError);
  });
});

describe('decodeFrame input ownership', () => {
  it('returns copies even for a Node Buffer input', () => {
    const buf = Buffer.from(valid);
    const f = decodeFrame(buf);
    buf.fill(0);
    expect(f.ciphertext.some((b) => b !== 0)).toBe(true);
    expect(f.signature!.some((b) => b !== 0)).toBe(true);
    expect(f.nonce).toEqual(fill(3, 24));
  });
});
