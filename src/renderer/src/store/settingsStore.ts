/** Settings (theme, notifications, start hidden at login where the host offers it). The theme is applied to <html data-theme> by useApplyTheme. */
import { create } from 'zustand';
import type { SettingsView, Theme } from '../../../shared/types/app';
import { call } from '../bridge/call';

export interface SettingsState {
  readonly settings: SettingsView;
  readonly loaded: boolean;
}

export const DEFAULT_SETTINGS: SettingsView = { theme: 'dark', notifications: true };

export const initialSettingsState: SettingsState = { settings: DEFAULT_SETTINGS, loaded: false };

export const useSettingsStore = create<SettingsState>()(() => initialSettingsState);

export async function loadSettings(): Promise<void> {
  useSettingsStore.setState({ settings: await call('settings.get'), loaded: true });
}

/** Applies the change at once; goes back if main refuses it. */
export async function updateSettings(change: {
  theme?: Theme;
  notifications?: boolean;
  startHiddenAtLogin?: boolean;
}): Promise<void> {
  const before = useSettingsStore.getState().settings;
  useSettingsStore.setState({ settings: { ...before, ...change } });
  try {
    useSettingsStore.setState({ settings: await call('settings.update', change) });
  } catch (error) {
    useSettingsStore.setState({ settings: before });
    throw error;
  }
}
