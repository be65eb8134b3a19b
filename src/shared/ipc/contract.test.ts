import { describe, expect, it } from 'vitest';
import {
  IPC_CALLS,
  IPC_CALL_NAMES,
  IPC_EVENT_NAMES,
  IPC_CHANNEL_PREFIX,
  ipcCallChannel,
  ipcEventChannel,
  isIpcCallName,
  isIpcEventName,
  parseNoArgs,
  unwrapIpcReply,
} from './contract';
import { isErrorNamed } from '../errors';

describe('ipc contract - tables', () => {
  it('lists the calls and events of this version', () => {
    expect(IPC_CALL_NAMES).toHaveLength(44);
    expect(IPC_CALL_NAMES).toContain('admin.rotateInviteKey');
    expect(IPC_CALL_NAMES).toContain('app.getVersion');
    expect(IPC_CALL_NAMES).toContain('members.kick');
    expect(IPC_EVENT_NAMES).toEqual([
      'app.connectionState',
      'app.state',
      'rooms.changed',
      'messages.changed',
      'transfers.changed',
      'node.status',
      'app.joinLink',
      'app.openRoom',
    ]);
    for (const name of IPC_CALL_NAMES) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
  });

  it('gives every call and event its own prefixed channel', () => {
    const channels = [
      ...IPC_CALL_NAMES.map((n) => ipcCallChannel(n)),
      ...IPC_EVENT_NAMES.map((n) => ipcEventChannel(n)),
    ];
    expect(new Set(channels).size).toBe(channels.length);
    for (const channel of channels) expect(channel.startsWith(IPC_CHANNEL_PREFIX)).toBe(true);
  });

  it('recognises only its own names (no prototype keys)', () => {
    expect(isIpcCallName('app.getVersion')).toBe(true);
    expect(isIpcEventName('app.connectionState')).toBe(true);
    for (const name of ['toString', '__proto__', 'constructor', 'app.connectionState', 1]) {
      expect(isIpcCallName(name)).toBe(false);
    }
    expect(isIpcEventName('app.getVersion')).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(IPC_CALLS)).toBe(true);
    expect(Object.isFrozen(IPC_CALL_NAMES)).toBe(true);
  });
});

describe('ipc contract - argument parsing and replies', () => {
  it('app.getVersion takes no arguments', () => {
    expect(IPC_CALLS['app.getVersion'].parseArgs([])).toEqual([]);
    expect(() => parseNoArgs(['extra'])).toThrow(/expected no arguments, got 1/);
    try {
      parseNoArgs([1, 2]);
      expect.unreachable('parseNoArgs accepted arguments');
    } catch (error) {
      expect(isErrorNamed(error, 'ValidationError')).toBe(true);
    }
  });

  it('unwraps a success and rethrows a failure by name', () => {
    expect(unwrapIpcReply({ ok: true, value: '0.1.0' })).toBe('0.1.0');
    try {
      unwrapIpcReply({ ok: false, error: { name: 'NotFoundError', message: 'gone' } });
      expect.unreachable('unwrapIpcReply did not throw');
    } catch (error) {
      expect(isErrorNamed(error, 'NotFoundError')).toBe(true);
      expect((error as Error).message).toBe('gone');
    }
  });
});
