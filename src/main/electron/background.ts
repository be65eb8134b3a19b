/**
 * Running in the background while this computer hosts the team's node: closing the window hides
 * it to the tray (the tray brings it back; the tray's Quit quits), and "Start hidden when I log
 * in" starts the app at login without a window, so the node is back before anyone looks.
 *
 * The login item: Electron's on macOS and Windows (`app.setLoginItemSettings`, with `--hidden`
 * on Windows; macOS reports a login start by itself); on Linux, where Electron has none, the XDG
 * autostart entry `~/.config/autostart/unibus.desktop` running the app with `--hidden`.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, type BrowserWindow } from 'electron';
import type { LoginItem } from '../app/types';

/** On the command line of a start at login: no window, only the tray. */
export const HIDDEN_ARG = '--hidden';

export interface CloseToTrayOptions {
  /** True while the node serves the team (closing then hides instead of quitting). */
  readonly keepRunning: () => boolean;
  /** True once the app is quitting (tray Quit, signal): the window then closes for real. */
  readonly quitting: () => boolean;
}

export function installCloseToTray(window: BrowserWindow, options: CloseToTrayOptions): void {
  window.on('close', (event) => {
    if (options.quitting() || !options.keepRunning()) return;
    event.preventDefault();
    window.hide();
  });
}

/** Started at login (hidden): show no window until the user asks for it. */
export function launchedHidden(
  argv: readonly string[],
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  // macOS starts login items without our arguments, and tells us instead.
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
}

export interface LoginItemOptions {
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  /** The program the login start runs (default: the AppImage when run from one, else Electron). */
  readonly execPath?: string;
}

export function createLoginItem(options: LoginItemOptions = {}): LoginItem {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  if (platform === 'linux') {
    return xdgAutostart(
      autostartFile(env),
      options.execPath ?? env['APPIMAGE'] ?? process.execPath,
    );
  }
  return {
    enabled: () => app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin,
    setEnabled: async (on) => {
      app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_ARG] });
    },
  };
}

export function autostartFile(env: NodeJS.ProcessEnv): string {
  const configHome = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(configHome, 'autostart', 'unibus.desktop');
}

function xdgAutostart(file: string, execPath: string): LoginItem {
  return {
    enabled: () => existsSync(file),
    setEnabled: async (on) => {
      if (!on) {
        await rm(file, { force: true });
        return;
      }
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, desktopEntry(execPath));
    },
  };
}

/**
 * The autostart entry. The Desktop Entry spec quotes an argument with `"` (escaping `"`, `` ` ``,
 * `$` and `\` inside), then escapes every `\` once more as a string value, and doubles `%`.
 */
export function desktopEntry(execPath: string): string {
  if (/\p{Cc}/u.test(execPath)) throw new Error('the program path has control characters');
  const quoted = `"${execPath.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  const value = quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=unibus',
    "Comment=Keeps your team's bus running",
    `Exec=${value} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
