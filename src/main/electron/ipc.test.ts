import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_NAMES, ipcCallChannel, ipcEventChannel } from '../../shared/ipc';
import type { IpcDispatch } from '../ipc';
import { createEventSink, isTrustedRendererUrl, isTrustedSender, registerIpc } from './ipc';
import { FakeBrowserWindow, FakeWebContents, ipcMain } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const PAGE = 'file:///opt/unibus/resources/app.asar/out/renderer/index.html';

interface Frame {
  url: string;
  parent: Frame | null;
}

function event(sender: FakeWebContents, frame: Frame | null) {
  return { sender, senderFrame: frame };
}

describe('IPC sender check', () => {
  const window = new FakeBrowserWindow({});
  const mainFrame: Frame = { url: PAGE, parent: null };
  const trusted = (e: ReturnType<typeof event>) =>
    isTrustedSender(e as never, window as never, PAGE);

  const dispatch = vi.fn<IpcDispatch>(async (name) => ({ ok: true, value: `ran ${String(name)}` }));

  beforeEach(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    ipcMain.handlers.clear();
    dispatch.mockClear();
    registerIpc({ dispatch, isTrusted: (e) => trusted(e as never) });
  });

  async function call(e: ReturnType<typeof event>, name = 'app.getVersion', ...args: unknown[]) {
    const handler = ipcMain.handlers.get(ipcCallChannel(name as never));
    if (handler === undefined) throw new Error(`no handler for ${name}`);
    return handler(e, ...args);
  }

  it('registers exactly one handler per contract call', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(IPC_CALL_NAMES.map(ipcCallChannel).sort());
  });

  it('passes calls from our window’s main frame on our page to the dispatcher', async () => {
    await expect(call(event(window.webContents, mainFrame), 'rooms.list')).resolves.toEqual({
      ok: true,
      value: 'ran rooms.list',
    });
    await call(event(window.webContents, mainFrame), 'messages.send', { roomId: 'r', text: 't' });
    expect(dispatch).toHaveBeenLastCalledWith('messages.send', [{ roomId: 'r', text: 't' }]);
  });

  it.each([
    ['a subframe', () => event(window.webContents, { url: PAGE, parent: mainFrame })],
    ['another web contents', () => event(new FakeWebContents(), mainFrame)],
    [
      'a foreign URL',
      () => event(window.webContents, { url: 'https://evil.example/', parent: null }),
    ],
    [
      'another file',
      () => event(window.webContents, { url: 'file:///tmp/evil.html', parent: null }),
    ],
    // Opaque URLs share the origin "null" with file: pages; they must not pass for ours.
    ['a data: URL', () => event(window.webContents, { url: 'data:text/html,hi', parent: null })],
    ['about:blank', () => event(window.webContents, { url: 'about:blank', parent: null })],
    [
      'a file: URL on another host',
      () =>
        event(window.webContents, { url: PAGE.replace('file://', 'file://evil'), parent: null }),
    ],
    ['no frame (navigated away or destroyed)', () => event(window.webContents, null)],
  ])('refuses %s with PermissionDeniedError, without dispatching', async (_what, make) => {
    const reply = await call(make(), 'identity.exportBackup', { passphrase: 'long enough' });
    expect(reply).toEqual({
      ok: false,
      error: { name: 'PermissionDeniedError', message: expect.stringContaining('untrusted') },
    });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses everything once the window is gone', async () => {
    const gone = new FakeBrowserWindow({});
    gone.destroy();
    expect(isTrustedSender(event(gone.webContents, mainFrame) as never, gone as never, PAGE)).toBe(
      false,
    );
    expect(isTrustedSender(event(gone.webContents, mainFrame) as never, null, PAGE)).toBe(false);
  });

  it('answers a generic error while the app service failed to start', async () => {
    ipcMain.handlers.clear();
    const failed = Promise.reject(new Error('disk on fire at /home/secret'));
    failed.catch(() => undefined);
    registerIpc({ dispatch: failed, isTrusted: () => true });
    await expect(call(event(window.webContents, mainFrame))).resolves.toEqual({
      ok: false,
      error: { name: 'InternalError', message: expect.not.stringContaining('secret') },
    });
  });

  it('removes its handlers again', () => {
    ipcMain.handlers.clear();
    const unregister = registerIpc({ dispatch, isTrusted: () => true });
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('trusted renderer URL', () => {
  it('file: pages must be the very file; query and hash do not matter', () => {
    expect(isTrustedRendererUrl(`${PAGE}#/rooms`, PAGE)).toBe(true);
    expect(isTrustedRendererUrl(PAGE.replace('index.html', 'other.html'), PAGE)).toBe(false);
    expect(isTrustedRendererUrl('not a url', PAGE)).toBe(false);
  });

  it('the dev server is trusted by origin', () => {
    const dev = 'http://localhost:5173/';
    expect(isTrustedRendererUrl('http://localhost:5173/src/x', dev)).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedRendererUrl(PAGE, dev)).toBe(false);
    expect(isTrustedRendererUrl('data:text/html,x', 'data:text/html,y')).toBe(false);
  });
});

describe('event sink', () => {
  it('sends on the event channel, to our page only', () => {
    const window = new FakeBrowserWindow({});
    const emit = createEventSink(() => window as never, PAGE);
    window.webContents.url = PAGE;
    emit('app.joinLink', { link: 'unibus://join?v=1&t=x' });
    expect(window.webContents.sent).toEqual([
      [ipcEventChannel('app.joinLink'), { link: 'unibus://join?v=1&t=x' }],
    ]);
    window.webContents.url = 'https://evil.example/';
    emit('rooms.changed', []);
    expect(window.webContents.sent).toHaveLength(1);
  });

  it('drops events when there is no window', () => {
    expect(() => createEventSink(() => null, PAGE)('rooms.changed', [])).not.toThrow();
    const gone = new FakeBrowserWindow({});
    gone.destroy();
    createEventSink(() => gone as never, PAGE)('rooms.changed', []);
    expect(gone.webContents.sent).toEqual([]);
  });
});
