/**
 * Desktop notifications for new messages, only while the window is not focused (the user is
 * looking elsewhere). Clicking one brings the window back with that room.
 */
import { Notification, type BrowserWindow } from 'electron';
import type { DesktopNotification } from '../app/types';

/** Title and body are message content: plain text only, kept short. */
const TITLE_MAX = 120;
const BODY_MAX = 240;

export interface NotifierOptions {
  readonly getWindow: () => BrowserWindow | null;
  /** A notification was clicked: show the window on that room. */
  readonly onClick: (roomId: string) => void;
  readonly icon?: string;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `AppServiceOptions.notify`. */
export function createNotifier(options: NotifierOptions): (n: DesktopNotification) => void {
  // Notifications are kept referenced until closed or clicked: a collected one loses its handlers.
  const live = new Set<Notification>();
  return (message) => {
    const window = options.getWindow();
    if (window !== null && !window.isDestroyed() && window.isFocused()) return;
    if (!Notification.isSupported()) return;
    const notification = new Notification({
      title: clip(message.title, TITLE_MAX),
      body: clip(message.body, BODY_MAX),
      ...(options.icon !== undefined ? { icon: options.icon } : {}),
    });
    live.add(notification);
    notification.on('click', () => {
      live.delete(notification);
      options.onClick(message.roomId);
    });
    notification.on('close', () => live.delete(notification));
    notification.show();
  };
}
