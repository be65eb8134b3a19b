/** The e2e harness: Chromium (sandboxed, never as root), web shells as peers, artifacts. */
export {
  CHROMIUM,
  E2E_USER,
  chromiumProcesses,
  isRoot,
  launchBrowser,
  type LaunchOptions,
} from './browser';
export { openShellPage, screenshot, type ShellPage } from './page';
export { ARTIFACTS_DIR, PROJECT_ROOT, RESULTS_DIR, SCREENSHOTS_DIR } from './paths';
export { freePort } from './ports';
export { cleanupAll, makeTempDir } from './processes';
export { useE2E, type E2E } from './session';
export {
  startWebShell,
  stopAllShells,
  webShellCommand,
  type WebShell,
  type WebShellOptions,
} from './web-shell';
