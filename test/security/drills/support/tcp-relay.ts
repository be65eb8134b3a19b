/**
 * A TCP relay on 127.0.0.1 in front of a real server. `cut()` destroys every relayed connection
 * at once (both sides), the way a dropped Wi-Fi or a NAT timeout looks to the client; the relay
 * keeps listening, so the client's reconnect gets through.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export class TcpRelay {
  private readonly sockets = new Set<Socket>();
  /** Client connections accepted so far (the first connect plus every reconnect). */
  accepted = 0;

  private constructor(private readonly server: Server) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpRelay> {
    const server = createServer();
    const relay = new TcpRelay(server);
    server.on('connection', (client) => {
      relay.accepted++;
      const upstream = connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        relay.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          relay.sockets.delete(socket);
          // One side gone: take the other down too, as a real broken path would.
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Relayed connections currently open (both sides count). */
  get open(): number {
    return this.sockets.size;
  }

  /** Drops every relayed connection now. Returns how many sockets were cut. */
  cut(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    return count;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
