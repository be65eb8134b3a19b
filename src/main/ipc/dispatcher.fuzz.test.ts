/**
 * Throws malformed calls at the real handlers (a real app service with an identity and a hosted
 * node): ≥ 10,000 through the dispatcher, then more through the web shell's WebSocket, garbage
 * frames included. Every one must come back as a typed rejection — never a crash, never an
 * unhandled rejection, never an internal error.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../../shared/errors';
import { IPC_CALLS, IPC_CALL_NAMES, isIpcCallName, type IpcReply } from '../../shared/ipc';
import { BridgeClient } from '../../../test-support/bridge-client';
import { createAppService, KEY_PROTECTION_ENV, type AppService } from '../app';
import { startWebShell, type RunningWebShell } from '../web-shell/server';
import { createDispatcher, type IpcDispatch } from './dispatcher';

const root = mkdtempSync(join(tmpdir(), 'unibus-fuzz-'));
let service: AppService;
let dispatch: IpcDispatch;
const internalErrors: unknown[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (error: unknown) => unhandled.push(error);

/** Values a hostile renderer can send: JSON-ish, bytes, huge strings, odd numbers, prototypes. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, true, false, 0, -1, NaN, Infinity, 2 ** 53, -0, ''),
    fc.string(),
    fc.string({ minLength: 1, maxLength: 5000 }),
    fc.constantFrom(
      '__proto__',
      'constructor',
      '../../etc/passwd',
      '\u0000',
      'javascript:alert(1)',
    ),
    fc.double(),
    fc.integer(),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A real call name (or a fake one) and arguments that the contract refuses. */
const malformedCall = fc
  .tuple(
    fc.oneof(fc.constantFrom(...IPC_CALL_NAMES), fc.string({ maxLength: 30 }), hostileValue),
    fc.oneof(fc.array(hostileValue, { maxLength: 4 }), hostileValue),
  )
  .filter(([name, args]) => {
    if (!isIpcCallName(name) || !Array.isArray(args)) return true;
    try {
      IPC_CALLS[name].parseArgs(args);
      return false; // well-formed: not what this property is about
    } catch {
      return true;
    }
  });

function expectTypedRejection(reply: IpcReply<unknown>, what = 'call'): void {
  expect(reply.ok, what).toBe(false);
  if (reply.ok) return;
  expect(ERROR_NAMES).toContain(reply.error.name);
  expect(reply.error.name, `${what}: ${String(internalErrors.at(-1))}`).not.toBe('InternalError');
  expect(reply.error.message).not.toMatch(/\n\s+at /); // never a stack
}

beforeAll(async () => {
  process.env[KEY_PROTECTION_ENV] = 'passphrase-file';
  process.on('unhandledRejection', onUnhandled);
  service = await createAppService({
    profileDir: join(root, 'profile'),
    host: 'web',
    emit: () => {},
  });
  dispatch = createDispatcher(service.handlers, (_name, error) => internalErrors.push(error));
  const created = await dispatch('identity.create', [
    { handle: 'fuzz', passphrase: 'fuzzing-pass' },
  ]);
  expect(created.ok).toBe(true);
  const hosted = await dispatch('node.host', [{ bind: '127.0.0.1', httpPort: 0, natsPort: 0 }]);
  expect(hosted.ok).toBe(true);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('bridge fuzz', () => {
  it('10,000 malformed calls through the dispatcher: each a typed rejection', async () => {
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(malformedCall, async ([name, args]) => {
        calls++;
        expectTypedRejection(await dispatch(name, args));
      }),
      { numRuns: 10_000, seed: 20261123 },
    );
    expect(calls).toBeGreaterThanOrEqual(10_000);
    expect(internalErrors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('well-formed calls naming things that do not exist: typed rejections too', async () => {
    const ids = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
    await fc.assert(
      fc.asyncProperty(ids, fc.nat({ max: 1 << 20 }), async (id, offset) => {
        for (const [name, args] of [
          ['messages.list', [{ roomId: id }]],
          ['members.list', [{ roomId: id }]],
          ['members.kick', [{ roomId: id, endpoint: id }]],
          ['messages.send', [{ roomId: id, text: 'x' }]],
          ['files.readPiece', [{ transferId: id, offset, length: 16 }]],
          ['files.writePiece', [{ transferId: id, offset, data: new Uint8Array(4) }]],
          ['files.cancel', [{ transferId: id }]],
          ['rooms.leave', [{ roomId: id }]],
          ['admin.revokeUser', [{ endpoint: id }]],
          ['admin.revokeInvite', [{ id }]],
          ['join.preview', [{ link: `unibus://join?v=1&t=${id}` }]],
        ] as const) {
          expectTypedRejection(await dispatch(name, args), name);
        }
      }),
      { numRuns: 150, seed: 7 },
    );
    expect(internalErrors).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});

describe('bridge fuzz through the WebSocket', () => {
  let shell: RunningWebShell;
  let client: BridgeClient;

  beforeAll(async () => {
    const rendererDir = join(root, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    shell = await startWebShell({ profileDir: join(root, 'ws-profile'), rendererDir });
    client = await BridgeClient.connect(shell.origin, shell.token);
  });

  afterAll(async () => {
    client?.close();
    await shell?.close();
  });

  it('2,000 malformed calls over the wire: typed rejections; garbage frames close only that socket', async () => {
    await fc.assert(
      fc.asyncProperty(malformedCall, async ([name, args]) => {
        expectTypedRejection(await client.raw(name, args));
      }),
      { numRuns: 2_000, seed: 99 },
    );
    for (const garbage of [
      'not json',
      '{"t":"call"}',
      '{"t":"call","id":1.5}',
      '{"$bytes":1}',
      '[]',
    ]) {
      const victim = await BridgeClient.connect(shell.origin, shell.token);
      const closed = new Promise<number>((resolve) => victim.ws.once('close', resolve));
      victim.ws.send(garbage);
      expect([1007, 1008]).toContain(await closed);
    }
    // The shell still answers.
    expect((await client.call('app.getState')).phase).toBe('no-identity');
    expect(unhandled).toEqual([]);
  });
});
