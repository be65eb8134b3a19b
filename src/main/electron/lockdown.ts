/**
 * What every web contents may do: the app is a single page, so no navigation, no redirects, no
 * new windows, no <webview>; and no web permission except notifications.
 */
import type { App, Session, WebContents } from 'electron';

/** Web permissions the renderer may have; everything else is denied. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications']);

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission);
}

export function lockDownWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Links meant for the browser go through the `app.openExternal` call, never window.open.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Locks down every web contents the app ever creates (windows, devtools, anything else). */
export function installWebContentsLockdown(app: App): void {
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));
}

export function installPermissionHandlers(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  );
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
}
