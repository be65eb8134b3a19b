/**
 * The shape of the object the preload exposes to the renderer (`window.unibus`). It is derived
 * from the contract: one function per call, one subscribe function per event, nothing generic.
 */
import type {
  IpcArgs,
  IpcCallName,
  IpcEventName,
  IpcEventPayload,
  IpcReply,
  IpcResult,
} from './contract';

/** Name of the global the preload defines in the renderer's main world. */
export const BRIDGE_GLOBAL = 'unibus';

export type Unsubscribe = () => void;

export type BridgeCalls = {
  readonly [N in IpcCallName]: (...args: IpcArgs<N>) => Promise<IpcReply<IpcResult<N>>>;
};

export type BridgeEvents = {
  readonly [E in IpcEventName]: (listener: (payload: IpcEventPayload<E>) => void) => Unsubscribe;
};

export interface UnibusBridge {
  readonly calls: BridgeCalls;
  readonly events: BridgeEvents;
}
