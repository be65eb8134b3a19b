/**
 * Electron composition root: one instance, one sandboxed window, the app service (peer, identity,
 * embedded node) behind the IPC contract, and the desktop integrations (tray, notifications,
 * deep links, external links, login item). While this computer hosts the team's node the app
 * keeps running without its window: closing it hides it to the tray, which alone quits. The pieces live in ./electron; the app itself in ./app.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, safeStorage, session, type BrowserWindow } from 'electron';
import { createAppService } from './app';
import type { AppService } from './app/types';
import {
  createEventSink,
  createLoginItem,
  createJoinLinkRelay,
  createMainWindow,
  createNotifier,
  createOpenExternal,
  createSaveFile,
  createUnreadTray,
  createUtilityNodeLauncher,
  installCspHeader,
  installDeepLinks,
  installOrderedShutdown,
  installCloseToTray,
  installPermissionHandlers,
  installWebContentsLockdown,
  isOwnFileUrl,
  isTrustedSender,
  launchedHidden,
  registerIpc,
  resolveAppPaths,
  showWindow,
  type UnreadTray,
} from './electron';
import { createDispatcher } from './ipc';

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  installWebContentsLockdown(app);

  const paths = resolveAppPaths({
    mainDir: dirname(fileURLToPath(import.meta.url)),
    packaged: app.isPackaged,
    appPath: app.getAppPath(),
    resourcesPath: process.resourcesPath,
    env: process.env,
    platform: process.platform,
    arch: process.arch,
  });
  const profileDir = process.env['UNIBUS_PROFILE'] ?? join(app.getPath('userData'), 'profile');

  let mainWindow: BrowserWindow | null = null;
  let tray: UnreadTray | null = null;
  let service: Promise<AppService> | null = null;
  let started: AppService | null = null;
  let quitting = false;
  const getWindow = (): BrowserWindow | null => mainWindow;
  const emit = createEventSink(getWindow, paths.trustedRendererUrl);
  const joinLinks = createJoinLinkRelay((link) => emit('app.joinLink', { link }));

  const openWindow = (): BrowserWindow => {
    if (mainWindow !== null && !mainWindow.isDestroyed()) {
      showWindow(mainWindow);
      return mainWindow;
    }
    const window = createMainWindow(paths);
    // While this computer hosts the team's node, closing the window hides it to the tray.
    installCloseToTray(window, {
      keepRunning: () => started?.keepsHosting() ?? false,
      quitting: () => quitting,
    });
    window.webContents.on('did-start-loading', () => joinLinks.setReady(false));
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
      joinLinks.setReady(false);
    });
    mainWindow = window;
    return window;
  };

  // Before `ready`: macOS delivers the link that launched the app as an early `open-url`.
  installDeepLinks(app, {
    onJoinLink: (link) => {
      joinLinks.offer(link);
      if (app.isReady()) openWindow();
    },
    onSecondInstance: () => {
      if (app.isReady()) openWindow();
    },
  });

  app.on('before-quit', () => {
    quitting = true;
  });
  installOrderedShutdown(app, {
    closeUi: () => {
      mainWindow?.destroy();
      tray?.destroy();
    },
    closeService: async () => {
      if (service !== null) await (await service).close();
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    installCspHeader(session.defaultSession, (url) => isOwnFileUrl(url, paths.rendererHtml));
    installPermissionHandlers(session.defaultSession);
    tray = createUnreadTray({
      icon: paths.icon,
      onShow: () => openWindow(),
      onQuit: () => app.quit(),
    });
    service = createAppService({
      profileDir,
      host: 'electron',
      emit,
      launchNode: createUtilityNodeLauncher({
        entry: paths.nodeEntry,
        natsServer: paths.natsServer,
      }),
      safeStorage,
      openExternal: createOpenExternal({ getWindow }),
      takeJoinLink: () => joinLinks.take(),
      saveFile: createSaveFile(getWindow),
      notify: createNotifier({
        getWindow,
        icon: paths.icon,
        onClick: (roomId) => {
          openWindow();
          emit('app.openRoom', { roomId });
        },
      }),
      onUnreadTotal: (total) => tray?.setUnread(total),
      loginItem: createLoginItem(),
    });
    void service.then((s) => (started = s)).catch(() => {});
    registerIpc({
      dispatch: service.then((s) => createDispatcher(s.handlers)),
      isTrusted: (event) => isTrustedSender(event, mainWindow, paths.trustedRendererUrl),
    });
    service.catch((error: unknown) => {
      console.error('unibus: the app service did not start', error);
      dialog.showErrorBox(
        'unibus could not start',
        error instanceof Error ? error.message : String(error),
      );
      app.exit(1);
    });
    // Started at login ("Start hidden when I log in"): only the tray, until the user asks.
    if (!launchedHidden(process.argv)) openWindow();
    app.on('activate', () => openWindow());
  });
}

main();
