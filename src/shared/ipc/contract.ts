/**
 * The typed IPC contract: the one list of every call the renderer may make to main and every event
 * main may push to the renderer, with their types. Main registers handlers from it, the preload
 * builds its bridge from it, the renderer gets its types from it. Process-neutral.
 *
 * Adding a call: add it to `IpcCalls` (types), then to `IPC_CALLS` (runtime argument parser);
 * the mapped types below make forgetting either a compile error.
 */
import { ValidationError, fromSerializedError, type SerializedError } from '../errors';
import type { ConnectionState } from '../types/connection';

/** Calls: name → argument tuple and result. The renderer is untrusted; main parses every argument. */
export interface IpcCalls {
  'app.getVersion': { args: []; result: string };
}

/** Events pushed by main: name → payload. */
export interface IpcEvents {
  'app.connectionState': ConnectionState;
}

export type IpcCallName = keyof IpcCalls;
export type IpcEventName = keyof IpcEvents;
export type IpcArgs<N extends IpcCallName> = IpcCalls[N]['args'];
export type IpcResult<N extends IpcCallName> = IpcCalls[N]['result'];
export type IpcEventPayload<E extends IpcEventName> = IpcEvents[E];

/** What a handler in main answers: errors travel by name (see ../errors.ts). */
export type IpcReply<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: SerializedError };

export interface IpcCallSpec<N extends IpcCallName> {
  /** Check untrusted arguments; throws `ValidationError`. */
  readonly parseArgs: (raw: readonly unknown[]) => IpcArgs<N>;
}

/** Argument parser for calls that take nothing. */
export function parseNoArgs(raw: readonly unknown[]): [] {
  if (raw.length !== 0) {
    throw new ValidationError(`expected no arguments, got ${raw.length}`);
  }
  return [];
}

/** Runtime table of calls; exactly the keys of `IpcCalls`. */
export const IPC_CALLS: { readonly [N in IpcCallName]: IpcCallSpec<N> } = Object.freeze({
  'app.getVersion': { parseArgs: parseNoArgs },
});

/** Runtime table of events; exactly the keys of `IpcEvents`. */
export const IPC_EVENTS: { readonly [E in IpcEventName]: true } = Object.freeze({
  'app.connectionState': true,
});

export const IPC_CALL_NAMES = Object.freeze(Object.keys(IPC_CALLS) as IpcCallName[]);
export const IPC_EVENT_NAMES = Object.freeze(Object.keys(IPC_EVENTS) as IpcEventName[]);

/** Every Electron channel we use carries this prefix; main refuses anything else. */
export const IPC_CHANNEL_PREFIX = 'unibus:';

export type IpcCallChannel<N extends IpcCallName = IpcCallName> = `unibus:call:${N}`;
export type IpcEventChannel<E extends IpcEventName = IpcEventName> = `unibus:event:${E}`;

export function ipcCallChannel<N extends IpcCallName>(name: N): IpcCallChannel<N> {
  return `unibus:call:${name}`;
}

export function ipcEventChannel<E extends IpcEventName>(name: E): IpcEventChannel<E> {
  return `unibus:event:${name}`;
}

export function isIpcCallName(value: unknown): value is IpcCallName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(IPC_CALLS, value);
}

export function isIpcEventName(value: unknown): value is IpcEventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(IPC_EVENTS, value);
}

/** Value of a successful reply, or the reply's error rebuilt and thrown. */
export function unwrapIpcReply<R>(reply: IpcReply<R>): R {
  if (reply.ok) return reply.value;
  throw fromSerializedError(reply.error);
}
