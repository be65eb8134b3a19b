/**
 * `unibus node start`: runs a node in the foreground. The profile's identity becomes admin #0
 * of a new node and the profile is connected to it, so the same profile's peer commands work at
 * once. Prints one JSON line `{"event":"ready",...}` when healthy; SIGTERM/SIGINT stop it in order.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeIdentityCard } from '../../main/protocol';
import { ensureNatsServer, printBuildProgress } from '../../main/node/nats-server';
import { nodePaths } from '../../main/node/runtime/node-state';
import { startNode, type RunningNode } from '../../main/node/runtime/start-node';
import { saveConnection } from '../../main/profile/connection';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';

export async function nodeCommand(args: string[], profileDir: string, out: Output): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'start')
    throw new UsageError(
      'usage: unibus node start --data-dir DIR [--bind ADDR] [--http-port N] [--nats-port N]',
    );
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      bind: { type: 'string' },
      'http-port': { type: 'string' },
      'nats-port': { type: 'string' },
      advertise: { type: 'string', multiple: true },
      handle: { type: 'string' },
      'admin-card': { type: 'string' },
      'stats-interval-ms': { type: 'string' },
      'stop-on-stdin-close': { type: 'boolean' },
      'no-profile': { type: 'boolean' },
      dev: { type: 'boolean' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'];
  if (dataDir === undefined) throw new UsageError('node start needs --data-dir DIR');
  if (values['stop-on-stdin-close'] === true) {
    // When the app dies its end of our pipes closes: a log line written then (EPIPE) must not
    // crash the node halfway through its orderly stop, leaving its nats-server behind.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  }
  // The desktop app passes the host's card: the node process never opens the identity's keys.
  // With --no-profile (the app, while the host's identity is still locked) the node starts from
  // its data directory alone: its secrets are its own, and admin #0 was seeded on the first start.
  const hostCard = values['admin-card'];
  const noProfile = values['no-profile'] === true;
  if (noProfile && hostCard === undefined && !existsSync(nodePaths(dataDir).nodeJson)) {
    throw new UsageError('a new node needs its first admin: pass --admin-card CARD');
  }
  const card = hostCard ?? (noProfile ? undefined : await profileCard(profileDir, values.handle));
  // nats-server is built once with Go when missing: on a terminal as one progress line here,
  // otherwise startNode does it and logs it as events.
  const natsServerBin = process.stderr.isTTY
    ? (await ensureNatsServer({ onProgress: printBuildProgress(process.stderr) })).path
    : undefined;
  const node = await startNode({
    dataDir,
    ...(natsServerBin !== undefined ? { natsServerBin } : {}),
    ...(values.bind !== undefined ? { bind: values.bind } : {}),
    ...(values['http-port'] !== undefined
      ? { httpPort: port(values['http-port'], '--http-port') }
      : {}),
    ...(values['nats-port'] !== undefined
      ? { natsPort: port(values['nats-port'], '--nats-port') }
      : {}),
    ...(values.advertise !== undefined ? { advertise: values.advertise } : {}),
    ...(card !== undefined ? { adminCard: card } : {}),
    dev: values.dev === true,
    // Operational events as JSON lines on stderr; stdout carries only the ready line.
    log: (event, detail) => process.stderr.write(`${JSON.stringify({ event, ...detail })}\n`),
  });
  if (hostCard === undefined && !noProfile)
    await saveConnection(profileDir, {
      v: 1,
      node_id: node.nodeId,
      control_urls: node.controlUrls,
      nats_urls: node.natsUrls,
      ca_fingerprint: node.caFingerprint,
      ca_pem: node.caCertificatePem,
    });
  process.stdout.write(
    `${JSON.stringify({
      event: 'ready',
      node_id: node.nodeId,
      control_urls: node.controlUrls,
      nats_urls: node.natsUrls,
      ca_fingerprint: node.caFingerprint,
      ca_pem: node.caCertificatePem,
      server_version: node.posture.server_version,
      posture: node.posture,
    })}\n`,
  );
  const statsTimer = startStats(node, values['stats-interval-ms']);
  if (!out.json)
    out.info(
      `node ${node.nodeId} is running; CA fingerprint ${node.caFingerprint}. Ctrl-C stops it.`,
    );

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    // Hosted by the app: when the app goes away (stdin closes), stop rather than linger.
    if (values['stop-on-stdin-close'] === true) {
      process.stdin.once('end', stop).once('close', stop).resume();
    }
  });
  clearInterval(statsTimer);
  await node.stop();
  out.info('node stopped');
}

async function profileCard(profileDir: string, handle: string | undefined): Promise<string> {
  const identity = await openProfileIdentity(profileDir, handle !== undefined ? { handle } : {});
  return encodeIdentityCard({
    handle: identity.record.handle,
    signPublic: identity.keys.signPublic,
    kexPublic: identity.keys.kexPublic,
  });
}

/** Every N ms one `{"event":"stats",...}` line on stdout (peers connected, bytes stored). */
function startStats(
  node: RunningNode,
  intervalText: string | undefined,
): NodeJS.Timeout | undefined {
  if (intervalText === undefined) return undefined;
  const interval = Number(intervalText);
  if (!Number.isInteger(interval) || interval < 100)
    throw new UsageError('--stats-interval-ms must be a whole number ≥ 100');
  const report = () =>
    void node.stats().then(
      (stats) =>
        process.stdout.write(
          `${JSON.stringify({ event: 'stats', peers: stats.peers, store_bytes: stats.storeBytes })}\n`,
        ),
      () => {}, // monitoring briefly down (nats-server restarting): the next tick reports
    );
  report();
  return setInterval(report, interval);
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new UsageError(`${flag} must be a port number (0 picks a free one)`);
  return value;
}
