import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  autostartFile,
  createLoginItem,
  desktopEntry,
  HIDDEN_ARG,
  installCloseToTray,
  launchedHidden,
} from './background';
import { app, FakeBrowserWindow } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

describe('closing the window', () => {
  function windowWith(state: { hosting: boolean; quitting: boolean }): FakeBrowserWindow {
    const window = new FakeBrowserWindow({});
    window.show();
    installCloseToTray(window as never, {
      keepRunning: () => state.hosting,
      quitting: () => state.quitting,
    });
    return window;
  }

  it('while hosting: hides the window to the tray, and the app keeps running', () => {
    const window = windowWith({ hosting: true, quitting: false });
    window.close();
    expect(window.destroyed).toBe(false);
    expect(window.isVisible()).toBe(false);
  });

  it('when hosting is off: closes it (the app then quits as usual)', () => {
    const window = windowWith({ hosting: false, quitting: false });
    window.close();
    expect(window.destroyed).toBe(true);
  });

  it('while quitting (tray Quit) it closes even when hosting', () => {
    const window = windowWith({ hosting: true, quitting: true });
    window.close();
    expect(window.destroyed).toBe(true);
  });

  it('asks at every close: hosting that stopped meanwhile lets the window close', () => {
    const state = { hosting: true, quitting: false };
    const window = windowWith(state);
    window.close();
    expect(window.destroyed).toBe(false);
    state.hosting = false;
    window.close();
    expect(window.destroyed).toBe(true);
  });
});

describe('started hidden', () => {
  beforeEach(() => {
    app.loginItem.wasOpenedAtLogin = false;
  });

  it('by the --hidden argument (Linux, Windows)', () => {
    expect(launchedHidden(['/opt/unibus/unibus', HIDDEN_ARG], 'linux')).toBe(true);
    expect(launchedHidden(['unibus.exe', HIDDEN_ARG], 'win32')).toBe(true);
    expect(launchedHidden(['/opt/unibus/unibus'], 'linux')).toBe(false);
  });

  it('by a login start on macOS, which passes no arguments', () => {
    expect(launchedHidden(['/Applications/unibus.app'], 'darwin')).toBe(false);
    app.loginItem.wasOpenedAtLogin = true;
    expect(launchedHidden(['/Applications/unibus.app'], 'darwin')).toBe(true);
    expect(launchedHidden(['/opt/unibus/unibus'], 'linux')).toBe(false);
  });
});

describe('"Start hidden when I log in"', () => {
  const config = mkdtempSync(join(tmpdir(), 'unibus-autostart-'));
  afterAll(() => rmSync(config, { recursive: true, force: true }));

  it('Linux: an XDG autostart entry that runs the app with --hidden', async () => {
    const env = { XDG_CONFIG_HOME: config, APPIMAGE: '/home/ann/Apps/unibus.AppImage' };
    const item = createLoginItem({ platform: 'linux', env });
    const file = join(config, 'autostart', 'unibus.desktop');
    expect(autostartFile(env)).toBe(file);
    expect(item.enabled()).toBe(false);
    await item.setEnabled(true);
    expect(item.enabled()).toBe(true);
    const entry = readFileSync(file, 'utf8');
    expect(entry).toMatch(/^\[Desktop Entry\]\n/);
    expect(entry).toContain('\nExec="/home/ann/Apps/unibus.AppImage" --hidden\n');
    expect(entry).toContain('\nType=Application\n');
    await item.setEnabled(false);
    expect(existsSync(file)).toBe(false);
    expect(item.enabled()).toBe(false);
    await item.setEnabled(false); // already off: fine
  });

  it('Linux: without XDG_CONFIG_HOME the entry goes to ~/.config/autostart', () => {
    expect(autostartFile({ HOME: '/home/ann' })).toBe('/home/ann/.config/autostart/unibus.desktop');
  });

  it('the program path is quoted and escaped as the Desktop Entry spec asks', () => {
    const exec = (path: string) =>
      desktopEntry(path)
        .split('\n')
        .find((line) => line.startsWith('Exec='));
    expect(exec('/opt/my apps/unibus')).toBe('Exec="/opt/my apps/unibus" --hidden');
    expect(exec('/opt/a"b$c`d/unibus')).toBe('Exec="/opt/a\\\\"b\\\\$c\\\\`d/unibus" --hidden');
    expect(exec('/opt/a\\b/unibus')).toBe('Exec="/opt/a\\\\\\\\b/unibus" --hidden');
    expect(exec('/opt/100%/unibus')).toBe('Exec="/opt/100%%/unibus" --hidden');
    expect(() => desktopEntry('/opt/a\nExec=evil')).toThrow(/control characters/);
  });

  it('macOS and Windows: the login item of Electron, with --hidden', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      app.setLoginItemSettings.mockClear();
      const item = createLoginItem({ platform });
      await item.setEnabled(true);
      expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({
        openAtLogin: true,
        args: [HIDDEN_ARG],
      });
      expect(item.enabled()).toBe(true);
      await item.setEnabled(false);
      expect(item.enabled()).toBe(false);
    }
  });
});
