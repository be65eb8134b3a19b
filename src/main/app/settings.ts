/**
 * The user's settings (theme, notifications), kept in `settings.json` in the profile. "Start
 * hidden when I log in" is not kept here: the operating system's login items are its truth, read
 * and changed through the host (Electron); hosts without them show no such setting.
 */
import type { SettingsView, Theme } from '../../shared/types';
import { ConflictError } from '../../shared/errors';
import { JsonFile } from './json-file';
import type { LoginItem } from './types';

export const SETTINGS_FILE = 'settings.json';

type StoredSettings = Pick<SettingsView, 'theme' | 'notifications'>;

export const DEFAULT_SETTINGS: StoredSettings = { theme: 'dark', notifications: true };

export function fitSettings(raw: unknown): StoredSettings | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { theme, notifications } = raw as Record<string, unknown>;
  if (theme !== 'dark' && theme !== 'light') return null;
  if (typeof notifications !== 'boolean') return null;
  return { theme, notifications };
}

export function openSettings(profileDir: string): Promise<JsonFile<StoredSettings>> {
  return JsonFile.open(profileDir, SETTINGS_FILE, DEFAULT_SETTINGS, fitSettings);
}

export function settingsView(
  stored: StoredSettings,
  loginItem: LoginItem | undefined,
): SettingsView {
  return loginItem === undefined ? stored : { ...stored, startHiddenAtLogin: loginItem.enabled() };
}

export async function updateSettings(
  file: JsonFile<StoredSettings>,
  change: { theme?: Theme; notifications?: boolean; startHiddenAtLogin?: boolean },
  loginItem?: LoginItem,
): Promise<SettingsView> {
  if (change.startHiddenAtLogin !== undefined) {
    if (loginItem === undefined)
      throw new ConflictError('Starting at login is not available here.');
    await loginItem.setEnabled(change.startHiddenAtLogin);
  }
  const next: StoredSettings = {
    theme: change.theme ?? file.current.theme,
    notifications: change.notifications ?? file.current.notifications,
  };
  await file.save(next);
  return settingsView(next, loginItem);
}
