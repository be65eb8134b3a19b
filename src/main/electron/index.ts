/** @module electron — the desktop shell's pieces, wired together by src/main/index.ts. */
export { createLoginItem, installCloseToTray, launchedHidden } from './background';
export { CONTENT_SECURITY_POLICY, installCspHeader } from './csp';
export {
  createJoinLinkRelay,
  installDeepLinks,
  parseJoinLink,
  type JoinLinkRelay,
} from './deep-links';
export { createOpenExternal, safeExternalUrl } from './external-links';
export { createEventSink, isTrustedSender, registerIpc } from './ipc';
export { installPermissionHandlers, installWebContentsLockdown } from './lockdown';
export { createUtilityNodeLauncher } from './node-launcher';
export { createNotifier } from './notifications';
export { isOwnFileUrl, resolveAppPaths, type AppPaths } from './paths';
export { installOrderedShutdown } from './shutdown';
export { createUnreadTray, type UnreadTray } from './tray';
export { createMainWindow, showWindow } from './window';
export { createSaveFile, safeFileName } from './save-file';
