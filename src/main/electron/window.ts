/** The one application window: sandboxed, isolated, no Node, no <webview>. */
import { BrowserWindow, type WebPreferences } from 'electron';

export interface MainWindowOptions {
  readonly preload: string;
  /** Renderer dev server URL (electron-vite dev), else the built page is loaded from disk. */
  readonly devRendererUrl: string | undefined;
  readonly rendererHtml: string;
  readonly icon?: string;
}

/** The renderer shows attacker-controlled content: every one of these stays as it is. */
export function mainWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: true,
  };
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'unibus',
    ...(options.icon !== undefined ? { icon: options.icon } : {}),
    webPreferences: mainWebPreferences(options.preload),
  });
  window.once('ready-to-show', () => window.show());
  if (options.devRendererUrl !== undefined) {
    void window.loadURL(options.devRendererUrl);
  } else {
    void window.loadFile(options.rendererHtml);
  }
  return window;
}

/** Brings the window to the front (tray click, notification click, deep link, second start). */
export function showWindow(window: BrowserWindow): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.focus();
}
