/**
 * `call(name, ...args)`: a contract call that returns the value or throws the reply's error (an
 * `UnibusError` whose `name` is one of src/shared/errors.ts). A bridge that itself fails (the
 * structured clone refused an argument, the socket code threw) surfaces as `InternalError`.
 */
import type { IpcArgs, IpcCallName, IpcReply, IpcResult } from '../../../shared/ipc/contract';
import { unwrapIpcReply } from '../../../shared/ipc/contract';
import { InternalError } from '../../../shared/errors';
import { getBridge } from './getBridge';

type AnyCall = (...args: readonly unknown[]) => Promise<IpcReply<unknown>>;

export async function call<N extends IpcCallName>(
  name: N,
  ...args: IpcArgs<N>
): Promise<IpcResult<N>> {
  const fn = getBridge().calls[name] as unknown as AnyCall;
  let reply: IpcReply<unknown>;
  try {
    reply = await fn(...args);
  } catch {
    throw new InternalError();
  }
  return unwrapIpcReply(reply) as IpcResult<N>;
}
