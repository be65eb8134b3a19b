/**
 * A small stand-in for the parts of `electron` the shell uses (the Electron binary cannot be
 * downloaded on our build machines, so it never starts in tests). Use it as
 * `vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron())`
 * and reach the same objects through the named exports below.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { vi } from 'vitest';

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeWebContents extends EventEmitter {
  url = '';
  destroyed = false;
  readonly sent: Array<[string, unknown]> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: { file?: string; url?: string } = {};
  focused = false;
  minimized = false;
  visible = false;
  destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  loadFile(file: string): Promise<void> {
    this.loaded = { file };
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    this.loaded = { url };
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  restore(): void {
    this.minimized = false;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  /** Like the window's close button: 'close' (preventable), then destroyed. */
  close(): void {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  focus(): void {
    this.focused = true;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle: vi.fn((channel: string, handler: Handler) => {
    if (ipcMain.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    ipcMain.handlers.set(channel, handler);
  }),
  removeHandler: vi.fn((channel: string) => {
    ipcMain.handlers.delete(channel);
  }),
};

class FakeApp extends EventEmitter {
  isPackaged = false;
  ready = false;
  exit = vi.fn();
  quit = vi.fn(() => {
    const event = new FakeEvent();
    this.emit('before-quit', event);
  });
  setBadgeCount = vi.fn(() => true);
  setAsDefaultProtocolClient = vi.fn((_scheme: string, ..._rest: unknown[]) => true);
  requestSingleInstanceLock = vi.fn(() => true);
  enableSandbox = vi.fn();
  getVersion = vi.fn(() => '0.1.0');
  getAppPath = vi.fn(() => '/project');
  getPath = vi.fn((name: string) => `/user-data/${name}`);
  loginItem = { openAtLogin: false, wasOpenedAtLogin: false, args: [] as string[] };
  setLoginItemSettings = vi.fn((settings: { openAtLogin?: boolean; args?: string[] }) => {
    this.loginItem.openAtLogin = settings.openAtLogin === true;
    this.loginItem.args = settings.args ?? [];
  });
  getLoginItemSettings = vi.fn((options: { args?: string[] } = {}) => ({
    openAtLogin:
      this.loginItem.openAtLogin &&
      JSON.stringify(options.args ?? []) === JSON.stringify(this.loginItem.args),
    wasOpenedAtLogin: this.loginItem.wasOpenedAtLogin,
  }));
  isReady(): boolean {
    return this.ready;
  }
  whenReady(): Promise<void> {
    this.ready = true;
    return Promise.resolve();
  }
}
export const app = new FakeApp();

export const dialog = {
  showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 1, checkboxChecked: false })),
  showErrorBox: vi.fn(),
  showSaveDialog: vi.fn(
    async (..._args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> => ({
      canceled: true,
    }),
  ),
};

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) };

export class Notification extends EventEmitter {
  static readonly instances: Notification[] = [];
  static isSupported = vi.fn(() => true);
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    Notification.instances.push(this);
  }
  show(): void {
    this.shown = true;
  }
}

export class Tray extends EventEmitter {
  static readonly instances: Tray[] = [];
  tooltip = '';
  title = '';
  menu: unknown = null;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    Tray.instances.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setTitle(text: string): void {
    this.title = text;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export const Menu = { buildFromTemplate: (template: unknown[]) => template };

export const nativeImage = {
  createFromPath: (path: string) => ({
    path,
    isEmpty: () => false,
    resize: (size: { width: number; height: number }) => ({ path, size }),
  }),
};

export class FakeUtilityProcess extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  kill = vi.fn(() => true);
  postMessage = vi.fn();
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
  }
}

export const utilityProcess = {
  fork: vi.fn(
    (modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) =>
      new FakeUtilityProcess(modulePath, args, options),
  ),
};

export function fakeSession() {
  return {
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
  };
}

export const session = { defaultSession: fakeSession() };

export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (text: string) => Buffer.from(text),
  decryptString: (data: Buffer) => data.toString(),
};

/** The module object for `vi.mock('electron', ...)`. */
export function fakeElectron() {
  return {
    app,
    BrowserWindow: FakeBrowserWindow,
    dialog,
    ipcMain,
    Menu,
    nativeImage,
    Notification,
    safeStorage,
    session,
    shell,
    Tray,
    utilityProcess,
  };
}
