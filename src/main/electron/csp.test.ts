import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY, installCspHeader, withCspHeader } from './csp';
import { isOwnFileUrl } from './paths';
import { fakeSession } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const RENDERER_HTML = '/opt/unibus/resources/app.asar/out/renderer/index.html';

type Listener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

function installed(): { filter: unknown; listener: Listener } {
  const session = fakeSession();
  installCspHeader(session as never, (url) => isOwnFileUrl(url, RENDERER_HTML));
  const [filter, listener] = session.webRequest.onHeadersReceived.mock.calls[0] as [
    unknown,
    Listener,
  ];
  return { filter, listener };
}

function respond(listener: Listener, url: string, headers?: Record<string, string[]>) {
  let response: { responseHeaders?: Record<string, string[]> } | undefined;
  listener({ url, ...(headers ? { responseHeaders: headers } : {}) }, (r) => (response = r));
  if (response === undefined) throw new Error('callback not called');
  return response;
}

describe('Content-Security-Policy', () => {
  it('is the strict policy: self only, no objects, no base, no framing, no forms', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' blob: data:",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'none'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*/);
  });

  it('is added as a response header to the app’s own file:// pages', () => {
    const { filter, listener } = installed();
    expect(filter).toEqual({ urls: ['file://*/*'] });
    const url = `file://${RENDERER_HTML}`;
    const response = respond(listener, url, { 'Content-Type': ['text/html'] });
    expect(response.responseHeaders).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    // Assets of the page get it too (harmless, and no page in that folder can escape it).
    const asset = respond(listener, `file://${RENDERER_HTML.replace('index.html', 'assets/a.js')}`);
    expect(asset.responseHeaders?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('replaces a weaker policy header instead of adding a second one', () => {
    const merged = withCspHeader({ 'content-security-policy': ['default-src *'], 'X-A': ['1'] });
    expect(merged).toEqual({
      'X-A': ['1'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
  });

  it('leaves responses outside the renderer folder untouched', () => {
    const { listener } = installed();
    for (const url of [
      'file:///etc/passwd',
      'file:///opt/unibus/resources/app.asar/out/renderer-evil/index.html',
      'file:///opt/unibus/resources/app.asar/out/main/index.js',
      'file://remote-host/opt/unibus/resources/app.asar/out/renderer/index.html',
    ]) {
      expect(respond(listener, url)).toEqual({});
    }
  });
});
