import { useEffect } from 'react';
import { useSettingsStore } from '../store/settingsStore';

/** Puts the chosen theme on <html data-theme>, where the CSS variables pick it up. */
export function useApplyTheme(): void {
  const theme = useSettingsStore((s) => s.settings.theme);
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);
}
