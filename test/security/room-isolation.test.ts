/**
 * Issue 12, attack 3: no write into a room from outside it. nats-server does not check a
 * publisher's rights on reply or deliver subjects (nats-server#8274): whatever the server
 * answers with — a JetStream PubAck, a pull delivery, a 404/408/100 status, an API response,
 * an ack-ack, a push delivery — goes to the subject the requester named. Bob, a member of room
 * B only, names room A's message subject (or Alice's inbox) on every JetStream API that takes
 * a reply or deliver subject, on the ingest and on plain publishes. Nothing may be delivered on
 * room A (Alice listens on all of it) or stored in it (Alice's history), and no receipt may
 * land in Alice's inbox. Positive controls: a member of A is heard and stored; Bob's own frame
 * in B is stored and answered in his own inbox.
 */
import type { Msg } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  frameBody,
  grant,
  newRoom,
  rawNats,
  signFrame,
  sleep,
  startNodeUnderTest,
  textBody,
  waitUntil,
  type Identity,
  type NewRoom,
  type NodeUnderTest,
  type RawNats,
} from './toolkit';

interface Plane {
  subject: string;
  subjects: string;
  /** Named by nodes before auth callout; computed from the token otherwise. */
  stream?: string;
}

let n: NodeUnderTest;
let alice: Identity; // member of A
let bob: Identity; // member of B (the attacker)
let carol: Identity; // member of B (bob's accomplice)
let A: NewRoom;
let B: NewRoom;
let a: Plane;
let b: Plane;
const open: RawNats[] = [];

const api = (who: Identity, method: string, path: string, body?: unknown) =>
  call(n.target, who, method, path, body);
const me = async (who: Identity) =>
  (await api(who, 'GET', '/v1/me')).json.data_plane as { uid: string; inbox_prefix: string };
async function natsAs(who: Identity): Promise<RawNats> {
  const c = await rawNats(n.nats, who, { inboxPrefix: (await me(who)).inbox_prefix });
  open.push(c);
  return c;
}
async function room(owner: Identity, members: Identity[]): Promise<{ r: NewRoom; p: Plane }> {
  const r = newRoom(owner);
  const created = await api(owner, 'POST', '/v1/rooms', r.body);
  expect(created.status).toBe(201);
  for (const m of members) {
    const res = await api(owner, 'POST', `/v1/rooms/${r.roomId}/members`, {
      endpoint: m.endpoint,
      keys: [grant(owner, r.roomId, 1, r.roomKey, m)],
    });
    expect(res.status).toBe(201);
  }
  return { r, p: created.json.data_plane as Plane };
}
const frame = (r: NewRoom, sender: Identity, text: string) =>
  signFrame(
    frameBody({
      roomId: r.roomId,
      epoch: 1,
      sender: sender.endpoint,
      roomKey: r.roomKey,
      plaintext: textBody(text),
    }),
    sender.signSeed,
  );
const streamOf = (p: Plane) => p.stream ?? `UNIBUS_${p.subject.split('.')[2]}`;
/** Room A's last stored sequence, as Alice's history reports it (null: no history route). */
async function storedInA(): Promise<number | null> {
  const res = await api(alice, 'GET', `/v1/rooms/${A.roomId}/messages`);
  return res.status === 200 ? (res.json.last_seq as number) : null;
}

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice, bob, carol] = await n.register('alice', 'bob', 'carol');
  ({ r: A, p: a } = await room(alice, []));
  ({ r: B, p: b } = await room(bob, [carol]));
});
afterAll(async () => {
  for (const c of open) await c.nc.close().catch(() => {});
  await n?.stop();
});

