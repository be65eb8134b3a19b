/**
 * PERF.md K1: kick → the kicked member cut off (the route answers after the cut is confirmed and
 * the member's consumers are deleted) — vs the bare mechanism the cut rides on, in the same run
 * (today: a nats-server config reload of the same configuration, median of five).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { person, sleep, startBenchNode } from './fixture';
import { atMost, median, type Row } from './row';

export async function benchKick(): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const bench = await startBenchNode();
  try {
    const carol = person('carol');
    await bench.addUser(carol);
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
    const configText = readFileSync(join(bench.root, 'node', 'nats', 'nats-server.conf'), 'utf8');
    const bare: number[] = [];
    for (let i = 0; i < 5; i++) bare.push((await bench.node.supervisor.reload(configText)).totalMs);
    return {
      rows: [
        atMost('K1', 'kick -> cut off, 3 users (ms)', kickMs, median(bare), 2, '<= 2x bare reload'),
      ],
      details: { k1_receipt: receipt, k1_bare_reloads_ms: bare },
    };
  } finally {
    await bench.stop();
  }
}
