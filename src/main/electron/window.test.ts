import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from './test/fake-electron';
import { createMainWindow, mainWebPreferences, showWindow } from './window';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const WINDOW = {
  preload: '/app/out/preload/index.cjs',
  rendererHtml: '/app/out/renderer/index.html',
  devRendererUrl: undefined,
};

function lastWindow(): FakeBrowserWindow {
  const window = FakeBrowserWindow.instances.at(-1);
  if (window === undefined) throw new Error('no window was created');
  return window;
}

describe('main window', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances.length = 0;
  });

  it('is created sandboxed, context-isolated, without Node and without <webview>', () => {
    createMainWindow(WINDOW);
    const prefs = lastWindow().options['webPreferences'];
    expect(prefs).toMatchObject({
      preload: WINDOW.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(prefs).toEqual(mainWebPreferences(WINDOW.preload));
  });

  it('loads the built page from disk, or the dev server when electron-vite dev runs', () => {
    createMainWindow(WINDOW);
    expect(lastWindow().loaded).toEqual({ file: WINDOW.rendererHtml });
    createMainWindow({ ...WINDOW, devRendererUrl: 'http://localhost:5173/' });
    expect(lastWindow().loaded).toEqual({ url: 'http://localhost:5173/' });
  });

  it('stays hidden until the page is ready, then shows', () => {
    const window = createMainWindow(WINDOW) as unknown as FakeBrowserWindow;
    expect(window.options['show']).toBe(false);
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('showWindow restores, shows and focuses; a destroyed window is left alone', () => {
    const window = createMainWindow(WINDOW) as unknown as FakeBrowserWindow;
    window.minimized = true;
    showWindow(window as never);
    expect(window).toMatchObject({ minimized: false, visible: true, focused: true });
    const gone = createMainWindow(WINDOW) as unknown as FakeBrowserWindow;
    gone.destroy();
    expect(() => showWindow(gone as never)).not.toThrow();
    expect(gone.focused).toBe(false);
  });
});
