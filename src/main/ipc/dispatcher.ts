/**
 * One wrapper for every IPC host (Electron's ipcMain, the web shell's WebSocket): looks the call
 * up in the shared contract, parses the untrusted arguments, runs the handler and turns every
 * outcome into an `IpcReply`. Nothing thrown escapes: errors cross by name, internals become a
 * generic `InternalError` (logged here, never sent).
 */
import { toSerializedError } from '../../shared/errors';
import {
  IPC_CALLS,
  isIpcCallName,
  type IpcArgs,
  type IpcCallName,
  type IpcEventName,
  type IpcEventPayload,
  type IpcReply,
  type IpcResult,
} from '../../shared/ipc';

export type IpcHandlers = {
  readonly [N in IpcCallName]: (...args: IpcArgs<N>) => Promise<IpcResult<N>>;
};

/** Where main pushes events (every open renderer, every web-shell client). */
export type IpcEventSink = <E extends IpcEventName>(name: E, payload: IpcEventPayload<E>) => void;

export type IpcDispatch = (name: unknown, rawArgs: unknown) => Promise<IpcReply<unknown>>;

export function createDispatcher(
  handlers: IpcHandlers,
  onInternalError: (name: string, error: unknown) => void = (name, error) =>
    console.error(`IPC ${name} failed`, error),
): IpcDispatch {
  return async (name, rawArgs) => {
    const label = typeof name === 'string' ? name.slice(0, 64) : typeof name;
    try {
      if (!isIpcCallName(name)) {
        return { ok: false, error: { name: 'NotFoundError', message: `no such call: ${label}` } };
      }
      if (!Array.isArray(rawArgs)) {
        return {
          ok: false,
          error: { name: 'ValidationError', message: 'arguments must be a list' },
        };
      }
      return { ok: true, value: await invoke(handlers, name, rawArgs) };
    } catch (error) {
      const serialized = toSerializedError(error);
      if (serialized.name === 'InternalError') onInternalError(label, error);
      return { ok: false, error: serialized };
    }
  };
}

async function invoke<N extends IpcCallName>(
  handlers: IpcHandlers,
  name: N,
  rawArgs: readonly unknown[],
): Promise<IpcResult<N>> {
  const args = IPC_CALLS[name].parseArgs(rawArgs);
  const handler = handlers[name] as (...a: IpcArgs<N>) => Promise<IpcResult<N>>;
  return handler(...args);
}
