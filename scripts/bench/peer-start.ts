/**
 * PERF.md S2: peer start → room list and every room's last message ready, for a peer with 100
 * rooms whose history it already holds — with 100k messages of history vs 10k, same run. Start-up
 * must cost O(new messages), not O(history): the ratio should stay near 1.
 * bob writes the history (alice reads it, so it is someone else's signed frames she checks);
 * alice's peer is caught up before each timed restart, so the restart has nothing new to fetch.
 */
import type { BusPeer } from '../../src/main/bus';
import { person, startBenchNode, waitUntil, type BenchNode } from './fixture';
import { atMost, median, type Row } from './row';

const ROOMS = Number(process.env['BENCH_S2_ROOMS'] ?? 100);
const SMALL = Number(process.env['BENCH_S2_SMALL'] ?? 10_000);
const LARGE = Number(process.env['BENCH_S2_LARGE'] ?? 100_000);
const RESTARTS = 2;
const TEXT = 's2 '.padEnd(64, 'x');

/** bob sends `perRoom` messages to every room (rooms in parallel); returns each room's last id. */
async function fill(bob: BusPeer, rooms: readonly string[], perRoom: number) {
  const last = new Map<string, string>();
  await Promise.all(
    rooms.map(async (roomId) => {
      for (let i = 0; i < perRoom; i++) last.set(roomId, (await bob.send(roomId, TEXT)).id);
    }),
  );
  await Promise.all([...last.values()].map((id) => bob.waitForStatus(id, 600_000)));
  return last;
}

function hasAll(peer: BusPeer, last: ReadonlyMap<string, string>): boolean {
  for (const [roomId, id] of last) {
    if (!peer.openRooms().some((r) => r.id === roomId)) return false;
    if (!peer.messages(roomId).some((m) => m.id === id)) return false;
  }
  return true;
}

/** Opens alice's peer on her profile and waits until every room shows its last message. */
async function openCaughtUp(bench: BenchNode, last: ReadonlyMap<string, string>) {
  const t0 = performance.now();
  const alice = await bench.openPeer(bench.alice, 'alice');
  await waitUntil(() => hasAll(alice, last), 900_000, 'alice to hold every room');
  return { alice, ms: performance.now() - t0 };
}

async function timedRestarts(bench: BenchNode, last: ReadonlyMap<string, string>) {
  const times: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const { alice, ms } = await openCaughtUp(bench, last);
    times.push(ms);
    await alice.close();
  }
  return times;
}

export async function benchPeerStart(): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const bench = await startBenchNode();
  try {
    const bob = person('bob');
    await bench.addUser(bob);
    const alice = await bench.openPeer(bench.alice, 'alice');
    const rooms: string[] = [];
    for (let i = 0; i < ROOMS; i++) {
      const room = await alice.createRoom(`s2-${i}`);
      await alice.invite(room.id, bob.card);
      rooms.push(room.id);
    }
    const bobPeer = await bench.openPeer(bob, 'bob');
    await waitUntil(
      () => rooms.every((id) => bobPeer.openRooms().some((r) => r.id === id)),
      120_000,
      'bob in every room',
    );

    let last = await fill(bobPeer, rooms, Math.ceil(SMALL / ROOMS));
    await waitUntil(() => hasAll(alice, last), 900_000, 'alice to catch up the small history');
    await alice.close();
    const small = await timedRestarts(bench, last);

    last = await fill(bobPeer, rooms, Math.ceil((LARGE - SMALL) / ROOMS));
    await (await openCaughtUp(bench, last)).alice.close(); // catch up once, untimed
    const large = await timedRestarts(bench, last);

    return {
      rows: [
        atMost(
          'S2',
          `peer start, ${ROOMS} rooms, ${LARGE / 1000}k vs ${SMALL / 1000}k msgs (ms)`,
          median(large),
          median(small),
          1.2,
          '<= 1.2x the 10k start',
        ),
      ],
      details: { s2_small_ms: small, s2_large_ms: large },
    };
  } finally {
    await bench.stop();
  }
}
