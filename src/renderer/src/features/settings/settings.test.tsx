// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useApplyTheme } from '../../app/useApplyTheme';
import { setAppState } from '../../store/appStore';
import { loadSettings } from '../../store/settingsStore';
import { appState, ME } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import type { FakeHandlers } from '../../test/fakeBridge';
import { TID } from '../../testids';
import { SettingsScreen } from './SettingsScreen';

function Themed() {
  useApplyTheme();
  return <SettingsScreen />;
}

function openSettings(handlers: FakeHandlers = {}) {
  setAppState(appState());
  return renderWith(<Themed />, handlers);
}

describe('SettingsScreen', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('shows the identity card with a copy button', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    openSettings();
    expect(screen.getByTestId(TID.identityCard).textContent).toBe(ME.card);
    await user.click(screen.getByTestId(TID.copyCard));
    expect(writeText).toHaveBeenCalledWith(ME.card);
    expect(await screen.findByText('Copied')).toBeTruthy();
  });

  it('switches the theme on <html> and saves it', async () => {
    const user = userEvent.setup();
    const { fake } = openSettings({
      'settings.update': (change) => ({ theme: 'light', notifications: true, ...change }),
    });
    expect(document.documentElement.dataset['theme']).toBe('dark');
    await user.click(screen.getByTestId(TID.themeLight));
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('light'));
    expect(fake.callsTo('settings.update')).toEqual([[{ theme: 'light' }]]);
  });

  it('toggles notifications', async () => {
    const user = userEvent.setup();
    const { fake } = openSettings({
      'settings.update': (change) => ({ theme: 'dark', notifications: true, ...change }),
    });
    await user.click(screen.getByTestId(TID.notificationsToggle));
    expect(fake.callsTo('settings.update')).toEqual([[{ notifications: false }]]);
  });

  it('offers "Start hidden when I log in" only where the app can (desktop)', async () => {
    const user = userEvent.setup();
    const { fake } = openSettings({
      'settings.get': () => ({ theme: 'dark', notifications: true, startHiddenAtLogin: false }),
      'settings.update': (change) => ({
        theme: 'dark',
        notifications: true,
        startHiddenAtLogin: false,
        ...change,
      }),
    });
    await loadSettings();
    const toggle = (await screen.findByTestId(TID.startHiddenToggle)) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    expect(toggle.closest('label')?.textContent).toMatch(/^Start hidden when I log in/);
    await user.click(toggle);
    expect(fake.callsTo('settings.update')).toEqual([[{ startHiddenAtLogin: true }]]);
    await waitFor(() => expect(toggle.checked).toBe(true));
  });

  it('shows no login option in the web shell (no such setting there)', async () => {
    openSettings({ 'settings.get': () => ({ theme: 'dark', notifications: true }) });
    await loadSettings();
    await screen.findByTestId(TID.notificationsToggle);
    expect(screen.queryByTestId(TID.startHiddenToggle)).toBeNull();
  });

  it('exports a backup as a downloaded file', async () => {
    const user = userEvent.setup();
    URL.createObjectURL = vi.fn(() => 'blob:test/backup');
    URL.revokeObjectURL = vi.fn();
    const clicks: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicks.push(this);
    });
    const { fake } = openSettings({
      'identity.exportBackup': () => ({ backup: '{"sealed":"…"}' }),
    });
    await user.type(screen.getByTestId(TID.exportPassphrase), 'backup pass');
    await user.type(screen.getByTestId(TID.exportPassphraseRepeat), 'backup pass');
    await user.click(screen.getByTestId(TID.exportSubmit));
    await waitFor(() => expect(clicks).toHaveLength(1));
    expect(clicks[0]?.download).toBe('unibus-backup-alice.json');
    expect(fake.callsTo('identity.exportBackup')).toEqual([[{ passphrase: 'backup pass' }]]);
    expect((screen.getByTestId(TID.exportPassphrase) as HTMLInputElement).value).toBe('');
  });

  it('refuses mismatched backup passphrases before calling main', async () => {
    const user = userEvent.setup();
    const { fake } = openSettings();
    await user.type(screen.getByTestId(TID.exportPassphrase), 'backup pass');
    await user.type(screen.getByTestId(TID.exportPassphraseRepeat), 'backup pasS');
    await user.click(screen.getByTestId(TID.exportSubmit));
    expect(screen.getByRole('alert').textContent).toContain('not the same');
    expect(fake.callsTo('identity.exportBackup')).toEqual([]);
  });
});
