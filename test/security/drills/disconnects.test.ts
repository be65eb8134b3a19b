/**
 * Drill (reliability R1): alice's BusPeer sends 10 msg/s to a persisted room on a real node
 * while her NATS connection is cut 50 times through a TCP relay. Bob, connected directly,
 * must render every message exactly once (0 lost, 0 duplicated), and the room stream must hold
 * each message exactly once: the outbox resends with the same msgID and JetStream de-duplicates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusPeer, type PeerLogEvent } from '../../../src/main/bus';
import { ControlPlaneClient } from '../../../src/main/control-plane';
import { startNode, type RunningNode } from '../../../src/main/node/runtime/start-node';
import type { NodeConnection } from '../../../src/main/profile/connection';
import { person, type Person } from '../../../test-support/node-fixtures';
import { TcpRelay } from './support/tcp-relay';
import { sleep, spread, waitUntil } from './support/wait';

const CUTS = 50;
const SEND_INTERVAL_MS = 100; // 10 msg/s
/** Connected time between cuts: long enough for traffic to flow on each new connection. */
const CONNECTED_MS = { min: 500, max: 1_500 };

describe('drill: 50 forced disconnects while sending 10 msg/s to a persisted room', () => {
  const root = mkdtempSync(join(tmpdir(), 'unibus-drill-disconnects-'));
  const alice = person('alice');
  const bob = person('bob');
  let node: RunningNode;
  let relay: TcpRelay;
  const peers: BusPeer[] = [];
  const logs = new Map<string, PeerLogEvent[]>([
    ['alice', []],
    ['bob', []],
  ]);

  function connection(natsUrls: readonly string[]): NodeConnection {
    return {
      v: 1,
      node_id: node.nodeId,
      control_urls: node.controlUrls,
      nats_urls: natsUrls,
      ca_fingerprint: node.caFingerprint,
      ca_pem: node.caCertificatePem,
    };
  }

  async function connectPeer(who: Person, natsUrls: readonly string[]): Promise<BusPeer> {
    const peer = await BusPeer.connect({
      profileDir: join(root, who.handle),
      identity: { record: { handle: who.handle }, keys: who.keys },
      connection: connection(natsUrls),
      // As bus.integration.test.ts: reconnect quickly so 50 cuts fit in CI time.
      connectionOptions: { reconnectTimeWaitMs: 250 },
      log: (entry) => logs.get(who.handle)?.push(entry),
    });
    peers.push(peer);
    return peer;
  }

  beforeAll(async () => {
    node = await startNode({
      dataDir: join(root, 'node'),
      httpPort: 0,
      natsPort: 0,
      adminCard: alice.card,
    });
    const admin = new ControlPlaneClient({
      nodeId: node.nodeId,
      urls: node.controlUrls,
      caPem: node.caCertificatePem,
      signSeed: alice.keys.signSeed,
    });
    await admin.post('/v1/users', { card: bob.card });
    const nats = new URL(node.natsUrls[0]!.replace(/^tls:/, 'http:'));
    relay = await TcpRelay.start(nats.hostname, Number(nats.port));
  }, 60_000);

  afterAll(async () => {
    for (const peer of peers) await peer.close().catch(() => {});
    await relay?.close();
    await node?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it(`bob sees every message exactly once across ${CUTS} cuts`, { timeout: 600_000 }, async () => {
    const started = Date.now();
    // Alice's data plane goes through the relay; her control plane and bob go direct.
    const sender = await connectPeer(alice, [`tls://127.0.0.1:${relay.port}`]);
    const receiver = await connectPeer(bob, node.natsUrls);
    const rendered = new Map<string, number>();
    const fromStream = new Map<string, number>();
    const count = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
    let roomId = '';
    const renderedAt = new Map<string, number>();
    receiver.on('message', (m) => {
      if (m.roomId !== roomId) return;
      if (!rendered.has(m.id)) renderedAt.set(m.id, Date.now());
      count(rendered, m.id);
      if (m.via === 'history') count(fromStream, m.id);
    });
    receiver.on('duplicate', (d) => {
      if (d.roomId === roomId && d.via === 'history') count(fromStream, d.id);
    });
    const reconnectedAt: number[] = [];
    sender.on('state', (state) => {
      if (state === 'connected') reconnectedAt.push(Date.now());
    });
    await sender.start();
    await receiver.start();
    roomId = (await sender.createRoom('drill', { policy: { persist: true } })).id;
    await sender.invite(roomId, 'bob');
    let bobHasRoom = false;
    receiver.on('rooms', () => {
      void receiver.listRooms().then((rooms) => {
        bobHasRoom ||= rooms.some((r) => r.id === roomId);
      });
    });
    bobHasRoom = (await receiver.listRooms()).some((r) => r.id === roomId);
    await waitUntil(() => bobHasRoom, 15_000, 'bob to see the room');

    // 10 msg/s through the outbox, whatever the connection is doing.
    const sent: string[] = [];
    const sentAt = new Map<string, number>();
    let sending = true;
    const sendLoop = (async () => {
      const t0 = Date.now();
      for (let i = 0; sending; i++) {
        const at = Date.now();
        const { id } = await sender.send(roomId, `drill ${i}`);
        sent.push(id);
        sentAt.set(id, at);
        await sleep(t0 + (i + 1) * SEND_INTERVAL_MS - Date.now());
      }
    })();
    let outboxPeak = 0;
    const sampler = setInterval(() => (outboxPeak = Math.max(outboxPeak, sender.outboxSize)), 20);

    const reconnectMs: number[] = [];
    let socketsCut = 0;
    for (let cut = 1; cut <= CUTS; cut++) {
      await waitUntil(() => sender.connectionState === 'connected', 30_000, `connected ${cut}`);
      await sleep(randomInt(CONNECTED_MS.min, CONNECTED_MS.max));
      const cutAt = Date.now();
      socketsCut += relay.cut();
      await waitUntil(() => reconnectedAt.some((t) => t > cutAt), 30_000, `reconnect ${cut}`);
      reconnectMs.push(reconnectedAt.find((t) => t > cutAt)! - cutAt);
    }
    sending = false;
    await sendLoop;
    await waitUntil(() => sent.every((id) => rendered.has(id)), 60_000, 'bob to see every message');
    await waitUntil(() => sender.outboxSize === 0, 30_000, 'the outbox to empty');
    clearInterval(sampler);
    await receiver.history(roomId, { timeoutMs: 30_000 }); // his stream consumer caught up

    const sentSet = new Set(sent);
    const lost = sent.filter((id) => !rendered.has(id));
    const unexpected = [...rendered.keys()].filter((id) => !sentSet.has(id));
    const renderedTwice = [...rendered].filter(([, n]) => n !== 1);
    const notOnceInStream = sent.filter((id) => fromStream.get(id) !== 1);
    const latencyMs = sent.map((id) => renderedAt.get(id)! - sentAt.get(id)!);
    const aliceLogs = logs.get('alice')!;
    const failed = aliceLogs.filter((l) => l.event === 'publish-failed');
    const publishFailures = failed.length;
    // What each failed publish died of (e.g. a timeout waiting for an ack lost with the cut).
    const failureKinds = new Map<string, number>();
    for (const l of failed) count(failureKinds, String(l.detail['error']).split(':')[0]!);
    const dedupedResends = aliceLogs.filter(
      (l) => l.event === 'stored' && l.detail['duplicate'] === true,
    ).length;
    console.log(
      `DRILL disconnects: cuts=${CUTS} sockets_cut=${socketsCut} relay_connections=${relay.accepted} ` +
        `sent=${sent.length} received=${rendered.size} lost=${lost.length} ` +
        `duplicates_rendered=${renderedTwice.length} unexpected=${unexpected.length} ` +
        `stream_not_exactly_once=${notOnceInStream.length} publish_failures=${publishFailures} ` +
        `(${[...failureKinds].map(([k, n]) => `${k}:${n}`).join(',')}) ` +
        `resends_deduplicated_by_jetstream=${dedupedResends} outbox_peak=${outboxPeak} ` +
        `cut_to_reconnected_ms(min/p50/p95/max)=${spread(reconnectMs)} ` +
        `send_to_rendered_ms(min/p50/p95/max)=${spread(latencyMs)} ` +
        `total_s=${((Date.now() - started) / 1000).toFixed(1)}`,
    );
    expect(lost).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(renderedTwice).toEqual([]);
    expect(notOnceInStream).toEqual([]);
    expect(sent.filter((id) => sender.status(id)?.state !== 'stored')).toEqual([]);
    expect(relay.accepted).toBeGreaterThanOrEqual(CUTS + 1);
    // A cut must not stall the outbox for a publish timeout (it once did: p50 32 s, max 42 s).
    // Generous bound for a loaded 2-core CI machine; measured max 91 ms after the fix.
    expect(Math.max(...latencyMs)).toBeLessThan(5_000);
  });
});
