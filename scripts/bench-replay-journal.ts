/**
 * `node --import tsx scripts/bench-replay-journal.ts [seconds]`: what the persistent replay
 * cache costs (docs/DECISIONS.md §17). Two control-plane servers in one process, identical but
 * for the replay cache — memory only vs the journal (write + fdatasync before the handler, group
 * commit) in a directory on the same disk as a node's data dir — take signed GETs from 1 and
 * from 16 concurrent clients, alternating A/B/A/B so machine noise hits both alike.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointId, ed25519PublicKey, randomBytes } from '../src/main/crypto';
import { InflightLimiter } from '../src/main/node/control-plane/inflight-limiter';
import { RateLimiter } from '../src/main/node/control-plane/rate-limiter';
import { ReplayCache } from '../src/main/node/control-plane/replay-cache';
import { PersistentReplayCache } from '../src/main/node/control-plane/replay-journal';
import {
  createControlPlaneServer,
  type ControlPlaneOptions,
} from '../src/main/node/control-plane/server';
import { generateNodeTlsMaterial } from '../src/main/node/tls/certificates';
import { signRequest } from '../src/main/protocol';

const NODE_ID = 'bench-replay';
const SECONDS = Number(process.argv[2] ?? 5);
const seed = randomBytes(32);
const pubHex = Buffer.from(ed25519PublicKey(seed)).toString('hex');
const signer = {
  signPubHex: pubHex,
  endpoint: endpointId(ed25519PublicKey(seed)),
  role: 'member' as const,
};

async function serve(replayCache: ControlPlaneOptions['replayCache']) {
  const tls = await generateNodeTlsMaterial({ subjectAltNames: [] });
  const server: Server = createControlPlaneServer({
    nodeId: NODE_ID,
    tls: { key: tls.server.privateKeyPem, cert: tls.server.certificatePem },
    routes: [
      {
        method: 'GET',
        path: '/v1/ping',
        auth: 'signed',
        maxBodyBytes: 0,
        handle: async () => ({ status: 200, json: {} }),
      },
    ],
    lookupSigner: async (key) => (key === pubHex ? signer : null),
    rateLimiter: new RateLimiter({ ratePerSecond: 1e9, burst: 1e9, maxSources: 10 }),
    inflight: new InflightLimiter(1024 * 1024),
    replayCache,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, ca: tls.ca.certificatePem };
}

function get(port: number, ca: string, agent: Agent): Promise<number> {
  const headers = signRequest({ nodeId: NODE_ID, method: 'GET', path: '/v1/ping', signSeed: seed });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/ping', method: 'GET', ca, agent, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function load(port: number, ca: string, clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const deadline = Date.now() + SECONDS * 1000;
  const latencies: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const started = performance.now();
        if ((await get(port, ca, agent)) !== 200) failed++;
        latencies.push(performance.now() - started);
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / SECONDS,
    p50: latencies[Math.floor(latencies.length / 2)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    failed,
  };
}

const dir = mkdtempSync(join(process.env.UNIBUS_BENCH_DIR ?? tmpdir(), 'unibus-replay-bench-'));
const memory = await serve(new ReplayCache({ ttlMs: 60_000, maxEntries: 10_000_000 }));
const journal = await PersistentReplayCache.open({ dir, ttlMs: 60_000, maxEntries: 10_000_000 });
const persistent = await serve(journal);
try {
  for (const clients of [1, 16]) {
    const results: Record<string, { rate: number[]; p50: number[]; p99: number[] }> = {
      memory: { rate: [], p50: [], p99: [] },
      journal: { rate: [], p50: [], p99: [] },
    };
    for (let round = 0; round < 2; round++) {
      for (const [name, target] of [
        ['memory', memory],
        ['journal', persistent],
      ] as const) {
        const r = await load(target.port, target.ca, clients);
        if (r.failed > 0) throw new Error(`${name}: ${r.failed} requests failed`);
        results[name]!.rate.push(r.rate);
        results[name]!.p50.push(r.p50);
        results[name]!.p99.push(r.p99);
      }
    }
    for (const [name, r] of Object.entries(results)) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      console.log(
        `${clients} client(s), ${name}: ${mean(r.rate).toFixed(0)} req/s, p50 ${mean(r.p50).toFixed(2)} ms, p99 ${mean(r.p99).toFixed(2)} ms`,
      );
    }
  }
} finally {
  memory.server.close();
  persistent.server.close();
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
}
