import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isOwnFileUrl, resolveAppPaths, type AppPathsInput } from './paths';

const temp = mkdtempSync(join(tmpdir(), 'unibus-paths-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function withBinary(dir: string, folder: string, exe: string): void {
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, exe), '');
}

const BASE: AppPathsInput = {
  mainDir: '/opt/unibus/resources/app.asar/out/main',
  packaged: true,
  appPath: '/opt/unibus/resources/app.asar',
  resourcesPath: join(temp, 'resources'),
  env: {},
  platform: 'linux',
  arch: 'x64',
};

describe('app paths', () => {
  it('packaged: preload, page and CLI entry beside the main bundle; nats-server in resources', () => {
    withBinary(join(temp, 'resources', 'nats-server'), 'linux-x64', 'nats-server');
    const paths = resolveAppPaths(BASE);
    expect(paths).toEqual({
      preload: '/opt/unibus/resources/app.asar/out/preload/index.cjs',
      rendererHtml: '/opt/unibus/resources/app.asar/out/renderer/index.html',
      devRendererUrl: undefined,
      trustedRendererUrl: pathToFileURL('/opt/unibus/resources/app.asar/out/renderer/index.html')
        .href,
      nodeEntry: '/opt/unibus/resources/app.asar/out/main/cli.js',
      natsServer: join(temp, 'resources', 'nats-server', 'linux-x64', 'nats-server'),
      icon: join(temp, 'resources', 'icon.png'),
    });
  });

  it('Windows: nats-server.exe in win32-<arch>', () => {
    withBinary(join(temp, 'resources', 'nats-server'), 'win32-arm64', 'nats-server.exe');
    const paths = resolveAppPaths({ ...BASE, platform: 'win32', arch: 'arm64' });
    expect(paths.natsServer).toBe(
      join(temp, 'resources', 'nats-server', 'win32-arm64', 'nats-server.exe'),
    );
  });

  it('no bundled binary: null (the node then finds one itself: $UNIBUS_NATS_SERVER, PATH)', () => {
    expect(resolveAppPaths({ ...BASE, platform: 'darwin', arch: 'x64' }).natsServer).toBeNull();
  });

  it('development: the dev server is trusted only when not packaged; binaries from resources/', () => {
    const project = join(temp, 'project');
    withBinary(join(project, 'resources', 'nats-server'), 'linux-x64', 'nats-server');
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' };
    const dev = resolveAppPaths({ ...BASE, packaged: false, appPath: project, env });
    expect(dev.devRendererUrl).toBe('http://localhost:5173/');
    expect(dev.trustedRendererUrl).toBe('http://localhost:5173/');
    expect(dev.natsServer).toBe(
      join(project, 'resources', 'nats-server', 'linux-x64', 'nats-server'),
    );
    expect(dev.icon).toBe(join(project, 'build', 'icon.png'));
    // A packaged app ignores the variable: nobody can point it at another page.
    expect(resolveAppPaths({ ...BASE, env }).devRendererUrl).toBeUndefined();
  });

  it('own file URLs: inside the renderer folder only', () => {
    const html = '/app/out/renderer/index.html';
    expect(isOwnFileUrl('file:///app/out/renderer/index.html', html)).toBe(true);
    expect(isOwnFileUrl('file:///app/out/renderer/assets/x.css?v=1', html)).toBe(true);
    expect(isOwnFileUrl('file:///app/out/renderer/../main/index.js', html)).toBe(false);
    expect(isOwnFileUrl('file:///app/out/renderer2/index.html', html)).toBe(false);
    expect(isOwnFileUrl('https://app/out/renderer/index.html', html)).toBe(false);
    expect(isOwnFileUrl('nonsense', html)).toBe(false);
  });
});
