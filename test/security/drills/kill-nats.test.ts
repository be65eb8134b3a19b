/**
 * Drill (reliability N4, threat catalog §4): `kill -9` of the node's nats-server while a member
 * publishes steadily to a persisted room, 20 times. The node's own supervisor restarts the
 * server each time (same config: file storage, at-rest cipher, `sync_interval: always`).
 * Afterwards every message the server acknowledged must be in the room stream, at the acked
 * sequence, with its exact content, and the stream holds nothing else (the retried msgIDs were
 * de-duplicated across the crashes).
 */
import { randomInt } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckedPublisher } from './support/acked-publisher';
import { startRoomNode, type RoomNode, type SupervisorEvent } from './support/node-room';
import { readStream } from './support/stream-reader';
import { sleep, spread, waitUntil } from './support/wait';

const CYCLES = 20;
const IN_FLIGHT = 4;
const PER_SECOND = 400;
/** Acks to see after each restart before the next kill: publishing is steady again. */
const ACKS_BEFORE_KILL = 100;
/**
 * The supervisor backs off exponentially (100 ms doubling to 10 s) and resets only after a run
 * of 30 s (DEFAULT_RESTART in supervisor.ts). Twenty back-to-back kills would spend ~140 s in
 * backoff alone, so once the delay reaches a few seconds the drill lets the server run past the
 * reset, publishing all along: a longer, fuller stream for the next kills to recover.
 */
const REST_WHEN_BACKOFF_MS = 5_000;
const SUPERVISOR_RESET_MS = 31_000;

/** Stream info, retried through the reconnect after a restart; throws if the stream is gone. */
async function streamInfo(jsm: JetStreamManager, stream: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await jsm.streams.info(stream);
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`stream ${stream} missing after restart: ${error}`);
      await sleep(100);
    }
  }
}

describe('drill: kill -9 of nats-server under steady JetStream publishing', () => {
  let rn: RoomNode;

  beforeAll(async () => {
    rn = await startRoomNode();
  }, 60_000);

  afterAll(async () => {
    await rn?.stop();
  }, 30_000);

  it(
    `loses 0 acknowledged messages over ${CYCLES} kill/restart cycles`,
    { timeout: 600_000 },
    async () => {
      const started = Date.now();
      const alice = await rn.connectAlice();
      const admin = await rn.connectBusAdmin();
      const jsm = await jetstreamManager(admin);
      const stream = rn.stream;
      // The settings under test: a file-backed room stream, fsync on every write, at rest.
      expect((await streamInfo(jsm, stream)).config.storage).toBe('file');
      expect(rn.serverConfig()).toMatch(/^\s*sync_interval: always$/m);
      expect(rn.serverConfig()).toMatch(/^\s*cipher: chachapoly$/m);

      const reconnectedAt: number[] = [];
      void (async () => {
        for await (const status of alice.status()) {
          if (status.type === 'reconnect') reconnectedAt.push(Date.now());
        }
      })();
      const publisher = new AckedPublisher(rn.sendAs(alice), (n) => rn.frameFor(n));
      publisher.start(IN_FLIGHT, PER_SECOND);

      const restartMs: number[] = [];
      const backoffMs: number[] = [];
      const reconnectMs: number[] = [];
      const outageMs: number[] = [];
      const after = (at: number, type: string, pid?: number) =>
        rn.supervisorEvents.find((e) => e.at >= at && e.type === type && (!pid || e.pid !== pid));
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const base = publisher.acked.size;
        await waitUntil(
          () => publisher.acked.size >= base + ACKS_BEFORE_KILL,
          60_000,
          `steady publishing before kill ${cycle}`,
        );
        await sleep(randomInt(0, 200)); // land anywhere in the write path
        const pid = rn.node.supervisor.pid!;
        const killedAt = Date.now();
        process.kill(pid, 'SIGKILL');
        await waitUntil(() => !!after(killedAt, 'started', pid), 60_000, `restart ${cycle}`);
        const up = after(killedAt, 'started', pid) as SupervisorEvent;
        const scheduled = after(killedAt, 'restart-scheduled') as SupervisorEvent;
        restartMs.push(up.at - killedAt);
        backoffMs.push(Number(scheduled['delayMs']));
        // The client may get in before the supervisor confirms readiness: count from the kill.
        const back = () => reconnectedAt.find((t) => t > killedAt);
        await waitUntil(() => back() !== undefined, 30_000, `reconnect ${cycle}`);
        reconnectMs.push(back()! - killedAt);
        const acksAtRestart = publisher.acked.size;
        await waitUntil(() => publisher.acked.size > acksAtRestart, 30_000, `ack after ${cycle}`);
        outageMs.push(Date.now() - killedAt);
        // The 2.10.20–22 failure mode: the stream itself forgotten after a kill.
        expect((await streamInfo(jsm, stream)).config.name).toBe(stream);
        if (Number(scheduled['delayMs']) >= REST_WHEN_BACKOFF_MS && cycle < CYCLES) {
          await sleep(SUPERVISOR_RESET_MS);
        }
      }
      await publisher.stop();

      // Read the whole stream back as the node's BUS identity.
      const contents = await readStream(admin, stream);
      const lost = [...publisher.acked].filter(([id, seq]) => {
        const found = contents.byMsgId.get(id);
        const sent = publisher.byId(id);
        return (
          found?.seq !== seq || !sent || !Buffer.from(found.data).equals(Buffer.from(sent.data))
        );
      });

      console.log(
        `DRILL kill-nats: cycles=${CYCLES} acked=${publisher.acked.size} lost=${lost.length} ` +
          `stored=${contents.count} repeated_ids=${contents.repeatedIds} ` +
          `publish_attempts=${publisher.attempts} failed_during_outages=${publisher.failedAttempts} ` +
          `duplicate_acks=${publisher.duplicateAcks} supervisor_restarts=${rn.node.supervisor.restarts} ` +
          `kill_to_server_ready_ms(min/p50/p95/max)=${spread(restartMs)} ` +
          `of_which_backoff_ms=${spread(backoffMs)} ` +
          `spawn_to_ready_ms=${spread(restartMs.map((ms, i) => ms - backoffMs[i]!))} ` +
          `kill_to_client_reconnected_ms=${spread(reconnectMs)} ` +
          `kill_to_first_new_ack_ms=${spread(outageMs)} ` +
          `total_s=${((Date.now() - started) / 1000).toFixed(1)}`,
      );
      expect(lost.map(([id]) => id)).toEqual([]);
      expect(contents.count).toBe(publisher.acked.size);
      expect(contents.repeatedIds).toBe(0);
      expect(rn.node.supervisor.restarts).toBe(CYCLES);
    },
  );
});
