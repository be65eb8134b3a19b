// electron-builder `afterPack` hook: checks that the platform's nats-server was packed, then flips
// the Electron fuses of the packaged binary (electron-builder signs after this hook). Fuses are
// switches compiled into the Electron binary that turn off ways to run code as the app.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import electronBuilder from 'electron-builder';

/** The release fuse settings (docs/DESKTOP.md explains each). */
export const FUSES = Object.freeze({
  // `ELECTRON_RUN_AS_NODE=1 unibus evil.js` must not turn the app into a plain Node runtime.
  [FuseV1Options.RunAsNode]: false,
  // NODE_OPTIONS (e.g. --require) must not inject code into the main process.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect and friends must not open a debugger on the main process.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Only the packaged app.asar is loaded, never a loose app/ folder placed next to it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // app.asar is checked against the hash embedded at packaging time (macOS, Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // Cookies on disk are encrypted with the OS keychain key.
  [FuseV1Options.EnableCookieEncryption]: true,
});

/** The packed nats-server of this build (electron-builder.yml `extraResources`). */
function natsServerPath(context) {
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  const arch = electronBuilder.Arch[context.arch];
  const exe = platform === 'win32' ? 'nats-server.exe' : 'nats-server';
  const resources = context.packager.getResourcesDir(context.appOutDir);
  return join(resources, 'nats-server', `${platform}-${arch}`, exe);
}

/** @param {import('electron-builder').AfterPackContext} context */
export default async function afterPack(context) {
  const natsServer = natsServerPath(context);
  if (!existsSync(natsServer)) {
    throw new Error(
      `${natsServer} is missing: run node scripts/build-nats-server.mjs before packaging`,
    );
  }
  const mac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await context.packager.addElectronFuses(context, {
    version: FuseVersion.V1,
    // Flipping fuses breaks the ad-hoc signature of an unsigned macOS (arm64) build: reset it.
    resetAdHocDarwinSignature: mac,
    ...FUSES,
  });
}
