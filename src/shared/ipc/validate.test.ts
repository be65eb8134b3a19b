import { describe, expect, it } from 'vitest';
import { isErrorNamed } from '../errors';
import { IPC_CALLS } from './contract';
import {
  boolean,
  bytes,
  id,
  integer,
  object,
  oneArgument,
  oneOf,
  optional,
  text,
} from './validate';

function rejects(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
    expect.unreachable('accepted');
  } catch (error) {
    expect(isErrorNamed(error, 'ValidationError')).toBe(true);
    expect((error as Error).message).toMatch(pattern);
  }
}

describe('argument parsers', () => {
  const shape = object({ name: text({ min: 1, max: 5 }), n: integer(0, 9), on: optional(boolean) });

  it('accepts exactly the declared shape and returns a fresh object', () => {
    const input = { name: 'abc', n: 3 };
    const parsed = shape(input, 'arg');
    expect(parsed).toEqual({ name: 'abc', n: 3 });
    expect(parsed).not.toBe(input);
    expect(shape({ name: 'a', n: 0, on: true }, 'arg').on).toBe(true);
  });

  it('refuses extra keys, wrong types, ranges, class instances and arrays, naming the path', () => {
    rejects(
      () => shape({ name: 'a', n: 1, extra: 1 }, 'arg'),
      /arg\.extra: expected no such field/,
    );
    rejects(() => shape({ name: 'toolong', n: 1 }, 'arg'), /arg\.name: expected 1–5 characters/);
    rejects(() => shape({ name: 'a', n: 1.5 }, 'arg'), /arg\.n: expected a whole number/);
    rejects(() => shape({ name: 'a', n: 10 }, 'arg'), /arg\.n/);
    rejects(() => shape({ name: 'a', n: 1, on: 'yes' }, 'arg'), /arg\.on: expected true or false/);
    rejects(() => shape(new Date(), 'arg'), /expected an object/);
    rejects(() => shape([], 'arg'), /expected an object/);
    rejects(() => shape(null, 'arg'), /expected an object/);
    rejects(() => oneOf('a', 'b')('c', 'x'), /one of a, b/);
    rejects(() => id('../etc', 'x'), /expected format|expected a value/);
    rejects(() => bytes(2)(new Uint8Array(3), 'x'), /at most 2 bytes/);
    rejects(() => bytes(2)([1, 2], 'x'), /expected bytes/);
  });

  it('ignores inherited properties (no prototype pollution through a parsed object)', () => {
    const sneaky = JSON.parse('{"name":"a","n":1,"__proto__":{"admin":true}}') as unknown;
    rejects(() => shape(sneaky, 'arg'), /__proto__: expected no such field/);
  });

  it('copies bytes so a later change by the caller does not reach the handler', () => {
    const source = new Uint8Array([1, 2]);
    const copy = bytes(4)(source, 'x');
    source[0] = 9;
    expect([...copy]).toEqual([1, 2]);
  });

  it('checks the argument count', () => {
    rejects(() => oneArgument(shape)([]), /expected 1 argument, got 0/);
    rejects(() => oneArgument(shape)([{ name: 'a', n: 1 }, 2]), /expected 1 argument, got 2/);
    rejects(() => IPC_CALLS['rooms.list'].parseArgs([1]), /expected no arguments/);
  });
});
