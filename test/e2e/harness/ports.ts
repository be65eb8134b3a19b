import { createServer } from 'node:net';

/**
 * A loopback TCP port that was free a moment ago (the OS picks it). Someone else can take it
 * before the caller binds it; startWebShell retries on EADDRINUSE when it chose the port itself.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a loopback listener'));
      });
    });
  });
}
