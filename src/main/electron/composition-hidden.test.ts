/**
 * The composition root started at login (`--hidden`, "Start hidden when I log in"): the app
 * service and the tray come up, but no window until the user asks for it from the tray.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppServiceOptions } from '../app/types';
import { FakeBrowserWindow, Tray } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const created: { options: AppServiceOptions | null } = { options: null };
vi.mock('../app', () => ({
  createAppService: vi.fn(async (options: AppServiceOptions) => {
    created.options = options;
    return { handlers: {}, keepsHosting: () => true, close: vi.fn(async () => {}) };
  }),
}));

describe('composition root started hidden at login', () => {
  const argv = process.argv;

  beforeAll(async () => {
    process.argv = [...argv, '--hidden'];
    await import('../index');
    await vi.waitFor(() => expect(created.options).not.toBeNull());
  });
  afterAll(() => {
    process.argv = argv;
  });

  it('starts the app service (and with it the hosted node) and the tray, but no window', () => {
    expect(created.options?.host).toBe('electron');
    expect(Tray.instances).toHaveLength(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('the tray opens the window', async () => {
    Tray.instances[0]?.emit('click');
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    const window = FakeBrowserWindow.instances[0]!;
    window.emit('ready-to-show');
    expect(window.isVisible()).toBe(true);
  });
});
