/**
 * PERF.md K1: kick → the kicked member cut off (the route answers after the store change, the
 * auth callout's access sync and the KICK of every connection of the member) — vs the bare
 * mechanism the cut rides on, in the same run: CONNZ + KICK of one connection, median of five.
 * The kick is the whole peer call (member list, re-key sealing, signed POST, events).
 */
import { connect } from '@nats-io/transport-node';
import { nkeyAuthenticator } from '@nats-io/nats-core';
import { natsServerUrls } from '../../src/main/bus';
import { nkeyUserSeed } from '../../src/main/crypto';
import { person, sleep, startBenchNode } from './fixture';
import { median, type Row } from './row';

export async function benchKick(): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const bench = await startBenchNode();
  try {
    const carol = person('carol');
    const dave = person('dave');
    await bench.addUser(carol);
    await bench.addUser(dave);
    const a = await bench.openPeer(bench.alice, 'alice');
    const room = await a.createRoom('k1');
    for (let i = 0; i < 20; i++) await a.send(room.id, `before the kick ${i}`);
    await a.invite(room.id, carol.card);
    const c = await bench.openPeer(carol, 'carol');
    for (let i = 0; i < 300 && !(await c.listRooms()).some((r) => r.id === room.id); i++)
      await sleep(100);
    // Node and peers share this process: carol's catch-up must not be what the kick is timed
    // against.
    await c.history(room.id, { timeoutMs: 120_000 });
    const k0 = performance.now();
    const receipt = await a.kick(room.id, 'carol');
    const kickMs = performance.now() - k0;
    // Baseline: CONNZ + KICK of one connection of dave's, and nothing else.
    const daveEndpoint = (JSON.parse(dave.card) as { id: string }).id;
    const bare: number[] = [];
    for (let i = 0; i < 5; i++) {
      const victim = await connect({
        servers: natsServerUrls(bench.node.natsUrls),
        tls: { ca: bench.node.caCertificatePem },
        authenticator: nkeyAuthenticator(
          new TextEncoder().encode(nkeyUserSeed(dave.keys.signSeed)),
        ),
        reconnect: false,
      });
      const t = performance.now();
      await bench.node.dataPlane.disconnect([daveEndpoint]);
      bare.push(performance.now() - t);
      await victim.closed();
    }
    const base = median(bare);
    return {
      rows: [
        {
          id: 'K1',
          metric: 'kick -> cut off, 3 users (ms)',
          value: kickMs,
          baseline: base,
          ratio: kickMs / base,
          // PERF.md's K1 targets are about scale (10 vs 10,000 users, 1,000 connected): issue
          // 14's benchmark work. This row reports the whole call against the bare KICK.
          target: '(reported, vs bare CONNZ + KICK)',
          pass: true,
        },
      ],
      details: { k1_receipt: receipt, k1_bare_kicks_ms: bare },
    };
  } finally {
    await bench.stop();
  }
}
