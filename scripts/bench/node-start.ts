/**
 * PERF.md S1: node cold start → `/healthz` ok, with 1,000 rooms and 5,000 users in the store —
 * vs a bare nats-server start with the same JetStream store (the node's own rendered config and
 * at-rest key: the same accounts, streams and buckets), each the median of three starts in the
 * same run. The store is seeded through the store API with the node's internal identity, then
 * the node is started once so that everything it makes at start (streams, config) exists.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { nkeyAuthenticator } from '@nats-io/nats-core';
import { ed25519PublicKey, nkeyUserSeed, randomBytes } from '../../src/main/crypto';
import { resolveNatsServerBinary } from '../../src/main/node/nats-server';
import { loadOrCreateNodeState, nodePaths } from '../../src/main/node/runtime/node-state';
import { startNode } from '../../src/main/node/runtime/start-node';
import { NodeStore } from '../../src/main/node/store';
import { base64urlEncode, hexEncode } from '../../src/main/protocol';
import { person, startBenchNode } from './fixture';
import { atMost, median, type Row } from './row';

const USERS = Number(process.env['BENCH_S1_USERS'] ?? 5000);
const ROOMS = Number(process.env['BENCH_S1_ROOMS'] ?? 1000);
const MEMBERS_PER_ROOM = 5;
const STARTS = 3;
const AT_REST_KEY_ENV = 'UNIBUS_JS_KEY';

/** Writes USERS users and ROOMS rooms (owner + 4 members each) straight into the store. */
async function seed(dataDir: string, natsUrl: string): Promise<void> {
  const state = await loadOrCreateNodeState(dataDir, { subjectAltNames: [] });
  const nc = await connect({
    servers: natsUrl,
    tls: { ca: state.tls.ca.certificatePem },
    authenticator: nkeyAuthenticator(
      new TextEncoder().encode(nkeyUserSeed(state.internal.nodeSeed)),
    ),
  });
  try {
    const store = await NodeStore.open(nc, { replicas: 1 });
    const endpoints: string[] = [];
    for (let i = 0; i < USERS; i += 100) {
      const batch = Array.from({ length: Math.min(100, USERS - i) }, (_, j) => {
        const seedBytes = randomBytes(32);
        const endpoint = base64urlEncode(randomBytes(16));
        endpoints.push(endpoint);
        return store.addUser({
          signPubHex: hexEncode(ed25519PublicKey(seedBytes)),
          endpoint,
          kexPub: base64urlEncode(randomBytes(32)),
          handle: `user${i + j}`,
          role: 'member',
        });
      });
      await Promise.all(batch);
    }
    const sealed = (roomId: string, endpoint: string) => ({
      room_id: roomId,
      epoch: 1,
      endpoint,
      granter: endpoint,
      sealed: base64urlEncode(randomBytes(80)),
      sig: base64urlEncode(randomBytes(64)),
    });
    for (let r = 0; r < ROOMS; r += 50) {
      const batch = Array.from({ length: Math.min(50, ROOMS - r) }, async (_, j) => {
        const roomId = base64urlEncode(randomBytes(16));
        const pick = (k: number) => endpoints[((r + j) * MEMBERS_PER_ROOM + k) % endpoints.length]!;
        const room = {
          room_id: roomId,
          owner: pick(0),
          policy: { persist: true, history: 'all' as const },
          epoch: 1,
          members_rev: 0,
          meta: base64urlEncode(randomBytes(48)),
          created_at: Date.now(),
        };
        await store.createRoom(room, sealed(roomId, room.owner));
        for (let k = 1; k < MEMBERS_PER_ROOM; k++) {
          const current = (await store.getRoomVersioned(roomId))!;
          const endpoint = pick(k);
          await store.addMember(
            current.room,
            current.revision,
            { room_id: roomId, endpoint, role: 'member', since_epoch: 1, added_at: Date.now() },
            [sealed(roomId, endpoint)],
          );
        }
      });
      await Promise.all(batch);
    }
  } finally {
    await nc.close();
  }
}

async function healthz(url: string, caPem: string): Promise<void> {
  const status = await new Promise<number>((resolve, reject) => {
    get(`${url}/healthz`, { ca: caPem, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  if (status !== 200) throw new Error(`/healthz answered ${status}`);
}

/** One cold start of the node until /healthz answers ok; the node is stopped again. */
async function nodeStartMs(dataDir: string, adminCard: string): Promise<number> {
  const t0 = performance.now();
  const node = await startNode({ dataDir, httpPort: 0, natsPort: 0, adminCard });
  await healthz(node.controlUrls[0]!, node.caCertificatePem);
  const ms = performance.now() - t0;
  await node.stop();
  return ms;
}

/** nats-server alone on the node's rendered config and store, until it logs "Server is ready". */
async function bareStartMs(dataDir: string): Promise<number> {
  const paths = nodePaths(dataDir);
  const key = (await readFile(join(paths.secretsDir, 'jetstream.key'), 'utf8')).trim();
  const t0 = performance.now();
  const child = spawn(resolveNatsServerBinary(), ['-c', join(paths.natsDir, 'nats-server.conf')], {
    env: { ...process.env, [AT_REST_KEY_ENV]: key },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${log}`)));
  });
  const ms = performance.now() - t0;
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
  return ms;
}

export async function benchNodeStart(): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const bench = await startBenchNode();
  const dataDir = join(bench.root, 'node');
  const seedStart = performance.now();
  await seed(dataDir, bench.node.natsUrls[0]!.replace(/^tls:/, 'nats:'));
  const seedMs = performance.now() - seedStart;
  await bench.node.stop();
  try {
    const card = person('unused').card; // admin #0 exists: the card is ignored
    await nodeStartMs(dataDir, card); // the first start after seeding makes streams and config
    const nodeMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      bareMs.push(await bareStartMs(dataDir));
      nodeMs.push(await nodeStartMs(dataDir, card));
    }
    return {
      rows: [
        atMost(
          'S1',
          `node cold start, ${ROOMS} rooms / ${USERS} users (ms)`,
          median(nodeMs),
          median(bareMs),
          2,
          '<= 2x bare nats-server start',
        ),
      ],
      details: { s1_node_ms: nodeMs, s1_bare_ms: bareMs, s1_seed_ms: Math.round(seedMs) },
    };
  } finally {
    await bench.stop().catch(() => {});
  }
}
