import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installOrderedShutdown } from './shutdown';
import { app, FakeEvent } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function quit(): FakeEvent {
  const event = new FakeEvent();
  app.emit('before-quit', event);
  return event;
}

describe('ordered shutdown', () => {
  const order: string[] = [];
  const log = vi.fn();

  beforeEach(() => {
    app.removeAllListeners();
    app.exit.mockReset();
    app.exit.mockImplementation(((code: number) => order.push(`exit ${code}`)) as never);
    order.length = 0;
    log.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('holds the quit, closes the UI, waits for the service (peer → node → nats-server), then exits 0', async () => {
    const closed = deferred();
    installOrderedShutdown(app as never, {
      closeUi: () => order.push('ui'),
      closeService: () => {
        order.push('service');
        return closed.promise.then(() => {
          order.push('service closed');
        });
      },
      log,
    });
    const first = quit();
    expect(first.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(order).toEqual(['ui', 'service']));
    // Quitting again while closing is absorbed: still held, nothing runs twice.
    const second = quit();
    expect(second.defaultPrevented).toBe(true);
    expect(app.exit).not.toHaveBeenCalled();
    closed.resolve();
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalled());
    expect(order).toEqual(['ui', 'service', 'service closed', 'exit 0']);
    expect(log).not.toHaveBeenCalled();
  });

  it('exits 1 when the service fails to close, after logging it', async () => {
    installOrderedShutdown(app as never, {
      closeUi: () => order.push('ui'),
      closeService: () => Promise.reject(new Error('node refused')),
      log,
    });
    quit();
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(1));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('failed'), expect.any(Error));
  });

  it('still closes the service when closing the window throws', async () => {
    installOrderedShutdown(app as never, {
      closeUi: () => {
        throw new Error('window gone');
      },
      closeService: async () => {
        order.push('service');
      },
      log,
    });
    quit();
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(0));
    expect(order).toEqual(['service', 'exit 0']);
  });

  it('exits 1 when the service hangs past the deadline', async () => {
    vi.useFakeTimers();
    installOrderedShutdown(app as never, {
      closeUi: () => undefined,
      closeService: () => new Promise<void>(() => undefined),
      timeoutMs: 5_000,
      log,
    });
    quit();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(app.exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(app.exit).toHaveBeenCalledWith(1);
  });
});
