/**
 * T6: the NATS client protocol by hand: read the plaintext INFO line, upgrade to TLS, send a
 * CONNECT of our own making. Used to check what the server advertises and that a CONNECT whose
 * nkey signature does not cover this connection's nonce is refused.
 */
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url.replace(/^tls:/, 'nats:'));
  return { host: u.hostname, port: Number(u.port) };
}

function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (d: Buffer) => {
      buffered += d.toString('utf8');
      const end = buffered.indexOf('\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      resolve(buffered.slice(0, end));
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => resolve(buffered));
  });
}

export interface NatsInfo {
  readonly version: string;
  readonly auth_required?: boolean;
  readonly tls_required?: boolean;
  readonly nonce?: string;
  readonly [key: string]: unknown;
}

/** Opens a TCP connection and parses the INFO line the server sends first (in plaintext). */
export async function natsInfo(url: string): Promise<{ info: NatsInfo; socket: Socket }> {
  const { host, port } = hostPort(url);
  const socket = tcpConnect({ host, port });
  const line = await readLine(socket);
  if (!line.startsWith('INFO ')) throw new Error(`expected INFO, got ${line.slice(0, 80)}`);
  return { info: JSON.parse(line.slice(5)) as NatsInfo, socket };
}

/**
 * Upgrades to TLS, sends `CONNECT <connect>` and PING, and returns the server's first answer
 * (`PONG` when accepted, `-ERR '…'` when refused). `sign` receives the server's nonce.
 */
export async function natsHandConnect(
  url: string,
  caPem: string,
  connect: (nonce: string) => Record<string, unknown>,
): Promise<string> {
  const { host } = hostPort(url);
  const { info, socket } = await natsInfo(url);
  const tls = tlsConnect({ socket, ca: caPem, host, ...(isIP(host) ? {} : { servername: host }) });
  await new Promise<void>((resolve, reject) => {
    tls.once('secureConnect', () => resolve());
    tls.once('error', reject);
  });
  const answer = readLine(tls);
  tls.write(`CONNECT ${JSON.stringify(connect(info.nonce ?? ''))}\r\nPING\r\n`);
  const line = await answer;
  tls.destroy();
  return line;
}
