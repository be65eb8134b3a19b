/**
 * Preload (sandboxed, bundled to one CommonJS file): exposes `window.unibus`, built from the IPC
 * contract's channel lists and nothing else. Every function is bound to one fixed channel; there
 * is no generic `invoke`/`send`/`on`, and no Electron or Node object reaches the renderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  BRIDGE_GLOBAL,
  IPC_CALL_NAMES,
  IPC_EVENT_NAMES,
  ipcCallChannel,
  ipcEventChannel,
  type BridgeCalls,
  type BridgeEvents,
  type IpcCallName,
  type IpcEventName,
  type UnibusBridge,
  type Unsubscribe,
} from '../shared/ipc';

function makeCall(name: IpcCallName) {
  const channel = ipcCallChannel(name);
  // Arguments are passed through as given; main validates them against the contract.
  return (...args: unknown[]): Promise<unknown> => ipcRenderer.invoke(channel, ...args);
}

function makeSubscribe(name: IpcEventName) {
  const channel = ipcEventChannel(name);
  return (listener: (payload: unknown) => void): Unsubscribe => {
    // Never hand the IpcRendererEvent (it carries `sender`) to the renderer: payload only.
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  };
}

const calls = Object.freeze(
  Object.fromEntries(IPC_CALL_NAMES.map((name) => [name, makeCall(name)])),
) as BridgeCalls;

const events = Object.freeze(
  Object.fromEntries(IPC_EVENT_NAMES.map((name) => [name, makeSubscribe(name)])),
) as BridgeEvents;

const bridge: UnibusBridge = Object.freeze({ calls, events });

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
