/**
 * The electron-builder configuration as electron-builder itself loads and validates it, the
 * release fuses of the afterPack hook (applied to a stand-in binary), and the icon.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';
import { natsServerFolder } from './paths';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
/** Fuse states as bytes in the wire ('0' / '1'). */
const FuseState = { DISABLE: 0x30, ENABLE: 0x31 } as const;

interface PlatformSection {
  target: string[];
  extraResources: Array<{ from: string; to: string; filter: string[] }>;
}

interface Config {
  appId: string;
  productName: string;
  asar: boolean;
  afterPack: string;
  protocols: Array<{ name: string; schemes: string[] }>;
  extraResources: Array<{ from: string; to: string; filter?: string[] }>;
  files: Array<{ filter: string[] }>;
  linux: PlatformSection;
  mac: PlatformSection;
  win: PlatformSection;
  electronFuses?: unknown;
}

async function loadBuilderConfig(): Promise<Config> {
  // electron-builder's own loader and schema check: what `electron-builder` will actually see.
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const config = await getConfig(root);
  await validateConfiguration(config, { isEnabled: false, add: () => undefined });
  return config;
}

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('electron-builder configuration', () => {
  it('is valid for electron-builder and names the app', async () => {
    const config = await loadBuilderConfig();
    expect(config.appId).toBe('dev.unibus.desktop');
    expect(config.productName).toBe('unibus');
    expect(config.asar).toBe(true);
  });

  it('builds AppImage + deb, dmg, nsis', async () => {
    const config = await loadBuilderConfig();
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('registers the unibus:// scheme', async () => {
    const config = await loadBuilderConfig();
    expect(config.protocols).toEqual([{ name: 'unibus', schemes: ['unibus'] }]);
  });

  it.each([
    ['linux', 'linux', 'nats-server'],
    ['mac', 'darwin', 'nats-server'],
    ['win', 'win32', 'nats-server.exe'],
  ] as const)(
    '%s: ships the target’s nats-server beside app.asar, where main looks for it',
    async (section, platform, exe) => {
      const config = await loadBuilderConfig();
      // `${arch}` is the target arch in electron-builder's names, which are Node's.
      const folder = natsServerFolder(platform, '${arch}');
      expect(config[section].extraResources).toEqual([
        { from: `resources/nats-server/${folder}`, to: `nats-server/${folder}`, filter: [exe] },
      ]);
      expect(natsServerFolder(platform, 'x64')).toBe(folder.replace('${arch}', 'x64'));
    },
  );

  it('ships the icon for the tray beside app.asar', async () => {
    const config = await loadBuilderConfig();
    expect(config.extraResources).toEqual([{ from: 'build/icon.png', to: 'icon.png' }]);
  });

  it('packs only the build output into app.asar', async () => {
    const config = await loadBuilderConfig();
    expect(config.files).toEqual([{ filter: ['out/**', 'package.json', '!**/*.map'] }]);
  });

  it('flips the fuses in one place: the afterPack hook', async () => {
    const config = await loadBuilderConfig();
    expect(config.afterPack).toBe('./build/after-pack.mjs');
    expect(config.electronFuses).toBeUndefined();
  });
});

describe('release fuses (build/after-pack.mjs)', () => {
  async function hook() {
    return (await import(pathToFileURL(join(root, 'build', 'after-pack.mjs')).href)) as {
      FUSES: Record<number, boolean>;
      default: (context: unknown) => Promise<void>;
    };
  }

  it('has the release settings', async () => {
    const { FUSES } = await hook();
    expect(FUSES).toEqual({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
    });
  });

  /** A stand-in for a packed Linux app: an "Electron binary" holding a fuse wire, resources. */
  function fakePackedApp(withNatsServer: boolean) {
    const appOutDir = mkdtempSync(join(tmpdir(), 'unibus-pack-'));
    temp.push(appOutDir);
    const resources = join(appOutDir, 'resources');
    if (withNatsServer) {
      mkdirSync(join(resources, 'nats-server', 'linux-x64'), { recursive: true });
      writeFileSync(join(resources, 'nats-server', 'linux-x64', 'nats-server'), '');
    }
    const binary = join(appOutDir, 'unibus');
    // Electron's defaults for the 8 fuses of wire version 1.
    const wire = Buffer.from('10110001', 'ascii');
    writeFileSync(
      binary,
      Buffer.concat([
        Buffer.from('ELF…'),
        Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
        Buffer.from([1, wire.length]),
        wire,
        Buffer.from('…rest'),
      ]),
    );
    const context = {
      appOutDir,
      electronPlatformName: 'linux',
      arch: 1, // Arch.x64
      packager: {
        getResourcesDir: (dir: string) => join(dir, 'resources'),
        // What electron-builder's addElectronFuses does, minus locating the binary.
        addElectronFuses: async (_context: unknown, fuses: Parameters<typeof flip>[1]) =>
          flip(binary, fuses),
      },
    };
    return { binary, context };
  }

  async function flip(binary: string, fuses: import('@electron/fuses').FuseConfig) {
    const { flipFuses } = await import('@electron/fuses');
    return flipFuses(binary, fuses);
  }

  it('are written into the packed binary', async () => {
    const { default: afterPack } = await hook();
    const { binary, context } = fakePackedApp(true);
    await afterPack(context);
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    // Fuses we do not set keep Electron's default.
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.ENABLE);
  });

  it('refuse to package an app without its nats-server', async () => {
    const { default: afterPack } = await hook();
    const { context } = fakePackedApp(false);
    await expect(afterPack(context)).rejects.toThrow(/nats-server.*build-nats-server/);
  });
});

describe('icon', () => {
  it('build/icon.png is build/icon.svg as scripts/generate-icon.mjs draws it (512×512 RGBA)', async () => {
    const { parseIconSvg, rasterize, ICON_SIZE } = (await import(
      pathToFileURL(join(root, 'scripts', 'generate-icon.mjs')).href
    )) as {
      parseIconSvg: (svg: string) => unknown;
      rasterize: (icon: unknown) => Uint8Array;
      ICON_SIZE: number;
    };
    const png = readFileSync(join(root, 'build', 'icon.png'));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    const ihdr = png.subarray(16, 29);
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([
      ICON_SIZE,
      ICON_SIZE,
      8,
      6,
    ]);
    // Decode the (unfiltered) image data and compare it with a fresh rendering of the SVG.
    const idat: Buffer[] = [];
    for (let at = 8; at < png.length;) {
      const length = png.readUInt32BE(at);
      if (png.subarray(at + 4, at + 8).toString('ascii') === 'IDAT') {
        idat.push(png.subarray(at + 8, at + 8 + length));
      }
      at += length + 12;
    }
    const rows = inflateSync(Buffer.concat(idat));
    const stride = ICON_SIZE * 4 + 1;
    const pixels = Buffer.alloc(ICON_SIZE * ICON_SIZE * 4);
    for (let y = 0; y < ICON_SIZE; y++) {
      expect(rows[y * stride]).toBe(0);
      rows.copy(pixels, y * ICON_SIZE * 4, y * stride + 1, (y + 1) * stride);
    }
    const svg = readFileSync(join(root, 'build', 'icon.svg'), 'utf8');
    expect(pixels.equals(Buffer.from(rasterize(parseIconSvg(svg))))).toBe(true);
  });
});

describe('bundled nats-server', () => {
  it('one pinned version, read by .ci/run too', () => {
    const version = readFileSync(join(root, 'resources', 'nats-server', 'VERSION'), 'utf8').trim();
    expect(version).toMatch(/^v\d+\.\d+\.\d+$/);
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(ci).toContain('resources/nats-server/VERSION');
    expect(ci).not.toContain(`="${version}"`);
  });

  it('built binaries are git-ignored, VERSION is not', () => {
    const ignored = (path: string) =>
      spawnSync('git', ['check-ignore', '-q', path], { cwd: root }).status === 0;
    expect(ignored('resources/nats-server/linux-x64/nats-server')).toBe(true);
    expect(ignored('resources/nats-server/win32-x64/nats-server.exe')).toBe(true);
    expect(ignored('resources/nats-server/VERSION')).toBe(false);
  });
});
