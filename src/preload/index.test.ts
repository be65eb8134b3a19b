import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BRIDGE_GLOBAL,
  IPC_CALL_NAMES,
  IPC_EVENT_NAMES,
  ipcCallChannel,
  ipcEventChannel,
  type UnibusBridge,
} from '../shared/ipc';

// A stand-in for Electron's renderer-side modules: records what the preload exposes and which
// channels it touches.
const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    exposed,
    listeners,
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api),
    },
    ipcRenderer: {
      invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({
        ok: true,
        value: { channel, args },
      })),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)?.add(listener);
      }),
      removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        listeners.get(channel)?.delete(listener);
      }),
    },
  };
});
vi.mock('electron', () => ({
  contextBridge: electron.contextBridge,
  ipcRenderer: electron.ipcRenderer,
}));

async function loadBridge(): Promise<UnibusBridge> {
  vi.resetModules();
  electron.exposed.clear();
  await import('./index');
  expect([...electron.exposed.keys()]).toEqual([BRIDGE_GLOBAL]);
  return electron.exposed.get(BRIDGE_GLOBAL) as UnibusBridge;
}

describe('preload - window.unibus', () => {
  beforeEach(() => {
    electron.listeners.clear();
    vi.clearAllMocks();
  });

  it('exposes exactly the contract: one function per call and per event, nothing generic', async () => {
    const bridge = await loadBridge();
    expect(Object.keys(bridge).sort()).toEqual(['calls', 'events']);
    expect(Object.keys(bridge.calls).sort()).toEqual([...IPC_CALL_NAMES].sort());
    expect(Object.keys(bridge.events).sort()).toEqual([...IPC_EVENT_NAMES].sort());
    for (const fn of [...Object.values(bridge.calls), ...Object.values(bridge.events)]) {
      expect(typeof fn).toBe('function');
    }
    expect(bridge).not.toHaveProperty('invoke');
    expect(bridge).not.toHaveProperty('send');
  });

  it('is frozen at every level', async () => {
    const bridge = await loadBridge();
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge.calls)).toBe(true);
    expect(Object.isFrozen(bridge.events)).toBe(true);
  });

  it('sends each call on its own fixed channel', async () => {
    const bridge = await loadBridge();
    const reply = await bridge.calls['app.getVersion']();
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(ipcCallChannel('app.getVersion'));
    expect(reply).toEqual({
      ok: true,
      value: { channel: ipcCallChannel('app.getVersion'), args: [] },
    });
  });

  it('delivers event payloads only (never the IpcRendererEvent) and unsubscribes', async () => {
    const bridge = await loadBridge();
    const received: unknown[][] = [];
    const unsubscribe = bridge.events['app.connectionState']((...args: unknown[]) => {
      received.push(args);
    });
    const channel = ipcEventChannel('app.connectionState');
    const payload = { status: 'online', since: 1 };
    const fakeEvent = { sender: { send: () => undefined } };
    for (const listener of electron.listeners.get(channel) ?? []) listener(fakeEvent, payload);
    expect(received).toEqual([[payload]]);

    unsubscribe();
    expect(electron.listeners.get(channel)?.size).toBe(0);
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledTimes(1);
  });
});
