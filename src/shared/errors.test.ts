import { describe, expect, it } from 'vitest';
import {
  ERROR_NAMES,
  INTERNAL_ERROR_MESSAGE,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
  fromSerializedError,
  isErrorNamed,
  isSerializedError,
  missingCaseError,
  toSerializedError,
} from './errors';

describe('shared errors - serialization', () => {
  it('keeps name and message of our errors, and nothing else', () => {
    const cases = [
      new ValidationError('bad room id'),
      new NotFoundError('no such room'),
      new PermissionDeniedError('not a member'),
    ];
    for (const error of cases) {
      const serialized = toSerializedError(error);
      expect(serialized).toEqual({ name: error.name, message: error.message });
      expect(Object.keys(serialized).sort()).toEqual(['message', 'name']);
    }
  });

  it('hides foreign errors and InternalError details behind a generic InternalError', () => {
    const generic = { name: 'InternalError', message: INTERNAL_ERROR_MESSAGE };
    expect(toSerializedError(new TypeError('secret path /home/x'))).toEqual(generic);
    expect(toSerializedError(new InternalError('db handle 0x1234 leaked'))).toEqual(generic);
    expect(toSerializedError('a string')).toEqual(generic);
    expect(toSerializedError(undefined)).toEqual(generic);
    expect(toSerializedError({ name: 'EvilError', message: 'x' })).toEqual(generic);
  });

  it('passes an already serialized error through', () => {
    expect(toSerializedError({ name: 'NotFoundError', message: 'gone' })).toEqual({
      name: 'NotFoundError',
      message: 'gone',
    });
  });

  it('round-trips through structured data and is identified by name', () => {
    for (const name of ERROR_NAMES) {
      const wire = JSON.parse(JSON.stringify({ name, message: 'm' })) as unknown;
      expect(isSerializedError(wire)).toBe(true);
      if (!isSerializedError(wire)) continue;
      const rebuilt = fromSerializedError(wire);
      expect(rebuilt).toBeInstanceOf(Error);
      expect(isErrorNamed(rebuilt, name)).toBe(true);
      expect(rebuilt.message).toBe('m');
    }
  });

  it('rejects values that are not serialized errors', () => {
    for (const value of [
      null,
      1,
      'x',
      {},
      { name: 'ValidationError' },
      { name: 'X', message: '' },
    ]) {
      expect(isSerializedError(value)).toBe(false);
    }
    expect(isErrorNamed(null, 'ValidationError')).toBe(false);
    expect(isErrorNamed(new NotFoundError('x'), 'ValidationError')).toBe(false);
  });

  it('missingCaseError names the unhandled value', () => {
    const error = missingCaseError('surprise' as never);
    expect(error.name).toBe('InternalError');
    expect(error.message).toContain('surprise');
  });
});
