/**
 * @module app — everything the UI can ask of main, behind the IPC contract, for any host.
 * Hosts (Electron main, the web shell) build it with `createAppService` and route calls to
 * `service.handlers` through `createDispatcher` (../ipc).
 */
export { createAppService } from './service';
export { launchNodeChild } from './launch-node';
export { KEY_PROTECTION_ENV } from './identity-session';
export type {
  AppService,
  AppServiceOptions,
  DesktopNotification,
  NodeLauncher,
  NodeProcess,
} from './types';
