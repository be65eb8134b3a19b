/**
 * Where the built app's pieces are, relative to the main bundle (out/main/index.js) or, packaged,
 * to `process.resourcesPath`. Computed once by the composition root.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface AppPaths {
  /** The sandboxed preload: one CommonJS file. */
  readonly preload: string;
  readonly rendererHtml: string;
  /** Set by `electron-vite dev` to the renderer dev server; undefined in a built app. */
  readonly devRendererUrl: string | undefined;
  /** Where the renderer is allowed to come from; IPC from anywhere else is refused. */
  readonly trustedRendererUrl: string;
  /** Entry of the embedded node's utility process (the CLI, built by electron-vite). */
  readonly nodeEntry: string;
  /** The bundled nats-server for this platform, when there is one. */
  readonly natsServer: string | null;
  /** Tray and notification icon. */
  readonly icon: string;
}

export interface AppPathsInput {
  /** Folder of the main bundle (out/main). */
  readonly mainDir: string;
  /** `app.isPackaged`. */
  readonly packaged: boolean;
  /** `app.getAppPath()`: the project root in development, app.asar when packaged. */
  readonly appPath: string;
  /** `process.resourcesPath` (packaged only). */
  readonly resourcesPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
}

/** Folder name of a platform's bundled nats-server (scripts/build-nats-server.mjs writes it). */
export function natsServerFolder(platform: NodeJS.Platform, arch: string): string {
  return `${platform}-${arch}`;
}

export function resolveAppPaths(input: AppPathsInput): AppPaths {
  const rendererHtml = join(input.mainDir, '..', 'renderer', 'index.html');
  const devRendererUrl = input.packaged ? undefined : input.env['ELECTRON_RENDERER_URL'];
  const exe = input.platform === 'win32' ? 'nats-server.exe' : 'nats-server';
  const folder = natsServerFolder(input.platform, input.arch);
  const natsServer = input.packaged
    ? join(input.resourcesPath, 'nats-server', folder, exe)
    : join(input.appPath, 'resources', 'nats-server', folder, exe);
  return {
    preload: join(input.mainDir, '..', 'preload', 'index.cjs'),
    rendererHtml,
    devRendererUrl,
    trustedRendererUrl: devRendererUrl ?? pathToFileURL(rendererHtml).href,
    nodeEntry: join(input.mainDir, 'cli.js'),
    natsServer: existsSync(natsServer) ? natsServer : null,
    icon: input.packaged
      ? join(input.resourcesPath, 'icon.png')
      : join(input.appPath, 'build', 'icon.png'),
  };
}

/** True for a file: URL inside the renderer's folder (the app's own pages and assets). */
export function isOwnFileUrl(url: string, rendererHtml: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.protocol !== 'file:' || parsed.host !== '') return false;
  let path: string;
  try {
    path = fileURLToPath(parsed);
  } catch {
    return false;
  }
  return path.startsWith(dirname(rendererHtml) + sep);
}
