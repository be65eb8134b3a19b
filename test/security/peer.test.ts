/**
 * Frames on the wire (N3-0006, X-06, H10, media metadata). The defence here lives in the
 * receiving peer, so the victim is the real peer library (BusPeer, the system under test of this
 * file, exactly as startNode is elsewhere); the attacker is a room member with the room key who
 * forges frames with the toolkit and publishes them raw, and a sniffer on the room subject.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Msg } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusPeer, type DroppedFrame, type ReceivedMessage } from '../../src/main/bus';
import {
  b64url,
  call,
  concat,
  frameBody,
  frameWithSignature,
  grant,
  newRoom,
  newUlid,
  rawNats,
  signFrame,
  sleep,
  startNodeUnderTest,
  textBody,
  unsignedFrame,
  waitUntil,
  type Identity,
  type NewRoom,
  type NodeUnderTest,
  type RawNats,
} from './toolkit';

let n: NodeUnderTest;
let alice: Identity; // honest owner
let bob: Identity; // the victim, running the real peer
let mallory: Identity; // member with the room key, attacker
let R: NewRoom;
let subject: string;
let victim: BusPeer;
let profileDir: string;
let attacker: RawNats;
const received: ReceivedMessage[] = [];
const dropped: DroppedFrame[] = [];

beforeAll(async () => {
  n = await startNodeUnderTest();
  [alice, bob, mallory] = await n.register('alice', 'bob', 'mallory');
  R = newRoom(alice);
  const created = await call(n.target, alice, 'POST', '/v1/rooms', R.body);
  subject = created.json.data_plane.subject;
  for (const m of [bob, mallory]) {
    const res = await call(n.target, alice, 'POST', `/v1/rooms/${R.roomId}/members`, {
      endpoint: m.endpoint,
      keys: [grant(alice, R.roomId, 1, R.roomKey, m)],
    });
    expect(res.status).toBe(201);
  }
  profileDir = mkdtempSync(join(tmpdir(), 'unibus-victim-'));
  victim = await BusPeer.connect({
    profileDir,
    identity: {
      record: { handle: 'bob' },
      keys: {
        signSeed: bob.signSeed,
        signPublic: bob.signPub,
        kexPrivate: bob.kexPrivate,
        kexPublic: bob.kexPub,
      },
    },
    connection: {
      v: 1,
      node_id: n.node.nodeId,
      control_urls: n.node.controlUrls,
      nats_urls: n.node.natsUrls,
      ca_fingerprint: n.node.caFingerprint,
      ca_pem: n.node.caCertificatePem,
    },
  });
  victim.on('message', (m) => received.push(m));
  victim.on('dropped', (d) => dropped.push(d));
  await victim.start();
  const inbox = (await call(n.target, mallory, 'GET', '/v1/me')).json.data_plane.inbox_prefix;
  attacker = await rawNats(n.nats, mallory, { inboxPrefix: inbox });
});
afterAll(async () => {
  await victim?.close();
  await attacker?.nc.close();
  await n?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

const body = (sender: Identity, text: string, roomId = R.roomId) =>
  frameBody({
    roomId,
    epoch: 1,
    sender: sender.endpoint,
    roomKey: R.roomKey,
    plaintext: textBody(text),
  });

describe('forged frames (N3-0006, X-06)', () => {
  it('N3-0006: unsigned, randomly signed and re-signed spoofs never reach the handler; the genuine frame does', async () => {
    const spoofs: [string, Uint8Array][] = [
      ['unsigned', unsignedFrame(body(alice, 'spoof a: no signature'))],
      [
        'bad-signature',
        frameWithSignature(
          body(alice, 'spoof c: random signature'),
          new Uint8Array(randomBytes(64)),
        ),
      ],
      // mallory's own valid signature over a frame that claims alice as sender
      ['bad-signature', signFrame(body(alice, 'spoof d: signed by mallory'), mallory.signSeed)],
      ['unknown-sender', signFrame(body(n.admin, 'spoof e: a non-member'), n.admin.signSeed)],
      [
        'wrong-room',
        signFrame(body(mallory, 'spoof f: another room', newUlid()), mallory.signSeed),
      ],
      [
        'malformed',
        concat(
          signFrame(body(mallory, 'spoof g: trailing bytes'), mallory.signSeed),
          new Uint8Array([0]),
        ),
      ],
    ];
    for (const [, frame] of spoofs) attacker.nc.publish(subject, frame);
    attacker.nc.publish(subject, signFrame(body(alice, 'genuine'), alice.signSeed));
    await waitUntil(() => received.some((m) => m.text === 'genuine'), 5_000, 'the genuine frame');
    // The spoofs went out first on the same connection, so their live copies are judged by now.
    await sleep(300);
    expect(received.map((m) => m.text)).toEqual(['genuine']);
    const reasons = new Set(spoofs.map(([reason]) => reason));
    await waitUntil(
      () => new Set(dropped.map((d) => d.reason)).size >= reasons.size,
      5_000,
      'every spoof dropped',
    );
    expect(received.map((m) => m.text)).toEqual(['genuine']);
    expect(received[0]!.sender).toBe(alice.endpoint);
    // Each spoof arrives live and again through the room's stream; every copy is dropped.
    expect(new Set(dropped.map((d) => d.reason))).toEqual(
      new Set(spoofs.map(([reason]) => reason)),
    );
  });

  it('X-06: an encrypted frame that is correctly sealed with the room key but unsigned is still dropped', async () => {
    const before = received.length;
    attacker.nc.publish(subject, unsignedFrame(body(mallory, 'holding the key is not enough')));
    attacker.nc.publish(subject, signFrame(body(mallory, 'signed marker'), mallory.signSeed));
    await waitUntil(() => received.some((m) => m.text === 'signed marker'), 5_000, 'the marker');
    expect(received.slice(before).map((m) => m.text)).toEqual(['signed marker']);
    expect(dropped.some((d) => d.reason === 'unsigned' && d.sender === mallory.endpoint)).toBe(
      true,
    );
  });
});

describe('what a sniffer on the room subject sees (H10, media metadata)', () => {
  function sniff(): Msg[] {
    const got: Msg[] = [];
    attacker.nc.subscribe(subject, { callback: (e, m) => void (!e && got.push(m)) });
    return got;
  }

  it('H10: the real peer seals every message under a fresh random 24-byte nonce (XChaCha20-Poly1305)', async () => {
    const got = sniff();
    await attacker.nc.flush();
    for (let i = 0; i < 2; i++) await victim.sendAndWait(R.roomId, 'same words twice');
    await waitUntil(() => got.length === 2, 5_000, 'two frames');
    const frames = got.map((m) => Buffer.from(m.data));
    for (const f of frames) {
      const n_ = f.readUInt32BE(102);
      expect(f.length).toBe(107 + n_ + 64); // layout of §5.1: 24-byte nonce at 78..102, signed
      expect(f.includes('same words')).toBe(false);
    }
    expect(frames[0]!.subarray(78, 102).equals(frames[1]!.subarray(78, 102))).toBe(false);
  });

  it('Media metadata: a file message shows no file name, type or key on the wire', async () => {
    const got = sniff();
    await attacker.nc.flush();
    const key = new Uint8Array(randomBytes(32));
    const fileId = new Uint8Array(randomBytes(16));
    const manifest = {
      fileId,
      name: 'salary-review-2026.xlsx',
      mime: 'application/vnd.ms-excel',
      size: 10,
      chunkSize: 4_194_304,
      chunks: ['ab'.repeat(32)],
      digest: 'cd'.repeat(32),
      key,
    };
    await victim.sendBody(R.roomId, { type: 'message', file: manifest });
    await waitUntil(() => got.length === 1, 5_000, 'the file frame');
    const wire = Buffer.from(got[0]!.data).toString('latin1');
    for (const secret of [manifest.name, 'salary', manifest.mime, b64url(key), b64url(fileId)]) {
      expect(wire).not.toContain(secret);
    }
  });
});

describe('the peer talks to its node over pinned TLS only (H5)', () => {
  it('H5: given an http:// node address, the peer refuses before any network I/O', async () => {
    let accepted = 0;
    const listener = createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'unibus-http-'));
    try {
      const attempt = BusPeer.connect({
        profileDir: dir,
        identity: {
          record: { handle: 'bob' },
          keys: {
            signSeed: bob.signSeed,
            signPublic: bob.signPub,
            kexPrivate: bob.kexPrivate,
            kexPublic: bob.kexPub,
          },
        },
        connection: {
          v: 1,
          node_id: n.node.nodeId,
          control_urls: [`http://127.0.0.1:${port}`],
          nats_urls: n.node.natsUrls,
          ca_fingerprint: n.node.caFingerprint,
          ca_pem: n.node.caCertificatePem,
        },
      });
      await expect(attempt).rejects.toThrow(/https/);
      expect(accepted).toBe(0);
    } finally {
      listener.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
