/**
 * `unibus node start`: runs a node in the foreground. The profile's identity becomes admin #0
 * of a new node and the profile is connected to it, so the same profile's peer commands work at
 * once. Prints one JSON line `{"event":"ready",...}` when healthy; SIGTERM/SIGINT stop it in order.
 */
import { parseArgs } from 'node:util';
import { encodeIdentityCard } from '../../main/protocol';
import { startNode } from '../../main/node/runtime/start-node';
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
      dev: { type: 'boolean' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'];
  if (dataDir === undefined) throw new UsageError('node start needs --data-dir DIR');
  const identity = await openProfileIdentity(
    profileDir,
    values.handle !== undefined ? { handle: values.handle } : {},
  );
  const card = encodeIdentityCard({
    handle: identity.record.handle,
    signPublic: identity.keys.signPublic,
    kexPublic: identity.keys.kexPublic,
  });
  const node = await startNode({
    dataDir,
    ...(values.bind !== undefined ? { bind: values.bind } : {}),
    ...(values['http-port'] !== undefined
      ? { httpPort: port(values['http-port'], '--http-port') }
      : {}),
    ...(values['nats-port'] !== undefined
      ? { natsPort: port(values['nats-port'], '--nats-port') }
      : {}),
    ...(values.advertise !== undefined ? { advertise: values.advertise } : {}),
    adminCard: card,
    dev: values.dev === true,
    // Operational events as JSON lines on stderr; stdout carries only the ready line.
    log: (event, detail) => process.stderr.write(`${JSON.stringify({ event, ...detail })}\n`),
  });
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
      server_version: node.posture.server_version,
    })}\n`,
  );
  if (!out.json)
    out.info(
      `node ${node.nodeId} is running; CA fingerprint ${node.caFingerprint}. Ctrl-C stops it.`,
    );

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await node.stop();
  out.info('node stopped');
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new UsageError(`${flag} must be a port number (0 picks a free one)`);
  return value;
}
