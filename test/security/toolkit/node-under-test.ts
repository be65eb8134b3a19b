/**
 * T0: the system under test. The node is started in-process with the real startNode (real
 * nats-server, TLS, nkeys, JetStream) on free loopback ports in a temp data dir. The harness
 * holds one admin identity, used only to register the identities a test needs (T3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startNode,
  type NodeOptions,
  type RunningNode,
} from '../../../src/main/node/runtime/start-node';
import { newIdentity, type Identity } from './identity';
import type { NatsTarget } from './raw-nats';
import { call, type Target } from './signed-http';

export interface NodeUnderTest {
  readonly node: RunningNode;
  readonly dataDir: string;
  readonly admin: Identity;
  readonly target: Target;
  readonly nats: NatsTarget;
  /** The node's process (this test process) and its nats-server child. */
  pids(): number[];
  /** Registers fresh identities through the admin (POST /v1/users) and returns them. */
  register<const H extends readonly string[]>(...handles: H): Promise<{ [K in keyof H]: Identity }>;
  /** Stops the node, lets `between` change its data dir, starts it again on new ports. */
  restart(between?: () => void | Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export function targetOf(node: RunningNode): Target {
  const url = new URL(node.controlUrls[0]!);
  return {
    host: url.hostname,
    port: Number(url.port),
    caPem: node.caCertificatePem,
    nodeId: node.nodeId,
  };
}

export async function startNodeUnderTest(
  extra: Partial<NodeOptions> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'unibus-security-')),
): Promise<NodeUnderTest> {
  const admin = newIdentity('admin');
  const options: NodeOptions = { dataDir, httpPort: 0, natsPort: 0, ...extra };
  let node: RunningNode | null;
  try {
    node = await startNode({ ...options, adminCard: admin.card });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = () => {
    if (node === null) throw new Error('the node under test is not running');
    return node;
  };
  const self: NodeUnderTest = {
    get node() {
      return running();
    },
    dataDir,
    admin,
    get target() {
      return targetOf(running());
    },
    get nats() {
      return { url: running().natsUrls[0]!, caPem: running().caCertificatePem };
    },
    pids: () => [process.pid, ...(running().supervisor.pid ? [running().supervisor.pid!] : [])],
    register: (async (...handles: string[]) => {
      const people = handles.map((h) => newIdentity(h));
      for (const p of people) {
        const res = await call(self.target, admin, 'POST', '/v1/users', { card: p.card });
        if (res.status !== 201) throw new Error(`register ${p.handle}: ${res.status} ${res.text}`);
      }
      return people;
    }) as NodeUnderTest['register'],
    restart: async (between) => {
      await node?.stop();
      node = null;
      await between?.();
      node = await startNode(options);
    },
    stop: async () => {
      await node?.stop();
      node = null;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
