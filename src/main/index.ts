/**
 * Electron composition root: one instance, one sandboxed window, IPC registered from the shared
 * contract. Nothing else lives here — services (identity, bus peer, embedded node, tray) are
 * built in their own folders and only wired together here by later issues.
 */
import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  IPC_CALLS,
  ipcCallChannel,
  type IpcArgs,
  type IpcCallName,
  type IpcReply,
  type IpcResult,
} from '../shared/ipc';
import { PermissionDeniedError, toSerializedError } from '../shared/errors';

const PRELOAD_PATH = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const RENDERER_HTML_PATH = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
/** Set by `electron-vite dev` to the renderer dev server; unset in a built app. */
const DEV_RENDERER_URL = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
/** Where the renderer is allowed to come from; IPC from any other origin is refused. */
const TRUSTED_RENDERER_URL = DEV_RENDERER_URL ?? pathToFileURL(RENDERER_HTML_PATH).href;

let mainWindow: BrowserWindow | null = null;

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false; // main frame only
  if (mainWindow === null || event.sender !== mainWindow.webContents) return false;
  if (!URL.canParse(frame.url)) return false;
  const url = new URL(frame.url);
  const trusted = new URL(TRUSTED_RENDERER_URL);
  return url.protocol === 'file:'
    ? trusted.protocol === 'file:' && url.pathname === trusted.pathname
    : url.origin === trusted.origin;
}

type Handlers = { readonly [N in IpcCallName]: (...args: IpcArgs<N>) => Promise<IpcResult<N>> };

function registerCall<N extends IpcCallName>(name: N, handler: Handlers[N]): void {
  const { parseArgs } = IPC_CALLS[name];
  ipcMain.handle(
    ipcCallChannel(name),
    async (event, ...raw: unknown[]): Promise<IpcReply<IpcResult<N>>> => {
      try {
        if (!isTrustedSender(event)) {
          throw new PermissionDeniedError(`IPC ${name} refused: untrusted sender`);
        }
        return { ok: true, value: await handler(...parseArgs(raw)) };
      } catch (error) {
        const serialized = toSerializedError(error);
        if (serialized.name === 'InternalError') console.error(`IPC ${name} failed`, error);
        return { ok: false, error: serialized };
      }
    },
  );
}

/** One entry per contract call; the mapped type makes a missing handler a compile error. */
function registerIpc(handlers: Handlers): void {
  for (const name of Object.keys(handlers) as IpcCallName[]) {
    registerCall(name, handlers[name]);
  }
}

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    show: false,
    title: 'unibus',
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  if (DEV_RENDERER_URL !== undefined) {
    void window.loadURL(DEV_RENDERER_URL);
  } else {
    void window.loadFile(RENDERER_HTML_PATH);
  }
  return window;
}

function lockDownWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    // The app is a single page: no navigation, no new windows, no <webview>.
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  lockDownWebContents();

  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
      callback(false),
    );
    registerIpc({
      'app.getVersion': async () => app.getVersion(),
    });
    mainWindow = createMainWindow();
    app.on('activate', () => {
      if (mainWindow === null) mainWindow = createMainWindow();
    });
  });
}

main();
