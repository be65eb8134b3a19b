/**
 * The composition root (src/main/index.ts) with Electron and the app service faked: what gets
 * wired to what, and the order of a quit.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_NAMES, ipcCallChannel, ipcEventChannel } from '../../shared/ipc';
import type { AppServiceOptions } from '../app/types';
import {
  app,
  FakeBrowserWindow,
  FakeEvent,
  ipcMain,
  safeStorage,
  session,
  Tray,
} from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const order: string[] = [];
const created: { options: AppServiceOptions | null } = { options: null };
const hosting = { value: true };
vi.mock('../app', () => ({
  createAppService: vi.fn(async (options: AppServiceOptions) => {
    created.options = options;
    return {
      handlers: new Proxy(
        {},
        {
          get:
            (_t, name) =>
            async (...args: unknown[]) => ({ name, args }),
        },
      ),
      keepsHosting: () => hosting.value,
      close: vi.fn(async () => {
        order.push('service closed');
      }),
    };
  }),
}));

const LINK = 'unibus://join?v=1&t=from-argv';

function theWindow(): FakeBrowserWindow {
  const window = FakeBrowserWindow.instances[0];
  if (window === undefined) throw new Error('no window');
  return window;
}

describe('composition root', () => {
  const argv = process.argv;

  beforeAll(async () => {
    process.argv = [...argv, LINK];
    app.exit.mockImplementation(((code: number) => order.push(`exit ${code}`)) as never);
    await import('../index');
    await vi.waitFor(() => expect(created.options).not.toBeNull());
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
  });
  afterAll(() => {
    process.argv = argv;
  });

  it('takes the single-instance lock and turns the sandbox on for every renderer', () => {
    expect(app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(app.enableSandbox).toHaveBeenCalled();
    expect(app.listenerCount('web-contents-created')).toBe(1);
  });

  it('locks down the session: CSP header and permission handlers', () => {
    expect(session.defaultSession.webRequest.onHeadersReceived).toHaveBeenCalledTimes(1);
    expect(session.defaultSession.setPermissionRequestHandler).toHaveBeenCalledTimes(1);
    expect(session.defaultSession.setPermissionCheckHandler).toHaveBeenCalledTimes(1);
  });

  it('builds the app service with the Electron integrations', () => {
    const options = created.options!;
    expect(options.host).toBe('electron');
    expect(options.profileDir).toBe('/user-data/userData/profile');
    expect(options.safeStorage).toBe(safeStorage);
    expect(options.loginItem?.enabled).toBeTypeOf('function');
    for (const hook of ['launchNode', 'openExternal', 'notify', 'onUnreadTotal', 'emit'] as const) {
      expect(options[hook], hook).toBeTypeOf('function');
    }
    options.onUnreadTotal?.(9);
    expect(Tray.instances[0]?.tooltip).toBe('9 unread');
  });

  it('opens one sandboxed window with the bundled preload', () => {
    const prefs = theWindow().options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(String(prefs['preload'])).toMatch(/preload[\\/]index\.cjs$/);
    expect(theWindow().loaded.file).toMatch(/renderer[\\/]index\.html$/);
  });

  it('routes every contract call from our page to the service; refuses other senders', async () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(IPC_CALL_NAMES.map(ipcCallChannel).sort());
    const window = theWindow();
    const page = `file://${window.loaded.file}`;
    const handler = ipcMain.handlers.get(ipcCallChannel('rooms.list'))!;
    const ours = { sender: window.webContents, senderFrame: { url: page, parent: null } };
    await expect(handler(ours)).resolves.toEqual({
      ok: true,
      value: { name: 'rooms.list', args: [] },
    });
    const foreign = { ...ours, senderFrame: { url: 'https://evil.example/', parent: null } };
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(handler(foreign)).resolves.toMatchObject({
      ok: false,
      error: { name: 'PermissionDeniedError' },
    });
  });

  it('hands the launch deep link to the renderer when it asks, not as an event it may miss', () => {
    const contents = theWindow().webContents;
    const channel = ipcEventChannel('app.joinLink');
    contents.url = `file://${theWindow().loaded.file}`;
    contents.emit('did-finish-load');
    expect(contents.sent.filter(([c]) => c === channel)).toEqual([]);
    expect(created.options?.takeJoinLink?.()).toBe(LINK);
    expect(created.options?.takeJoinLink?.()).toBeNull();
  });

  it('closing the window while hosting hides it to the tray; the tray brings it back', () => {
    const window = theWindow();
    window.show();
    hosting.value = true;
    window.close();
    expect(window.destroyed).toBe(false);
    expect(window.isVisible()).toBe(false);
    expect(app.exit).not.toHaveBeenCalled();
    Tray.instances[0]?.emit('click');
    expect(window.isVisible()).toBe(true);
    expect(FakeBrowserWindow.instances).toHaveLength(1);
  });

  it('quits in order: window and tray, then the service, then exit', async () => {
    const window = theWindow();
    window.on('closed', () => order.push('window closed'));
    const event = new FakeEvent();
    app.emit('before-quit', event);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalled());
    expect(order).toEqual(['window closed', 'service closed', 'exit 0']);
    expect(Tray.instances[0]?.destroyed).toBe(true);
  });
});
