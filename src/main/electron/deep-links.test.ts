import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createJoinLinkRelay,
  findJoinLink,
  installDeepLinks,
  parseJoinLink,
  PROTOCOL_SCHEME,
} from './deep-links';
import { app, FakeEvent } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const LINK = 'unibus://join?v=1&t=AbC-123_xyz';

describe('join links', () => {
  it.each([LINK, 'unibus://join?v=1&t=x&n=https%3A%2F%2F127.0.0.1%3A7443'])(
    'accepts %j',
    (link) => {
      expect(parseJoinLink(link)).toBe(link);
    },
  );

  it.each([
    ['another action', 'unibus://leave?v=1'],
    ['no query', 'unibus://join'],
    ['nothing after the ?', 'unibus://join?'],
    ['upper-case scheme', 'UNIBUS://join?v=1&t=x'],
    ['another scheme', 'https://join?v=1'],
    ['prefix inside', 'xunibus://join?v=1'],
    ['leading space', ` ${LINK}`],
    ['newline', `${LINK}\n--inspect`],
    ['space inside', 'unibus://join?v=1 --disable-gpu'],
    ['control char', `${LINK}\u0000`],
    ['too long', `${LINK}${'a'.repeat(9000)}`],
  ])('refuses %s', (_why, link) => {
    expect(parseJoinLink(link)).toBeNull();
  });

  it('refuses non-strings', () => {
    expect(parseJoinLink(undefined)).toBeNull();
    expect(parseJoinLink(42)).toBeNull();
  });

  it.each([
    ['Windows second start', ['C:\\Program Files\\unibus\\unibus.exe', '--', LINK]],
    ['Windows, Chromium switches around it', ['unibus.exe', '--allow-file-access', LINK, '--x']],
    ['Linux xdg-open', ['/opt/unibus/unibus', '--no-sandbox', LINK]],
    ['development (electron .)', ['/path/electron', '/work/app', LINK]],
  ])('finds the link in argv: %s', (_how, argv) => {
    expect(findJoinLink(argv)).toBe(LINK);
  });

  it.each([
    ['no link', ['/opt/unibus/unibus']],
    ['only a bad link', ['unibus.exe', 'unibus://evil?x']],
    ['a link glued to a switch', ['unibus.exe', `--foo=${LINK}`]],
  ])('finds nothing in argv: %s', (_how, argv) => {
    expect(findJoinLink(argv)).toBeNull();
  });
});

describe('deep link delivery', () => {
  const onJoinLink = vi.fn();
  const onSecondInstance = vi.fn();

  beforeEach(() => {
    app.removeAllListeners();
    onJoinLink.mockClear();
    onSecondInstance.mockClear();
    app.setAsDefaultProtocolClient.mockClear();
  });

  it('registers the unibus scheme and forwards a link from the first command line', () => {
    installDeepLinks(app as never, {
      onJoinLink,
      onSecondInstance,
      argv: ['/opt/unibus/unibus', LINK],
    });
    expect(app.setAsDefaultProtocolClient).toHaveBeenCalled();
    expect(app.setAsDefaultProtocolClient.mock.calls[0]?.[0]).toBe(PROTOCOL_SCHEME);
    expect(onJoinLink).toHaveBeenCalledExactlyOnceWith(LINK);
  });

  it('macOS open-url: handled (default prevented) and forwarded when valid', () => {
    installDeepLinks(app as never, { onJoinLink, onSecondInstance, argv: [] });
    const good = new FakeEvent();
    app.emit('open-url', good, LINK);
    expect(good.defaultPrevented).toBe(true);
    const bad = new FakeEvent();
    app.emit('open-url', bad, 'unibus://steal?all');
    expect(bad.defaultPrevented).toBe(true);
    expect(onJoinLink.mock.calls).toEqual([[LINK]]);
  });

  it('second start: the link is forwarded, or the window just comes forward', () => {
    installDeepLinks(app as never, { onJoinLink, onSecondInstance, argv: [] });
    app.emit('second-instance', new FakeEvent(), ['unibus.exe', '--', LINK], '/');
    app.emit('second-instance', new FakeEvent(), ['unibus.exe'], '/');
    expect(onJoinLink.mock.calls).toEqual([[LINK]]);
    expect(onSecondInstance).toHaveBeenCalledTimes(1);
  });

  it('the relay holds the newest link until the renderer is ready', () => {
    const deliver = vi.fn();
    const relay = createJoinLinkRelay(deliver);
    relay.offer('unibus://join?v=1&t=old');
    relay.offer(LINK);
    expect(deliver).not.toHaveBeenCalled();
    relay.setReady(true);
    expect(deliver.mock.calls).toEqual([[LINK]]);
    relay.setReady(true);
    expect(deliver).toHaveBeenCalledTimes(1);
    relay.offer('unibus://join?v=1&t=now');
    expect(deliver).toHaveBeenLastCalledWith('unibus://join?v=1&t=now');
    relay.setReady(false);
    relay.offer('unibus://join?v=1&t=later');
    expect(deliver).toHaveBeenCalledTimes(2);
  });

  it('the renderer takes the waiting link once it listens; later links are delivered', () => {
    const deliver = vi.fn();
    const relay = createJoinLinkRelay(deliver);
    relay.offer(LINK);
    expect(relay.take()).toBe(LINK);
    expect(relay.take()).toBeNull();
    relay.offer('unibus://join?v=1&t=next');
    expect(deliver.mock.calls).toEqual([['unibus://join?v=1&t=next']]);
  });
});
