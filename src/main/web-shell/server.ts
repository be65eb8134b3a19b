/**
 * The web shell: the renderer served to a browser on 127.0.0.1, with the IPC contract carried
 * over a token- and origin-checked WebSocket, and the same app service the desktop app runs.
 * It is how the real UI is tested in Chromium here, and how a headless host is used from a
 * browser on the same machine.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WIRE_PATH } from '../../shared/ipc';
import { createAppService, type AppService } from '../app';
import { createDispatcher } from '../ipc';
import { BridgeSocket } from './bridge-socket';
import { DOWNLOAD_PATH_PREFIX, DownloadTickets } from './downloads';
import { serveStatic } from './static-files';

export interface WebShellOptions {
  readonly profileDir: string;
  /** Built renderer folder (out/renderer). */
  readonly rendererDir: string;
  /** 0 = any free port. */
  readonly port?: number;
}

export interface RunningWebShell {
  /** The address to open: carries the per-run token in the fragment (never sent to a server). */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  /** Ordered shutdown: clients, then the app service (transfers → peer → hosted node). */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startWebShell(options: WebShellOptions): Promise<RunningWebShell> {
  const rendererDir = resolve(options.rendererDir);
  const token = randomBytes(32).toString('base64url');
  const server: Server = createServer();
  server.listen(options.port ?? 0, HOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${HOST}:${port}`;

  let bridge: BridgeSocket | null = null;
  const downloads = new DownloadTickets();
  let service: AppService;
  try {
    service = await createAppService({
      profileDir: resolve(options.profileDir),
      host: 'web',
      emit: (name, payload) => bridge?.broadcast(name, payload),
      offerDownload: (path, name, mime) => downloads.offer(path, name, mime),
    });
  } catch (error) {
    server.close();
    throw error;
  }
  bridge = new BridgeSocket({
    token,
    origins: [origin, `http://localhost:${port}`],
    hosts: [`${HOST}:${port}`, `localhost:${port}`],
    dispatch: createDispatcher(service.handlers),
  });
  const socket = bridge;
  server.on('upgrade', (request, stream, head) => socket.handleUpgrade(request, stream, head));
  server.on('request', (request, response) => {
    const host = request.headers.host ?? '';
    if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) {
      response.writeHead(403).end();
      return;
    }
    const { pathname } = new URL(request.url ?? '/', origin);
    if (pathname === WIRE_PATH) {
      response.writeHead(426, { Upgrade: 'websocket' }).end();
      return;
    }
    if (pathname.startsWith(DOWNLOAD_PATH_PREFIX) && request.method === 'GET') {
      void downloads.serve(pathname, response).catch(() => {
        if (!response.headersSent) response.writeHead(404);
        response.end();
      });
      return;
    }
    void serveStatic(rendererDir, origin, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: async () => {
      socket.close();
      server.close();
      server.closeAllConnections();
      await service.close();
    },
  };
}
