import type { Theme } from '../../../../shared/types/app';
import { ErrorNotice } from '../../components/ErrorNotice';
import { updateSettings, useSettingsStore } from '../../store/settingsStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';

const THEMES: readonly { value: Theme; label: string; testId: string }[] = [
  { value: 'dark', label: 'Dark', testId: TID.themeDark },
  { value: 'light', label: 'Light', testId: TID.themeLight },
];

/** Theme, notifications, and (desktop app) starting hidden at login. */
export function AppearanceSection() {
  const settings = useSettingsStore((s) => s.settings);
  const action = useAction();
  return (
    <section className="settings-section" aria-labelledby="settings-appearance">
      <h2 id="settings-appearance">Appearance and notifications</h2>
      <fieldset className="radio-group">
        <legend>Theme</legend>
        {THEMES.map((theme) => (
          <label key={theme.value} className="checkbox">
            <input
              type="radio"
              name="theme"
              value={theme.value}
              checked={settings.theme === theme.value}
              onChange={() => void action.run(() => updateSettings({ theme: theme.value }))}
              data-testid={theme.testId}
            />
            {theme.label}
          </label>
        ))}
      </fieldset>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.notifications}
          onChange={(e) =>
            void action.run(() => updateSettings({ notifications: e.target.checked }))
          }
          data-testid={TID.notificationsToggle}
        />
        Show a notification for new messages
      </label>
      {settings.startHiddenAtLogin !== undefined && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={settings.startHiddenAtLogin}
            onChange={(e) =>
              void action.run(() => updateSettings({ startHiddenAtLogin: e.target.checked }))
            }
            data-testid={TID.startHiddenToggle}
          />
          Start hidden when I log in (unibus waits in the tray and keeps hosting your team&apos;s
          node)
        </label>
      )}
      <ErrorNotice error={action.error} />
    </section>
  );
}
