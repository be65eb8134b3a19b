/**
 * Smoke test of the e2e stack: real Chromium (sandboxed, not root) on one real web shell
 * (`npm run web`), plus the web shell's WebSocket bridge attacked from outside the browser.
 */
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { IpcReply } from '../../src/shared/ipc/contract';
import {
  WIRE_PATH,
  bridgeProtocols,
  decodeWire,
  encodeWire,
  type WireServerMessage,
} from '../../src/shared/ipc/wire';
import type { AppState } from '../../src/shared/types/app';
import { TID } from '../../src/renderer/src/testids';
import { PROJECT_ROOT, chromiumProcesses, isRoot, useE2E, type WebShell } from './harness';

const VERSION = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

describe('web shell in Chromium', () => {
  const e2e = useE2E();
  let shell: WebShell;

  beforeAll(async () => {
    shell = await e2e.startWebShell({ name: 'smoke' });
  });

  test('Chromium runs sandboxed and, when the tests run as root, as the unprivileged user', async () => {
    const browser = await e2e.browser();
    const processes = chromiumProcesses();
    expect(processes.length).toBeGreaterThan(0);
    if (isRoot()) {
      expect(processes.filter((p) => p.uid === 0)).toEqual([]);
    } else {
      expect(new Set(processes.map((p) => p.uid))).toEqual(new Set([process.getuid?.()]));
    }
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto('chrome://sandbox');
      await expect.poll(() => page.innerText('body')).toContain('You are adequately sandboxed');
    } finally {
      await context.close();
    }
  });

  test('the page loads with no console error and can use the bridge from its own origin', async () => {
    const ui = await shell.openPage(await e2e.browser());
    // The renderer mounted something into #root.
    await ui.page.waitForSelector('#root > *', { timeout: 30_000 });

    // A call over the bridge from inside the page: Chromium sets the real Origin header.
    const replies = await ui.page.evaluate(callsFromPage, {
      path: WIRE_PATH,
      protocols: bridgeProtocols(shell.token),
      names: ['app.getVersion', 'app.getState'],
    });
    expect(replies[0]).toEqual({ ok: true, value: VERSION });
    const state = replies[1] as IpcReply<AppState>;
    expect(state.ok).toBe(true);
    const app = (state as { ok: true; value: AppState }).value;
    expect(app.phase).toBe('no-identity');
    expect(app.host).toBe('web');
    // No keychain in the e2e environment: the identity is protected by a passphrase file.
    expect(app.availableProtections).toContain('passphrase-file');

    await ui.page.waitForLoadState('networkidle');
    await ui.screenshot('smoke-loaded');
    expect(ui.errors).toEqual([]);
  });

  test('a fresh profile shows the first-run screen asking for a passphrase', async () => {
    const ui = await shell.openPage(await e2e.browser());
    await ui.page.getByTestId(TID.firstRun).waitFor({ state: 'visible', timeout: 30_000 });
    expect(await ui.page.getByTestId(TID.keyProtection).getAttribute('data-protection')).toBe(
      'passphrase-file',
    );
    await ui.page.getByTestId(TID.createIdentityPassphrase).waitFor({ state: 'visible' });
    // The token travels in the fragment only, and the page takes it out of the address bar.
    expect(new URL(shell.url).search).toBe('');
    expect(ui.page.url()).not.toContain(shell.token);
    await ui.screenshot('smoke-first-run');
    expect(ui.errors).toEqual([]);
  });
});

/** Runs in the page: one WebSocket to the bridge, the given calls in order, their replies. */
async function callsFromPage(input: {
  path: string;
  protocols: string[];
  names: string[];
}): Promise<unknown[]> {
  interface PageSocket {
    onopen: (() => void) | null;
    onerror: (() => void) | null;
    onclose: (() => void) | null;
    onmessage: ((event: { data: string }) => void) | null;
    send(text: string): void;
    close(): void;
  }
  const page = globalThis as unknown as {
    WebSocket: new (url: string, protocols: string[]) => PageSocket;
    location: { host: string };
  };
  const url = `ws://${page.location.host}${input.path}`;
  const socket = new page.WebSocket(url, input.protocols);
  const replies = new Map<number, unknown>();
  return new Promise((resolve, reject) => {
    socket.onerror = () => reject(new Error('bridge socket error'));
    socket.onclose = () => reject(new Error('bridge socket closed'));
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data) as { t: string; id: number; reply: unknown };
      if (message.t !== 'reply') return;
      replies.set(message.id, message.reply);
      if (replies.size === input.names.length) {
        socket.onclose = null;
        socket.close();
        resolve(input.names.map((_name, index) => replies.get(index + 1)));
      }
    };
    socket.onopen = () =>
      input.names.forEach((name, index) =>
        socket.send(JSON.stringify({ t: 'call', id: index + 1, name, args: [] })),
      );
  });
}

