/**
 * PERF.md S3: signed control-plane requests per second (GET of a room, alice's signed client,
 * keep-alive, 16 in flight) against a real node in this process — vs an HTTPS keep-alive
 * hello-world on the same Node with the same TLS material, driven by the same kind of client
 * and concurrency, in the same run. The node's per-source rate limit is lifted for this row:
 * it measures the request path (TLS, routing, signature, replay cache, store read), not the limit.
 */
import { once } from 'node:events';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ControlPlaneClient } from '../../src/main/control-plane';
import { generateNodeTlsMaterial } from '../../src/main/node/tls/certificates';
import { startBenchNode } from './fixture';
import { atLeast, type Row } from './row';

const SECONDS = Number(process.env['BENCH_S3_SECONDS'] ?? 3);
const IN_FLIGHT = 16;

/** Runs `once` with IN_FLIGHT concurrent loops for SECONDS; returns completed calls per second. */
async function rate(once: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await once(); // warm: TLS sessions, JIT
  let done = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < deadline) {
        await once();
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

async function helloWorldRate(): Promise<number> {
  const tls = await generateNodeTlsMaterial({ subjectAltNames: ['127.0.0.1'] });
  const server = createServer(
    {
      key: tls.server.privateKeyPem,
      cert: `${tls.server.certificatePem.trim()}\n${tls.ca.certificatePem.trim()}\n`,
    },
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"hello":"world"}');
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', ca: tls.ca.certificatePem, minVersion: 'TLSv1.2' },
        (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  try {
    return await rate(get);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

export async function benchRequests(): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const baseline = await helloWorldRate();
  const bench = await startBenchNode({ requestsPerSourcePerSecond: 1_000_000 });
  try {
    const alice = await bench.openPeer(bench.alice, 'alice');
    const room = await alice.createRoom('s3');
    const client: ControlPlaneClient = bench.admin;
    const signed = await rate(() => client.get(`/v1/rooms/${room.id}`));
    return {
      rows: [
        atLeast(
          'S3',
          'signed GET of a room / s',
          signed,
          baseline,
          0.5,
          '>= 0.5 of HTTPS hello-world',
        ),
      ],
      details: { s3_in_flight: IN_FLIGHT, s3_seconds: SECONDS },
    };
  } finally {
    await bench.stop();
  }
}
