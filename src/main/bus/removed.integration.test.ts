/**
 * A revoked member's peer (issue 14 Build 2): the node KICKs the connection, the callout
 * refuses the reconnect, the control plane answers 401, and the peer ends in the final state
 * `removed` (the app shows "Your access to this node was removed by an admin.") instead of
 * reconnecting forever. A refusal that is not a revocation (the node restarting) is not final:
 * bus.integration.test.ts restarts the node under connected peers, which come back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, signedCall } from '../../../test-support/node-fixtures';
import { startNode, type RunningNode } from '../node/runtime/start-node';
import { BusPeer } from './peer';
import type { ConnectionState } from './connection';

describe('a revoked member is told, once, and stops reconnecting', () => {
  const root = mkdtempSync(join(tmpdir(), 'unibus-removed-'));
  const admin = person('admin');
  const bob = person('bob');
  let node: RunningNode;
  let peer: BusPeer;
  const states: ConnectionState[] = [];

  beforeAll(async () => {
    node = await startNode({
      dataDir: join(root, 'node'),
      httpPort: 0,
      natsPort: 0,
      adminCard: admin.card,
    });
    const url = new URL(node.controlUrls[0]!);
    const target = {
      host: url.hostname,
      port: Number(url.port),
      caPem: node.caCertificatePem,
      nodeId: node.nodeId,
    };
    expect((await signedCall(target, admin, 'POST', '/v1/users', { card: bob.card })).status).toBe(
      201,
    );
    peer = await BusPeer.connect({
      profileDir: join(root, 'bob'),
      identity: { record: { handle: 'bob' }, keys: bob.keys },
      connection: {
        v: 1,
        node_id: node.nodeId,
        control_urls: node.controlUrls,
        nats_urls: node.natsUrls,
        ca_pem: node.caCertificatePem,
        ca_fingerprint: node.caFingerprint,
      },
      connectionOptions: { reconnectTimeWaitMs: 100 },
    });
    peer.on('state', (s) => states.push(s));
    await peer.start();
    const revoke = await signedCall(target, admin, 'POST', `/v1/users/${bob.signPubHex}/revoke`);
    expect(revoke.status).toBe(200);
  });

  afterAll(async () => {
    await peer?.close();
    await node?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('ends in `removed` after the KICK, and stays there', async () => {
    await expect.poll(() => peer.connectionState, { timeout: 15_000 }).toBe('removed');
    expect(states).toContain('disconnected');
    expect(states.at(-1)).toBe('removed');
    await new Promise((r) => setTimeout(r, 500));
    expect(peer.connectionState).toBe('removed'); // no reconnect loop afterwards
  });
});
