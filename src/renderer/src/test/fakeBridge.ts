/**
 * An in-memory `UnibusBridge` for component tests: calls answered by handlers given per test
 * (unhandled calls answer `NotFoundError`), a log of every call, and `emit` to push events.
 * It stands in for main's IPC handlers, not for the bus.
 */
import type { BridgeCalls, BridgeEvents, UnibusBridge } from '../../../shared/ipc/bridge';
import {
  IPC_CALL_NAMES,
  IPC_EVENT_NAMES,
  type IpcArgs,
  type IpcCallName,
  type IpcEventName,
  type IpcEventPayload,
  type IpcReply,
  type IpcResult,
} from '../../../shared/ipc/contract';
import { toSerializedError } from '../../../shared/errors';

export type FakeHandlers = {
  [N in IpcCallName]?: (...args: IpcArgs<N>) => IpcResult<N> | Promise<IpcResult<N>>;
};

export interface LoggedCall {
  readonly name: IpcCallName;
  readonly args: readonly unknown[];
}

export interface FakeBridge {
  readonly bridge: UnibusBridge;
  readonly log: LoggedCall[];
  /** Replace or add handlers during a test. */
  handle(handlers: FakeHandlers): void;
  emit<E extends IpcEventName>(name: E, payload: IpcEventPayload<E>): void;
  callsTo(name: IpcCallName): readonly unknown[][];
}

export function createFakeBridge(initial: FakeHandlers = {}): FakeBridge {
  const handlers: Record<string, ((...args: unknown[]) => unknown) | undefined> = {
    ...(initial as Record<string, (...args: unknown[]) => unknown>),
  };
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const log: LoggedCall[] = [];

  const calls = Object.fromEntries(
    IPC_CALL_NAMES.map((name) => [
      name,
      async (...args: unknown[]): Promise<IpcReply<unknown>> => {
        log.push({ name, args });
        const handler = handlers[name];
        if (handler === undefined) {
          return { ok: false, error: { name: 'NotFoundError', message: `no fake for ${name}` } };
        }
        try {
          return { ok: true, value: await handler(...args) };
        } catch (error) {
          return { ok: false, error: toSerializedError(error) };
        }
      },
    ]),
  ) as unknown as BridgeCalls;

  const events = Object.fromEntries(
    IPC_EVENT_NAMES.map((name) => [
      name,
      (listener: (payload: unknown) => void) => {
        let set = listeners.get(name);
        if (set === undefined) listeners.set(name, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
    ]),
  ) as unknown as BridgeEvents;

  return {
    bridge: { calls, events },
    log,
    handle(more) {
      Object.assign(handlers, more);
    },
    emit(name, payload) {
      for (const listener of listeners.get(name) ?? []) listener(payload);
    },
    callsTo(name) {
      return log.filter((entry) => entry.name === name).map((entry) => [...entry.args]);
    },
  };
}