describe('no write into a room from outside it (issue 12 attack 3)', () => {
  it('a member of B cannot make anything appear on, or be stored in, room A', async () => {
    const al = await natsAs(alice);
    const onA: Msg[] = [];
    al.nc.subscribe(a.subjects, { callback: (e, m) => void (!e && onA.push(m)) });
    const aliceInbox: Msg[] = [];
    const aliceInboxPrefix = (await me(alice)).inbox_prefix;
    al.nc.subscribe(`${aliceInboxPrefix}.>`, {
      callback: (e, m) => void (!e && aliceInbox.push(m)),
    });
    await al.nc.flush();

    // Positive controls: Alice's own frame is heard on A and stored in A.
    const control = await al.nc.request(a.subject, frame(A, alice, 'control'), { timeout: 3_000 });
    expect(control.string()).toMatch(/"seq":1\b/);
    await waitUntil(() => onA.length === 1, 3_000, 'the control frame on room A');
    const storedBefore = await storedInA(); // checked last, so an old node shows the results

    const bo = await natsAs(bob);
    const ca = await natsAs(carol);
    const bUid = (await me(bob)).uid;
    const bStream = streamOf(b);
    const consumer = `c_${bUid}`;
    const toA = { reply: a.subject };
    // Bob's own frame in B, answered in his own inbox (and on old nodes stored by JetStream).
    const own = await bo.nc.request(b.subject, frame(B, bob, 'mine'), { timeout: 3_000 });
    expect(own.string()).toMatch(/"seq":\d+/);

    const probes: [string, () => void][] = [
      [
        'publish on B with reply = A (PubAck)',
        () => bo.nc.publish(b.subject, frame(B, bob, 'x'), toA),
      ],
      [
        'frame to the ingest with reply = A',
        () => bo.nc.publish(b.subject, frame(B, bob, 'y'), toA),
      ],
      [
        "frame to the ingest with reply = Alice's inbox",
        () => bo.nc.publish(b.subject, frame(B, bob, 'z'), { reply: `${aliceInboxPrefix}.x` }),
      ],
      [
        'request with no responders, reply = A',
        () => bo.nc.publish(`${b.subjects.slice(0, -2)}.none`, 'q', toA),
      ],
      [
        'CONSUMER.CREATE (pull), reply = A',
        () =>
          bo.nc.publish(
            `$JS.API.CONSUMER.CREATE.${bStream}.${consumer}`,
            JSON.stringify({
              stream_name: bStream,
              config: { name: consumer, durable_name: consumer, ack_policy: 'explicit' },
            }),
            toA,
          ),
      ],
      [
        'CONSUMER.CREATE (push) with deliver_subject = A, flow control and heartbeats',
        () =>
          bo.nc.publish(
            `$JS.API.CONSUMER.CREATE.${bStream}.${consumer}x`,
            JSON.stringify({
              stream_name: bStream,
              config: {
                name: `${consumer}x`,
                deliver_subject: a.subject,
                ack_policy: 'none',
                flow_control: true,
                idle_heartbeat: 200_000_000,
              },
            }),
          ),
      ],
      [
        'CONSUMER.DURABLE.CREATE with deliver_subject = A',
        () =>
          bo.nc.publish(
            `$JS.API.CONSUMER.DURABLE.CREATE.${bStream}.${consumer}`,
            JSON.stringify({
              stream_name: bStream,
              config: { durable_name: consumer, deliver_subject: a.subject, ack_policy: 'none' },
            }),
            toA,
          ),
      ],
      [
        'CONSUMER.INFO, reply = A',
        () => bo.nc.publish(`$JS.API.CONSUMER.INFO.${bStream}.${consumer}`, '', toA),
      ],
      [
        'MSG.NEXT no_wait, reply = A (a delivery or a 404 status)',
        () =>
          bo.nc.publish(
            `$JS.API.CONSUMER.MSG.NEXT.${bStream}.${consumer}`,
            JSON.stringify({ batch: 1, no_wait: true }),
            toA,
          ),
      ],
      [
        'MSG.NEXT with idle heartbeats and expiry, reply = A (100 and 408 statuses)',
        () =>
          bo.nc.publish(
            `$JS.API.CONSUMER.MSG.NEXT.${bStream}.${consumer}`,
            JSON.stringify({ batch: 1, expires: 800_000_000, idle_heartbeat: 200_000_000 }),
            toA,
          ),
      ],
      [
        '$JS.ACK with reply = A (ack-ack)',
        () => bo.nc.publish(`$JS.ACK.${bStream}.${consumer}.1.2.2.0.0`, '+ACK', toA),
      ],
      [
        '$JS.FC with reply = A (flow control)',
        () => bo.nc.publish(`$JS.FC.${bStream}.${consumer}.x`, '', toA),
      ],
      ['STREAM.INFO, reply = A', () => bo.nc.publish(`$JS.API.STREAM.INFO.${bStream}`, '', toA)],
      [
        'DIRECT.GET, reply = A',
        () => bo.nc.publish(`$JS.API.DIRECT.GET.${bStream}`, '{"seq":1}', toA),
      ],
      ['$JS.API.INFO, reply = A', () => bo.nc.publish('$JS.API.INFO', '', toA)],
      ['$SYS.REQ.USER.INFO, reply = A', () => bo.nc.publish('$SYS.REQ.USER.INFO', '', toA)],
      [
        '$SYS.REQ.ACCOUNT.PING.CONNZ, reply = A',
        () => bo.nc.publish('$SYS.REQ.ACCOUNT.PING.CONNZ', '{}', toA),
      ],
    ];
    const results: Record<string, string> = {};
    for (const [name, act] of probes) {
      const [d0, s0, i0] = [onA.length, await storedInA(), aliceInbox.length];
      act();
      await bo.nc.flush();
      await sleep(name.includes('heartbeats') ? 1_200 : 250);
      const [d1, s1, i1] = [onA.length, await storedInA(), aliceInbox.length];
      results[name] =
        `delivered on A ${d1 - d0}, stored in A ${s0 === null ? '?' : s1! - s0}, Alice's inbox ${i1 - i0}`;
    }

    // allow_responses: Bob answers his own echo, and Carol answers Bob, with reply = A.
    const echo = `${b.subjects.slice(0, -2)}.echo`;
    for (const [who, responder] of [
      ['Bob answers his own echo into A', bo],
      ['Carol (B) answers Bob into A', ca],
    ] as const) {
      const [d0, s0] = [onA.length, await storedInA()];
      const sub = responder.nc.subscribe(echo, {
        max: 1,
        callback: (e, m) =>
          void (!e && m.reply && responder.nc.publish(m.reply, frame(B, bob, 'into A'))),
      });
      await responder.nc.flush();
      bo.nc.publish(echo, 'ask', toA);
      await bo.nc.flush();
      await sleep(300);
      sub.unsubscribe();
      const [d1, s1] = [onA.length, await storedInA()];
      results[who] =
        `delivered on A ${d1 - d0}, stored in A ${s0 === null ? '?' : s1! - s0}, Alice's inbox 0`;
    }

    const clean = "delivered on A 0, stored in A 0, Alice's inbox 0";
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, clean])));
    // Every JetStream and system subject was refused to Bob outright.
    for (const subject of [
      `$JS.API.CONSUMER.CREATE.${bStream}.${consumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${bStream}.${consumer}`,
      `$JS.ACK.${bStream}.${consumer}.1.2.2.0.0`,
      '$JS.API.INFO',
      '$SYS.REQ.USER.INFO',
    ]) {
      await bo.violation('publish', subject);
    }
    // Room A still holds exactly Alice's frame.
    expect(storedBefore).toBe(1);
    expect(await storedInA()).toBe(1);
    expect(onA).toHaveLength(1);
  });
});
