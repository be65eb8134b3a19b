/** The user's settings (theme, notifications), kept in `settings.json` in the profile. */
import type { SettingsView, Theme } from '../../shared/types';
import { JsonFile } from './json-file';

export const SETTINGS_FILE = 'settings.json';
export const DEFAULT_SETTINGS: SettingsView = { theme: 'dark', notifications: true };

export function fitSettings(raw: unknown): SettingsView | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { theme, notifications } = raw as Record<string, unknown>;
  if (theme !== 'dark' && theme !== 'light') return null;
  if (typeof notifications !== 'boolean') return null;
  return { theme, notifications };
}

export function openSettings(profileDir: string): Promise<JsonFile<SettingsView>> {
  return JsonFile.open(profileDir, SETTINGS_FILE, DEFAULT_SETTINGS, fitSettings);
}

export async function updateSettings(
  file: JsonFile<SettingsView>,
  change: { theme?: Theme; notifications?: boolean },
): Promise<SettingsView> {
  const next: SettingsView = {
    theme: change.theme ?? file.current.theme,
    notifications: change.notifications ?? file.current.notifications,
  };
  await file.save(next);
  return next;
}
