/**
 * A test client for the web shell's bridge: a real WebSocket (the `ws` package) speaking the
 * wire format, with typed calls and a log of received events.
 */
import WebSocket from 'ws';
import {
  WIRE_PATH,
  bridgeProtocols,
  decodeWire,
  encodeWire,
  type IpcArgs,
  type IpcCallName,
  type IpcReply,
  type IpcResult,
} from '../src/shared/ipc';

export interface BridgeEvent {
  readonly name: string;
  readonly payload: unknown;
}

export class BridgeClient {
  readonly events: BridgeEvent[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: IpcReply<unknown>) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = decodeWire(data.toString()) as
        | { t: 'reply'; id: number; reply: IpcReply<unknown> }
        | { t: 'event'; name: string; payload: unknown };
      if (message.t === 'reply') this.waiting.get(message.id)?.(message.reply);
      else this.events.push({ name: message.name, payload: message.payload });
    });
  }

  static connect(
    origin: string,
    token: string,
    headers: Record<string, string> = {},
  ): Promise<BridgeClient> {
    const url = `${origin.replace(/^http/, 'ws')}${WIRE_PATH}`;
    const ws = new WebSocket(url, bridgeProtocols(token), {
      headers: { Origin: origin, ...headers },
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new BridgeClient(ws)));
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`refused: ${res.statusCode}`)),
      );
      ws.once('error', reject);
    });
  }

  /** Sends any name and arguments (fuzzing); resolves with the raw reply. */
  raw(name: unknown, args: unknown): Promise<IpcReply<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (reply) => {
        this.waiting.delete(id);
        resolve(reply);
      });
      this.ws.send(encodeWire({ t: 'call', id, name: name as string, args: args as unknown[] }));
    });
  }

  /** A typed call; throws `Error` named after the typed error on failure. */
  async call<N extends IpcCallName>(name: N, ...args: IpcArgs<N>): Promise<IpcResult<N>> {
    const reply = await this.raw(name, args);
    if (reply.ok) return reply.value as IpcResult<N>;
    const error = new Error(reply.error.message);
    error.name = reply.error.name;
    throw error;
  }

  async waitForEvent(
    predicate: (event: BridgeEvent) => boolean,
    timeoutMs = 30_000,
  ): Promise<BridgeEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for an event');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close(): void {
    this.ws.close();
  }
}
