/**
 * The web shell end to end without a browser: two app services (one hosting the node, one
 * joining by invite link) driven through the real WebSocket bridge — first run, hosting, invite
 * and join, rooms, messages, a file, kick, admin revoke and a restart of the host. Plus the
 * bridge's door: token, Origin and Host checks, and the static server.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AppState,
  MessageView,
  NodeStatusView,
  RoomView,
  TransferView,
} from '../../shared/types';
import { BridgeClient } from '../../../test-support/bridge-client';
import { removeWhenUnused } from '../../../test-support/processes';
import { KEY_PROTECTION_ENV } from '../app';
import { startWebShell, type RunningWebShell } from './server';

const PASSPHRASE = 'correct horse battery staple';
const root = mkdtempSync(join(tmpdir(), 'unibus-web-shell-'));
const rendererDir = join(root, 'renderer');
let hostShell: RunningWebShell;
let joinShell: RunningWebShell;
let alice: BridgeClient;
let bob: BridgeClient;
let roomId = '';

function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const isState = (phase: AppState['phase']) => (e: { name: string; payload: unknown }) =>
  e.name === 'app.state' &&
  (e.payload as AppState).phase === phase &&
  (e.payload as AppState).connection.status === 'online';

function messagesOf(client: BridgeClient, room: string): MessageView[] {
  return client.events
    .filter((e) => e.name === 'messages.changed')
    .flatMap((e) => {
      const p = e.payload as { roomId: string; messages: MessageView[] };
      return p.roomId === room ? p.messages : [];
    });
}

function lastRooms(client: BridgeClient): RoomView[] {
  const events = client.events.filter((e) => e.name === 'rooms.changed');
  return (events.at(-1)?.payload as RoomView[] | undefined) ?? [];
}

beforeAll(async () => {
  process.env[KEY_PROTECTION_ENV] = 'passphrase-file';
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>unibus</title>');
  hostShell = await startWebShell({ profileDir: join(root, 'alice'), rendererDir });
  joinShell = await startWebShell({ profileDir: join(root, 'bob'), rendererDir });
  alice = await BridgeClient.connect(hostShell.origin, hostShell.token);
  bob = await BridgeClient.connect(joinShell.origin, joinShell.token);
});

afterAll(async () => {
  alice?.close();
  bob?.close();
  await joinShell?.close();
  await hostShell?.close();
  // The hosted node runs in its own process (and its nats-server in another).
  await removeWhenUnused(root);
});

describe('web shell door', () => {
  it('refuses a bridge client without the token, with a wrong token, origin or host', async () => {
    const { origin, token } = hostShell;
    await expect(BridgeClient.connect(origin, '')).rejects.toThrow('refused: 401');
    await expect(BridgeClient.connect(origin, `${token}x`)).rejects.toThrow('refused: 401');
    await expect(
      BridgeClient.connect(origin, token, { Origin: 'https://evil.example' }),
    ).rejects.toThrow('refused: 403');
    await expect(
      BridgeClient.connect(origin, token, { Host: 'rebound.example:80' }),
    ).rejects.toThrow('refused: 403');
  });

  it('serves the renderer with a strict CSP and nothing outside it', async () => {
    const { origin } = hostShell;
    expect(await status(`${origin}/`)).toBe(200);
    expect(await status(`${origin}/..%2f..%2fetc%2fpasswd`)).toBe(404);
    expect(await status(`${origin}/%E0%A4%A`)).toBe(400);
    expect(await status(`${origin}/`, { Host: 'evil.example' })).toBe(403);
  });
});

describe('two peers through the bridge', () => {
  it('first run: creates an identity under a passphrase and hosts a node', async () => {
    expect((await alice.call('app.getState')).phase).toBe('no-identity');
    const me = await alice.call('identity.create', { handle: 'alice', passphrase: PASSPHRASE });
    expect(me.protection).toBe('passphrase-file');
    const node = await alice.call('node.host', { bind: '127.0.0.1', httpPort: 0, natsPort: 0 });
    expect(node.running).toBe(true);
    expect(node.address?.caFingerprint).toMatch(/^[0-9a-f]{64}$/);
    await alice.waitForEvent(isState('ready'));
    expect((await alice.call('app.getState')).role).toBe('admin');
  });

  it('mints an invite; the second peer previews the fingerprint and joins', async () => {
    const minted = await alice.call('admin.createInvite', {
      role: 'member',
      ttlSeconds: 3600,
      maxUses: 1,
    });
    expect(minted.link).toMatch(/^unibus:\/\/join\?/);
    await bob.call('identity.create', { handle: 'bob', passphrase: PASSPHRASE });
    const preview = await bob.call('join.preview', { link: minted.link });
    const aliceState = await alice.call('app.getState');
    expect(preview.caFingerprint).toBe(aliceState.node?.caFingerprint);
    await bob.call('join.accept', { link: minted.link, caFingerprint: preview.caFingerprint });
    await bob.waitForEvent(isState('ready'));
    const invites = await alice.call('admin.listInvites');
    expect(invites[0]?.uses).toBe(1);
  });

  it('creates a room, invites the second peer, and both exchange messages', async () => {
    const room = await alice.call('rooms.create', {
      name: 'ops',
      topic: 'deploys',
      persist: true,
      history: 'all',
    });
    roomId = room.id;
    const [bobEntry] = await alice.call('directory.search', { query: 'bo' });
    await alice.call('members.invite', { roomId, who: bobEntry!.endpoint });
    await bob.waitForEvent(
      (e) => e.name === 'rooms.changed' && (e.payload as RoomView[]).some((r) => r.name === 'ops'),
    );
    const sent = await alice.call('messages.send', { roomId, text: 'hello <b>bob</b>' });
    expect(sent.state).toBe('sending');
    await bob.waitForEvent(() =>
      messagesOf(bob, roomId).some((m) => m.text === 'hello <b>bob</b>'),
    );
    await bob.call('messages.send', { roomId, text: 'hi alice' });
    await alice.waitForEvent(() => messagesOf(alice, roomId).some((m) => m.text === 'hi alice'));
    const fromBob = messagesOf(alice, roomId).find((m) => m.text === 'hi alice')!;
    expect(fromBob).toMatchObject({ senderHandle: 'bob', verified: true, fromMe: false });
    await alice.waitForEvent(() =>
      messagesOf(alice, roomId).some((m) => m.id === sent.id && m.state === 'stored'),
    );
    expect(lastRooms(alice).find((r) => r.id === roomId)?.unread).toBe(1);
    await alice.call('rooms.markRead', { roomId });
    await alice.waitForEvent(() => lastRooms(alice).find((r) => r.id === roomId)?.unread === 0);
  });

  it('sends a file in pieces and the other peer downloads it byte-identical', async () => {
    const content = randomBytes(5 * 1024 * 1024 + 123);
    const { transferId } = await alice.call('files.beginUpload', {
      roomId,
      name: 'blob.bin',
      size: content.length,
      mime: 'application/octet-stream',
    });
    for (let offset = 0; offset < content.length; offset += 1024 * 1024) {
      const data = new Uint8Array(content.subarray(offset, offset + 1024 * 1024));
      await alice.call('files.writePiece', { transferId, offset, data });
    }
    await alice.call('files.commitUpload', { transferId });
    await alice.waitForEvent(
      (e) => e.name === 'transfers.changed' && (e.payload as TransferView).state === 'done',
      60_000,
    );
    await bob.waitForEvent(() => messagesOf(bob, roomId).some((m) => m.kind === 'file'), 60_000);
    const fileMessage = messagesOf(bob, roomId).find((m) => m.kind === 'file')!;
    expect(fileMessage.file).toEqual({
      name: 'blob.bin',
      size: content.length,
      mime: 'application/octet-stream',
    });
    expect(JSON.stringify(fileMessage)).not.toMatch(/key|chunks|digest/);
    const download = await bob.call('files.download', { roomId, messageId: fileMessage.id });
    await bob.waitForEvent(
      (e) =>
        e.name === 'transfers.changed' &&
        (e.payload as TransferView).id === download.id &&
        (e.payload as TransferView).ready,
      60_000,
    );
    const pieces: Uint8Array[] = [];
    for (let offset = 0; offset < content.length; offset += 1024 * 1024) {
      pieces.push(
        await bob.call('files.readPiece', { transferId: download.id, offset, length: 1024 * 1024 }),
      );
    }
    expect(Buffer.concat(pieces).equals(content)).toBe(true);

    // Save: a one-time link the browser downloads from, streamed from disk.
    const saved = await bob.call('files.save', { transferId: download.id });
    expect(saved.savedTo).toBeNull();
    const url = `${joinShell.origin}${saved.url}`;
    const first = await fetch(url);
    expect(first.headers.get('content-disposition')).toContain('filename="blob.bin"');
    expect(Buffer.from(await first.arrayBuffer()).equals(content)).toBe(true);
    expect((await fetch(url)).status).toBe(404); // spent
  });

  it('kicks the second peer: a receipt, a removed room, and nothing more arrives', async () => {
    const members = await alice.call('members.list', { roomId });
    const bobMember = members.find((m) => m.handle === 'bob')!;
    const receipt = await alice.call('members.kick', { roomId, endpoint: bobMember.endpoint });
    expect(receipt).toMatchObject({ removed: bobMember.endpoint, keyed: 1, members: 1 });
    expect(receipt.epoch).toBe(2);
    await bob.waitForEvent(() => lastRooms(bob).find((r) => r.id === roomId)?.removed === 'kicked');
    await alice.call('messages.send', { roomId, text: 'after the kick' });
    await alice.waitForEvent(() =>
      messagesOf(alice, roomId).some((m) => m.text === 'after the kick'),
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(messagesOf(bob, roomId).some((m) => m.text === 'after the kick')).toBe(false);
    await expect(bob.call('messages.send', { roomId, text: 'still here?' })).rejects.toThrow(
      /removed/,
    );
  });

  it('the host sees its node status: posture, version, peers connected and storage', async () => {
    const status = (
      await alice.waitForEvent(
        // The first stats line may predate the peers; one comes every 5 s.
        (e) => e.name === 'node.status' && ((e.payload as NodeStatusView).peersConnected ?? 0) >= 2,
      )
    ).payload as NodeStatusView;
    expect(status.running).toBe(true);
    expect(status.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(status.posture).toMatchObject({ tls: true, auth: 'signed', acl: true });
    expect(status.storageBytes).toBeGreaterThan(5 * 1024 * 1024); // the file's chunks count
  });

  it('the admin revokes the second user', async () => {
    const users = await alice.call('admin.listUsers');
    const bobUser = users.find((u) => u.handle === 'bob')!;
    const after = await alice.call('admin.revokeUser', { endpoint: bobUser.endpoint });
    expect(after.find((u) => u.handle === 'bob')?.status).toBe('revoked');
  });

  it('a restarted host serves its node while still locked; unlocked, it has its history', async () => {
    alice.close();
    await hostShell.close();
    hostShell = await startWebShell({ profileDir: join(root, 'alice'), rendererDir });
    alice = await BridgeClient.connect(hostShell.origin, hostShell.token);
    expect((await alice.call('app.getState')).phase).toBe('locked');
    // The node comes back by itself, before anyone types the passphrase.
    if (!(await alice.call('node.status')).running) {
      await alice.waitForEvent(
        (e) => e.name === 'node.status' && (e.payload as NodeStatusView).running,
        90_000,
      );
    }
    expect((await alice.call('app.getState')).phase).toBe('locked');
    await expect(
      alice.call('identity.unlock', { passphrase: 'not the passphrase' }),
    ).rejects.toThrow(/passphrase/);
    await alice.call('identity.unlock', { passphrase: PASSPHRASE });
    await alice.waitForEvent(isState('ready'), 60_000);
    await alice.waitForEvent(() => lastRooms(alice).some((r) => r.id === roomId), 30_000);
    const history = await alice.call('messages.list', { roomId });
    expect(history.map((m) => m.text)).toEqual(
      expect.arrayContaining(['hello <b>bob</b>', 'hi alice', 'after the kick']),
    );
  });
});
