import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createNotifier } from './notifications';
import { app, FakeBrowserWindow, Notification, Tray } from './test/fake-electron';
import { createUnreadTray, unreadLabel } from './tray';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

function lastTray(): Tray {
  const tray = Tray.instances.at(-1);
  if (tray === undefined) throw new Error('no tray');
  return tray;
}

describe('unread tray', () => {
  beforeEach(() => app.setBadgeCount.mockClear());

  it('labels', () => {
    expect(unreadLabel(0)).toBe('unibus');
    expect(unreadLabel(3)).toBe('3 unread');
  });

  it('Linux: tooltip "N unread" and the launcher badge', () => {
    const tray = createUnreadTray({
      icon: '/i.png',
      onShow: vi.fn(),
      onQuit: vi.fn(),
      platform: 'linux',
    });
    expect(lastTray().tooltip).toBe('unibus');
    tray.setUnread(5);
    expect(lastTray().tooltip).toBe('5 unread');
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(5);
    tray.setUnread(0);
    expect(lastTray().tooltip).toBe('unibus');
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(0);
  });

  it('macOS: the menu-bar title too', () => {
    const tray = createUnreadTray({
      icon: '/i.png',
      onShow: vi.fn(),
      onQuit: vi.fn(),
      platform: 'darwin',
    });
    tray.setUnread(2);
    expect(lastTray().title).toBe('2 unread');
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(2);
    tray.setUnread(0);
    expect(lastTray().title).toBe('');
  });

  it('Windows: no badge API, tooltip only; nonsense totals count as zero', () => {
    const tray = createUnreadTray({
      icon: '/i.png',
      onShow: vi.fn(),
      onQuit: vi.fn(),
      platform: 'win32',
    });
    tray.setUnread(7);
    expect(lastTray().tooltip).toBe('7 unread');
    tray.setUnread(Number.NaN);
    expect(lastTray().tooltip).toBe('unibus');
    tray.setUnread(-1);
    expect(lastTray().tooltip).toBe('unibus');
    expect(app.setBadgeCount).not.toHaveBeenCalled();
  });

  it('click and menu show the window; Quit quits; destroy clears the badge', () => {
    const onShow = vi.fn();
    const onQuit = vi.fn();
    const tray = createUnreadTray({ icon: '/i.png', onShow, onQuit, platform: 'linux' });
    lastTray().emit('click');
    const menu = lastTray().menu as Array<{ label?: string; click?: () => void }>;
    menu.find((item) => item.label === 'Quit unibus')?.click?.();
    menu.find((item) => item.label === 'Show unibus')?.click?.();
    expect(onShow).toHaveBeenCalledTimes(2);
    expect(onQuit).toHaveBeenCalledTimes(1);
    tray.setUnread(4);
    tray.destroy();
    expect(lastTray().destroyed).toBe(true);
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(0);
  });
});

describe('new-message notifications', () => {
  const window = new FakeBrowserWindow({});
  const onClick = vi.fn();
  const notify = createNotifier({ getWindow: () => window as never, onClick });
  const message = { title: 'alice in #general', body: 'hello', roomId: 'room-1' };

  beforeEach(() => {
    Notification.instances.length = 0;
    Notification.isSupported.mockReturnValue(true);
    onClick.mockClear();
  });

  it('are not shown while the window has focus', () => {
    window.focused = true;
    notify(message);
    expect(Notification.instances).toHaveLength(0);
  });

  it('are shown when the window is not focused; a click opens that room', () => {
    window.focused = false;
    notify(message);
    const shown = Notification.instances[0];
    expect(shown?.shown).toBe(true);
    expect(shown?.options).toMatchObject({ title: 'alice in #general', body: 'hello' });
    shown?.emit('click');
    expect(onClick).toHaveBeenCalledWith('room-1');
  });

  it('are shown when there is no window at all, with long text clipped', () => {
    const headless = createNotifier({ getWindow: () => null, onClick });
    headless({ ...message, body: 'x'.repeat(10_000) });
    expect(Notification.instances[0]?.options.body.length).toBeLessThanOrEqual(240);
  });

  it('are skipped where the OS has none', () => {
    window.focused = false;
    Notification.isSupported.mockReturnValue(false);
    notify(message);
    expect(Notification.instances).toHaveLength(0);
  });
});
