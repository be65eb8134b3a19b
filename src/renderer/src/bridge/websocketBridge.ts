/**
 * The `UnibusBridge` over the web shell's loopback WebSocket (src/shared/ipc/wire.ts): one socket,
 * calls matched to replies by id, events fanned out to listeners, reconnect with backoff.
 * Calls made while the socket is down wait for it (up to CALL_WAIT_MS), then fail as
 * `UnavailableError`, so the UI can say "disconnected from the app" rather than hang.
 */
import type {
  BridgeCalls,
  BridgeEvents,
  UnibusBridge,
  Unsubscribe,
} from '../../../shared/ipc/bridge';
import {
  IPC_CALL_NAMES,
  IPC_EVENT_NAMES,
  isIpcEventName,
  type IpcEventName,
  type IpcReply,
} from '../../../shared/ipc/contract';
import { decodeWire, encodeWire, type WireClientMessage } from '../../../shared/ipc/wire';
import type { LinkStatus } from './linkStatus';

export interface WebSocketLike {
  readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface WebSocketBridgeOptions {
  readonly url: string;
  /** WebSocket subprotocols to offer (the web shell's carry its token). */
  readonly protocols?: readonly string[];
  readonly createSocket?: (url: string, protocols: readonly string[]) => WebSocketLike;
  readonly onStatus?: (status: LinkStatus) => void;
  /** Backoff bounds for reconnecting (ms). */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface WebSocketBridge extends UnibusBridge {
  /** Stop reconnecting and close the socket (tests, page unload). */
  close(): void;
}

const OPEN = 1;
const CALL_WAIT_MS = 15_000;

type Pending = {
  resolve: (reply: IpcReply<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
};

function unavailable(message: string): IpcReply<never> {
  return { ok: false, error: { name: 'UnavailableError', message } };
}

function isServerMessage(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const createSocket =
    options.createSocket ??
    ((url, protocols) => new WebSocket(url, [...protocols]) as WebSocketLike);
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();
  const pending = new Map<number, Pending>();
  let queue: WireClientMessage[] = [];
  let nextId = 1;
  let delay = minDelay;
  let socket: WebSocketLike | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  function settle(id: number, reply: IpcReply<unknown>): void {
    const entry = pending.get(id);
    if (entry === undefined) return;
    pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(reply);
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = decodeWire(data);
    } catch {
      return; // Not ours to show: a malformed frame is dropped.
    }
    if (!isServerMessage(message)) return;
    if (message['t'] === 'reply' && typeof message['id'] === 'number') {
      settle(message['id'], message['reply'] as IpcReply<unknown>);
    } else if (message['t'] === 'event' && isIpcEventName(message['name'])) {
      for (const listener of listeners.get(message['name']) ?? []) listener(message['payload']);
    }
  }

  function connect(): void {
    if (closed) return;
    options.onStatus?.('connecting');
    const ws = createSocket(options.url, options.protocols ?? []);
    socket = ws;
    ws.onopen = () => {
      delay = minDelay;
      options.onStatus?.('up');
      const waiting = queue;
      queue = [];
      for (const message of waiting) ws.send(encodeWire(message));
    };
    ws.onmessage = (event) => onMessage(event.data);
    ws.onerror = () => undefined; // onclose follows and handles it.
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      // Replies to calls already sent will never come: fail them now.
      for (const id of [...pending.keys()]) {
        if (!queue.some((message) => message.id === id)) {
          settle(id, unavailable('The connection to the app was lost before it answered.'));
        }
      }
      if (closed) return;
      options.onStatus?.('down');
      reconnectTimer = setTimeout(connect, delay);
      delay = Math.min(maxDelay, delay * 2);
    };
  }

  function send(name: string, args: readonly unknown[]): Promise<IpcReply<unknown>> {
    return new Promise((resolve) => {
      const id = nextId++;
      const message: WireClientMessage = { t: 'call', id, name, args };
      const timer = setTimeout(() => {
        queue = queue.filter((queued) => queued.id !== id);
        settle(id, unavailable('The app did not answer in time.'));
      }, CALL_WAIT_MS);
      pending.set(id, { resolve, timer });
      if (socket !== null && socket.readyState === OPEN) socket.send(encodeWire(message));
      else queue.push(message);
    });
  }

  function subscribe(name: IpcEventName) {
    return (listener: (payload: unknown) => void): Unsubscribe => {
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    };
  }

  const calls = Object.fromEntries(
    IPC_CALL_NAMES.map((name) => [name, (...args: unknown[]) => send(name, args)]),
  ) as unknown as BridgeCalls;
  const events = Object.fromEntries(
    IPC_EVENT_NAMES.map((name) => [name, subscribe(name)]),
  ) as unknown as BridgeEvents;

  connect();

  return {
    calls,
    events,
    close() {
      closed = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      socket?.close();
      socket = null;
      for (const id of [...pending.keys()]) settle(id, unavailable('The bridge was closed.'));
      queue = [];
    },
  };
}
