/** Tray icon with the unread count (tooltip, macOS title) and the dock/launcher badge. */
import { app, Menu, nativeImage, Tray } from 'electron';

export interface UnreadTray {
  /** `AppServiceOptions.onUnreadTotal`. */
  setUnread(total: number): void;
  destroy(): void;
}

export interface TrayOptions {
  readonly icon: string;
  readonly onShow: () => void;
  readonly onQuit: () => void;
  readonly platform?: NodeJS.Platform;
}

/** Tooltip and title text: "N unread", or the app name when nothing is unread. */
export function unreadLabel(total: number): string {
  return total > 0 ? `${total} unread` : 'unibus';
}

/** `app.setBadgeCount` works on macOS and on Linux launchers that support it (Unity). */
export function supportsBadgeCount(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'linux';
}

export function createUnreadTray(options: TrayOptions): UnreadTray {
  const platform = options.platform ?? process.platform;
  const image = nativeImage.createFromPath(options.icon);
  const size = platform === 'darwin' ? 18 : 22;
  const tray = new Tray(image.isEmpty() ? image : image.resize({ width: size, height: size }));
  tray.setToolTip(unreadLabel(0));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show unibus', click: options.onShow },
      { type: 'separator' },
      { label: 'Quit unibus', click: options.onQuit },
    ]),
  );
  tray.on('click', options.onShow);
  let last = 0;
  return {
    setUnread(total) {
      const count = Number.isSafeInteger(total) && total > 0 ? total : 0;
      if (count === last || tray.isDestroyed()) return;
      last = count;
      tray.setToolTip(unreadLabel(count));
      if (platform === 'darwin') tray.setTitle(count > 0 ? unreadLabel(count) : '');
      if (supportsBadgeCount(platform)) app.setBadgeCount(count);
    },
    destroy() {
      if (!tray.isDestroyed()) tray.destroy();
      if (supportsBadgeCount(platform)) app.setBadgeCount(0);
    },
  };
}
