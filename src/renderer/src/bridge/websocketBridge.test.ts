// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeWire, encodeWire } from '../../../shared/ipc/wire';
import type { LinkStatus } from './linkStatus';
import { createWebSocketBridge, type WebSocketLike } from './websocketBridge';

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  sent: unknown[] = [];
  constructor(
    readonly url: string,
    readonly protocols: readonly string[] = [],
  ) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(decodeWire(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(message: unknown) {
    this.onmessage?.({ data: encodeWire(message as never) });
  }
}

function latest(): FakeSocket {
  const socket = FakeSocket.all[FakeSocket.all.length - 1];
  if (socket === undefined) throw new Error('no socket');
  return socket;
}

describe('createWebSocketBridge', () => {
  let statuses: LinkStatus[];
  beforeEach(() => {
    FakeSocket.all = [];
    statuses = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function make() {
    return createWebSocketBridge({
      url: 'ws://127.0.0.1:9/bridge',
      protocols: ['unibus-bridge.v1', 'unibus-token.t'],
      createSocket: (url, protocols) => new FakeSocket(url, protocols),
      onStatus: (status) => statuses.push(status),
      minDelayMs: 100,
      maxDelayMs: 400,
    });
  }

  it('queues calls until open, then matches replies by id', async () => {
    const bridge = make();
    const reply = bridge.calls['rooms.markRead']({ roomId: 'r1' });
    expect(latest().sent).toEqual([]);
    latest().open();
    expect(latest().sent).toEqual([
      { t: 'call', id: 1, name: 'rooms.markRead', args: [{ roomId: 'r1' }] },
    ]);
    latest().receive({ t: 'reply', id: 1, reply: { ok: true, value: null } });
    await expect(reply).resolves.toEqual({ ok: true, value: null });
    expect(statuses).toEqual(['connecting', 'up']);
    bridge.close();
  });

  it('carries bytes both ways', async () => {
    const bridge = make();
    latest().open();
    const data = new Uint8Array([1, 2, 255]);
    const reply = bridge.calls['files.readPiece']({ transferId: 't', offset: 0, length: 3 });
    latest().receive({ t: 'reply', id: 1, reply: { ok: true, value: data } });
    const result = await reply;
    expect(result.ok && Array.from(result.value)).toEqual([1, 2, 255]);
    void bridge.calls['files.writePiece']({ transferId: 't', offset: 0, data });
    const sent = latest().sent[1] as { args: [{ data: Uint8Array }] };
    expect(Array.from(sent.args[0].data)).toEqual([1, 2, 255]);
    bridge.close();
  });

  it('delivers events to subscribers until they unsubscribe', () => {
    const bridge = make();
    latest().open();
    const seen: unknown[] = [];
    const off = bridge.events['app.joinLink']((payload) => seen.push(payload));
    latest().receive({ t: 'event', name: 'app.joinLink', payload: { link: 'unibus://join?x' } });
    off();
    latest().receive({ t: 'event', name: 'app.joinLink', payload: { link: 'again' } });
    latest().receive({ t: 'event', name: 'not.an.event', payload: 1 });
    expect(seen).toEqual([{ link: 'unibus://join?x' }]);
    bridge.close();
  });

  it('fails calls in flight when the socket drops, then reconnects with backoff', async () => {
    vi.useFakeTimers();
    const bridge = make();
    latest().open();
    const reply = bridge.calls['app.getState']();
    latest().drop();
    await expect(reply).resolves.toMatchObject({ ok: false, error: { name: 'UnavailableError' } });
    expect(statuses).toEqual(['connecting', 'up', 'down']);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(FakeSocket.all).toHaveLength(2);
    latest().drop();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
    latest().open();
    expect(statuses.at(-1)).toBe('up');
    // Every attempt offers the token as a subprotocol; no socket URL ever carries it.
    for (const socket of FakeSocket.all) {
      expect(socket.url).toBe('ws://127.0.0.1:9/bridge');
      expect(socket.protocols).toEqual(['unibus-bridge.v1', 'unibus-token.t']);
    }
    bridge.close();
  });

  it('ignores malformed frames', () => {
    const bridge = make();
    latest().open();
    latest().onmessage?.({ data: '{not json' });
    latest().onmessage?.({ data: '{"$bytes": 3}' });
    latest().onmessage?.({ data: 42 });
    bridge.close();
  });
});
