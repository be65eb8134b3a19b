// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeBridge } from '../test/fakeBridge';
import '../test/harness';
import { bridgeProtocols } from '../../../shared/ipc/wire';
import { call } from './call';
import { bridgeUrl, getBridge, resetWebBridgeForTests, takeBridgeToken } from './getBridge';

afterEach(() => {
  resetWebBridgeForTests();
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('getBridge', () => {
  it('uses the preload bridge when there is one', () => {
    const fake = createFakeBridge();
    Object.defineProperty(window, 'unibus', { value: fake.bridge, configurable: true });
    expect(getBridge()).toBe(fake.bridge);
  });

  it('reads the token from #token=…, removes it from the address bar and keeps it for the tab', () => {
    window.history.replaceState(null, '', '/index.html?x=1#token=s3cret');
    expect(takeBridgeToken()).toBe('s3cret');
    expect(window.location.hash).toBe('');
    expect(window.location.search).toBe('?x=1');
    expect(takeBridgeToken()).toBe('s3cret');
  });

  it('builds the bridge URL from the page host, with no token in it (it goes in a subprotocol)', () => {
    expect(bridgeUrl('127.0.0.1:5000')).toBe('ws://127.0.0.1:5000/bridge');
    expect(bridgeProtocols('s3cret')).toEqual(['unibus-bridge.v1', 'unibus-token.s3cret']);
  });
});

describe('call', () => {
  it('returns the value of an ok reply', async () => {
    const fake = createFakeBridge({ 'app.getVersion': () => '1.2.3' });
    Object.defineProperty(window, 'unibus', { value: fake.bridge, configurable: true });
    await expect(call('app.getVersion')).resolves.toBe('1.2.3');
  });

  it('throws an error carrying the reply error name', async () => {
    const fake = createFakeBridge();
    Object.defineProperty(window, 'unibus', { value: fake.bridge, configurable: true });
    await expect(call('rooms.list')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('turns a bridge that throws into InternalError', async () => {
    const fake = createFakeBridge();
    const broken = {
      ...fake.bridge,
      calls: {
        ...fake.bridge.calls,
        'app.getVersion': () => Promise.reject(new TypeError('clone failed')),
      },
    };
    Object.defineProperty(window, 'unibus', { value: broken, configurable: true });
    await expect(call('app.getVersion')).rejects.toMatchObject({ name: 'InternalError' });
  });
});
