/**
 * PERF.md M1 and M2 against a real node in this process, each with its same-run baseline:
 *   M1 messages received, verified and opened per second by one peer (256 B, signed encrypted
 *      room), catching up a backlog from the room history — vs native Ed25519 verify/s on one
 *      core (the target) and on all cores (reported);
 *   M2 publish → decrypted-at-receiver latency p50/p99 at 200 msg/s — vs raw nats.js
 *      publish → receive on the same server, subject and rate.
 */
import { connect } from '@nats-io/transport-node';
import { headers, nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { natsServerUrls, type RoomEntry } from '../../src/main/bus';
import { nkeyUserSeed } from '../../src/main/crypto';
import { person, sleep, startBenchNode, waitUntil, type Person } from './fixture';
import { atLeast, atMost, percentile, reported, type Row } from './row';
import { verifyPerSecond, verifyPerSecondAllCores } from './verify-rate';

const M1_MESSAGES = Number(process.env['BENCH_M1_MESSAGES'] ?? 3000);
const M2_SECONDS = Number(process.env['BENCH_M2_SECONDS'] ?? 5);
const M2_RATE = 200;

async function rawConnection(
  who: Person,
  urls: readonly string[],
  ca: string,
  inbox: string,
): Promise<NatsConnection> {
  return connect({
    servers: natsServerUrls(urls),
    tls: { ca },
    authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeyUserSeed(who.keys.signSeed))),
    inboxPrefix: inbox,
  });
}

/** Calls `tick(i)` `total` times at `rate` per second. */
async function paced(total: number, rate: number, tick: (i: number) => unknown): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    await tick(i);
  }
}

export async function benchMessages(
  only: (id: string) => boolean,
): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const bench = await startBenchNode();
  const bob = person('bob');
  const raws: NatsConnection[] = [];
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  try {
    await bench.addUser(bob);
    const a = await bench.openPeer(bench.alice, 'alice');
    const room = await a.createRoom('bench');
    await a.invite(room.id, bob.card);

    if (only('M1')) {
      // bob catches up a backlog of M1_MESSAGES from the room history (control-plane pages).
      const oneCore = verifyPerSecond();
      const allCores = await verifyPerSecondAllCores();
      const text = 'x'.repeat(256);
      let lastId = '';
      for (let i = 0; i < M1_MESSAGES; i++) lastId = (await a.send(room.id, text)).id;
      await a.waitForStatus(lastId, 120_000);
      const arrivals: number[] = [];
      const b = await bench.openPeer(bob, 'bob-m1');
      b.on('message', (m) => {
        if (m.roomId === room.id && m.text === text) arrivals.push(performance.now());
      });
      await waitUntil(() => arrivals.length >= M1_MESSAGES, 120_000, 'bob to catch up');
      const rate = ((arrivals.length - 1) * 1000) / (arrivals.at(-1)! - arrivals[0]!);
      const lost = M1_MESSAGES - arrivals.length;
      const m1 = atLeast(
        'M1',
        'msgs received+verified+opened / s',
        rate,
        oneCore,
        0.8,
        '>= 0.8 of 1-core verify/s, 0 lost',
      );
      rows.push({ ...m1, pass: m1.pass && lost === 0 });
      rows.push(reported('M1', `same, vs ${allCores.cores}-core verify/s`, rate, allCores.rate));
      await b.close();
      Object.assign(details, { m1_messages: M1_MESSAGES, m1_received: arrivals.length });
    }

    if (only('M2')) {
      const b = await bench.openPeer(bob, 'bob-m2');
      await b.history(room.id, { timeoutMs: 120_000 });
      const sentAt = new Map<string, number>();
      const decryptedAt = new Map<string, number>();
      b.on('message', (m) => {
        if (!decryptedAt.has(m.id)) decryptedAt.set(m.id, performance.now());
      });
      const total = M2_SECONDS * M2_RATE;
      await paced(total, M2_RATE, async (i) => {
        const t = performance.now();
        sentAt.set((await a.send(room.id, `m2 ${i}`)).id, t);
      });
      const delivered = () => [...sentAt.keys()].filter((id) => decryptedAt.has(id)).length;
      await waitUntil(() => delivered() >= total * 0.99, 30_000, 'M2 deliveries');
      const latencies = [...sentAt]
        .filter(([id]) => decryptedAt.has(id))
        .map(([id, t]) => decryptedAt.get(id)! - t)
        .sort((x, y) => x - y);

      // Baseline: raw nats.js publish → receive on the same server, subject and rate.
      const inbox = async (who: typeof a) =>
        (await who.control.get<{ data_plane: { inbox_prefix: string } }>('/v1/me')).data_plane
          .inbox_prefix;
      const subject = (await a.control.get<RoomEntry>(`/v1/rooms/${room.id}`)).data_plane!.subject;
      const { natsUrls, caCertificatePem } = bench.node;
      const pub = await rawConnection(bench.alice, natsUrls, caCertificatePem, await inbox(a));
      const sub = await rawConnection(bob, natsUrls, caCertificatePem, await inbox(b));
      raws.push(pub, sub);
      const raw: number[] = [];
      sub.subscribe(subject, {
        callback: (e, m) => {
          if (!e && m.headers?.get('bench-t'))
            raw.push(performance.now() - Number(m.headers.get('bench-t')));
        },
      });
      await sub.flush();
      await paced(total, M2_RATE, () => {
        const h = headers();
        h.set('bench-t', String(performance.now()));
        pub.publish(subject, new Uint8Array(256), { headers: h });
      });
      await waitUntil(() => raw.length >= total * 0.99, 30_000, 'raw deliveries');
      raw.sort((x, y) => x - y);
      rows.push(
        atMost(
          'M2',
          'p50 latency at 200 msg/s (ms)',
          percentile(latencies, 0.5),
          percentile(raw, 0.5),
          3,
          '<= 3x raw nats.js p50',
        ),
        atMost(
          'M2',
          'p99 latency at 200 msg/s (ms)',
          percentile(latencies, 0.99),
          percentile(raw, 0.99),
          5,
          '<= 5x raw nats.js p99',
        ),
      );
      Object.assign(details, { m2_sent: total, m2_received: latencies.length });
    }
    return { rows, details };
  } finally {
    for (const nc of raws) await nc.close().catch(() => {});
    await bench.stop();
  }
}
