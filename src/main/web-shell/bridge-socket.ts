/**
 * The web shell's bridge endpoint: a WebSocket on the loopback HTTP server that carries the IPC
 * contract. A client gets in only with the per-run token and from the shell's own origin (a page
 * on any other site — or a DNS-rebound name — is refused before the upgrade). The token comes as
 * a WebSocket subprotocol (`unibus-token.<token>` next to `unibus-bridge.v1`), never in the URL:
 * browsers print a failed socket's URL to the console (issue 12, attack 7). The server answers
 * with `unibus-bridge.v1` only, so the token is not echoed either. Every message is parsed
 * defensively; calls go through the same dispatcher as Electron's IPC.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  WIRE_PATH,
  WIRE_PROTOCOL,
  WIRE_TOKEN_PROTOCOL_PREFIX,
  decodeWire,
  encodeWire,
  type WireServerMessage,
} from '../../shared/ipc';
import type { IpcDispatch } from '../ipc';

/** A call carries at most one file piece (1 MiB) plus base64 and JSON overhead. */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

export interface BridgeSocketOptions {
  readonly token: string;
  /** Exact origins allowed, e.g. `http://127.0.0.1:5173`. */
  readonly origins: readonly string[];
  /** Exact Host header values allowed (DNS-rebinding defence). */
  readonly hosts: readonly string[];
  readonly dispatch: IpcDispatch;
}

export class BridgeSocket {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Answer with the bridge's protocol, never the token one (refusal() already required both).
    handleProtocols: () => WIRE_PROTOCOL,
  });
  private readonly clients = new Set<WebSocket>();

  constructor(private readonly options: BridgeSocketOptions) {}

  /** `upgrade` handler for the HTTP server. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = this.refusal(request);
    if (refusal !== null) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  private refusal(request: IncomingMessage): string | null {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== WIRE_PATH) return '404 Not Found';
    if (!this.options.hosts.includes(request.headers.host ?? '')) return '403 Forbidden';
    if (!this.options.origins.includes(request.headers.origin ?? '')) return '403 Forbidden';
    const offered = offeredProtocols(request);
    const tokens = offered.filter((p) => p.startsWith(WIRE_TOKEN_PROTOCOL_PREFIX));
    if (
      !offered.includes(WIRE_PROTOCOL) ||
      tokens.length !== 1 ||
      !sameSecret(tokens[0]!.slice(WIRE_TOKEN_PROTOCOL_PREFIX.length), this.options.token)
    ) {
      return '401 Unauthorized';
    }
    return null;
  }

  private accept(ws: WebSocket): void {
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      void this.onMessage(ws, data.toString());
    });
  }

  private async onMessage(ws: WebSocket, text: string): Promise<void> {
    let message: unknown;
    try {
      message = decodeWire(text);
    } catch {
      return ws.close(1007, 'malformed message');
    }
    const call = message as { t?: unknown; id?: unknown; name?: unknown; args?: unknown };
    if (
      typeof call !== 'object' ||
      call === null ||
      call.t !== 'call' ||
      !Number.isSafeInteger(call.id)
    ) {
      return ws.close(1008, 'not a call');
    }
    const reply = await this.options.dispatch(call.name, call.args);
    send(ws, { t: 'reply', id: call.id as number, reply });
  }

  /** Pushes an event to every connected client. */
  broadcast(name: string, payload: unknown): void {
    for (const ws of this.clients) send(ws, { t: 'event', name, payload });
  }

  close(): void {
    for (const ws of this.clients) ws.terminate();
    this.wss.close();
  }
}

function send(ws: WebSocket, message: WireServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
}

/** The subprotocols of `Sec-WebSocket-Protocol` (one header, comma-separated; RFC 6455 §11.3.4). */
function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return [];
  return header.split(',').map((p) => p.trim());
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