interface Attempt {
  readonly opened: boolean;
  /** HTTP status of a refused upgrade, if the server answered with one. */
  readonly status?: number;
  readonly socket?: WebSocket;
}

/** Tries a WebSocket upgrade on the bridge; resolves when it opens, is refused or is closed. */
function tryBridge(
  shell: WebShell,
  token: string | null,
  origin: string | null,
  host?: string,
): Promise<Attempt> {
  const url = new URL(WIRE_PATH, shell.origin.replace(/^http:/, 'ws:'));
  const headers: Record<string, string> = origin === null ? {} : { Origin: origin };
  if (host !== undefined) headers['Host'] = host;
  return new Promise((resolve) => {
    const protocols = token === null ? [] : bridgeProtocols(token);
    const socket = new WebSocket(url, protocols, { headers, handshakeTimeout: 10_000 });
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ opened: false, status: response.statusCode ?? 0 });
      response.resume();
      socket.terminate();
    });
    socket.once('error', () => resolve({ opened: false }));
    socket.once('close', () => resolve({ opened: false }));
  });
}

function callOver(socket: WebSocket, name: string): Promise<IpcReply<unknown>> {
  return new Promise((resolve, reject) => {
    const id = 1;
    socket.on('message', (data: WebSocket.RawData) => {
      const message = decodeWire(data.toString()) as WireServerMessage;
      if (message.t === 'reply' && message.id === id) resolve(message.reply);
    });
    socket.once('close', () => reject(new Error('bridge closed before replying')));
    socket.send(encodeWire({ t: 'call', id, name, args: [] }));
  });
}

describe('web shell bridge from outside the browser', () => {
  const e2e = useE2E();
  let shell: WebShell;

  beforeAll(async () => {
    shell = await e2e.startWebShell({ name: 'security' });
  });

  function refused(attempt: Attempt): void {
    attempt.socket?.terminate();
    expect(attempt.opened).toBe(false);
    if (attempt.status !== undefined) expect(attempt.status).toBeGreaterThanOrEqual(400);
  }

  test('control: the right token from the page origin opens the bridge and a call works', async () => {
    const attempt = await tryBridge(shell, shell.token, shell.origin);
    try {
      expect(attempt.opened).toBe(true);
      expect(await callOver(attempt.socket!, 'app.getVersion')).toEqual({
        ok: true,
        value: VERSION,
      });
    } finally {
      attempt.socket?.terminate();
    }
  });

  test('no token: refused', async () => {
    refused(await tryBridge(shell, null, shell.origin));
  });

  test('the right token in the URL query (the old way, which browsers print): refused', async () => {
    const url = `${shell.origin.replace(/^http:/, 'ws:')}${WIRE_PATH}?token=${shell.token}`;
    const attempt = await new Promise<Attempt>((resolve) => {
      const socket = new WebSocket(url, { headers: { Origin: shell.origin } });
      socket.once('open', () => resolve({ opened: true, socket }));
      socket.once('unexpected-response', (_request, response) => {
        resolve({ opened: false, status: response.statusCode ?? 0 });
        response.resume();
        socket.terminate();
      });
      socket.once('error', () => resolve({ opened: false }));
    });
    refused(attempt);
    expect(attempt.status).toBe(401);
  });

  test('empty token: refused', async () => {
    refused(await tryBridge(shell, '', shell.origin));
  });

  test('wrong token (same length): refused', async () => {
    const last = shell.token.at(-1) === 'A' ? 'B' : 'A';
    refused(await tryBridge(shell, shell.token.slice(0, -1) + last, shell.origin));
  });

  test('right token from a foreign Origin: refused', async () => {
    refused(await tryBridge(shell, shell.token, 'http://evil.example'));
  });

  test('right token from another local port: refused', async () => {
    refused(await tryBridge(shell, shell.token, `http://127.0.0.1:${shell.port + 1}`));
  });

  test('right token from an opaque (null) Origin: refused', async () => {
    refused(await tryBridge(shell, shell.token, 'null'));
  });

  test('right token and Origin but a foreign Host header (DNS rebinding): refused', async () => {
    refused(await tryBridge(shell, shell.token, shell.origin, `evil.example:${shell.port}`));
  });

  test('the page itself is not served under a foreign Host header (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpGet(
        `${shell.origin}/`,
        { headers: { Host: `evil.example:${shell.port}` } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.once('error', reject);
    });
    expect(status).toBeGreaterThanOrEqual(400);
  });
});
