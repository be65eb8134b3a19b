import { describe, expect, it, vi } from 'vitest';
import {
  ALLOWED_PERMISSIONS,
  installPermissionHandlers,
  installWebContentsLockdown,
} from './lockdown';
import { app, FakeEvent, FakeWebContents, fakeSession } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

function lockedContents(): FakeWebContents {
  const contents = new FakeWebContents();
  app.emit('web-contents-created', new FakeEvent(), contents);
  return contents;
}

describe('web contents lockdown', () => {
  installWebContentsLockdown(app as never);

  it.each(['will-navigate', 'will-redirect', 'will-attach-webview'])('%s is prevented', (name) => {
    const contents = lockedContents();
    const event = new FakeEvent();
    contents.emit(name, event, 'https://evil.example/');
    expect(event.defaultPrevented).toBe(true);
  });

  it('denies window.open, whatever the URL', () => {
    const contents = lockedContents();
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'about:blank']) {
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    }
  });
});

describe('permissions', () => {
  const PERMISSIONS = [
    'notifications',
    'media',
    'geolocation',
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'fullscreen',
    'hid',
    'serial',
    'usb',
    'midi',
    'midiSysex',
    'openExternal',
    'pointerLock',
    'keyboardLock',
    'fileSystem',
    'idle-detection',
    'window-management',
    'unknown',
  ];

  it('the allowlist is notifications only', () => {
    expect([...ALLOWED_PERMISSIONS]).toEqual(['notifications']);
  });

  it('requests: only notifications is granted', () => {
    const session = fakeSession();
    installPermissionHandlers(session as never);
    const handler = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (
      contents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void;
    const granted = PERMISSIONS.filter((permission) => {
      let answer: boolean | undefined;
      handler(new FakeWebContents(), permission, (value) => (answer = value));
      expect(answer).toBeTypeOf('boolean');
      return answer;
    });
    expect(granted).toEqual(['notifications']);
  });

  it('checks: only notifications is reported as granted', () => {
    const session = fakeSession();
    installPermissionHandlers(session as never);
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as (
      contents: unknown,
      permission: string,
    ) => boolean;
    const granted = PERMISSIONS.filter((permission) => check(new FakeWebContents(), permission));
    expect(granted).toEqual(['notifications']);
  });
});
