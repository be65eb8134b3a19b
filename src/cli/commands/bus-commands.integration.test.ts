/**
 * The peer CLI commands (join, whoami, rooms, send, history, listen) end to end against a real
 * node, called in-process with their real identity store (passphrase file) and profiles.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type RunningNode } from '../../main/node/runtime/start-node';
import { saveConnection } from '../../main/profile/connection';
import { encodeIdentityCard } from '../../main/protocol';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';
import { invitesCommand } from './invites';
import { joinCommand, whoamiCommand } from './join';
import { historyCommand, listenCommand, sendCommand } from './messages';
import { roomsCommand } from './rooms';

type Row = Record<string, unknown>;

function capture(): Output & { rows: Row[] } {
  const rows: Row[] = [];
  return { json: true, rows, result: (value) => void rows.push(value), info: () => {} };
}

async function run(
  command: (args: string[], profileDir: string, out: Output) => Promise<void>,
  args: string[],
  profileDir: string,
): Promise<Row[]> {
  const out = capture();
  await command(args, profileDir, out);
  return out.rows;
}

describe('cli - peer commands against a real node', () => {
  const root = mkdtempSync(join(tmpdir(), 'unibus-cli-bus-'));
  const profiles = { a: join(root, 'alice'), b: join(root, 'bob'), c: join(root, 'carol') };
  let node: RunningNode;
  const saved = { pass: process.env.UNIBUS_PASSPHRASE, dbus: process.env.DBUS_SESSION_BUS_ADDRESS };
  let roomId = '';

  beforeAll(async () => {
    process.env.UNIBUS_PASSPHRASE = 'cli bus test passphrase';
    delete process.env.DBUS_SESSION_BUS_ADDRESS; // the passphrase-file store
    const alice = await openProfileIdentity(profiles.a, { handle: 'alice' });
    node = await startNode({
      dataDir: join(root, 'node'),
      httpPort: 0,
      natsPort: 0,
      adminCard: encodeIdentityCard({
        handle: 'alice',
        signPublic: alice.keys.signPublic,
        kexPublic: alice.keys.kexPublic,
      }),
    });
    await saveConnection(profiles.a, {
      v: 1,
      node_id: node.nodeId,
      control_urls: node.controlUrls,
      nats_urls: node.natsUrls,
      ca_fingerprint: node.caFingerprint,
      ca_pem: node.caCertificatePem,
    });
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    if (saved.pass === undefined) delete process.env.UNIBUS_PASSPHRASE;
    else process.env.UNIBUS_PASSPHRASE = saved.pass;
    if (saved.dbus !== undefined) process.env.DBUS_SESSION_BUS_ADDRESS = saved.dbus;
    rmSync(root, { recursive: true, force: true });
  });

  it('join, whoami, rooms, send, history, listen, kick and leave', async () => {
    for (const [who, dir] of [
      ['bob', profiles.b],
      ['carol', profiles.c],
    ] as const) {
      const [invite] = await run(invitesCommand, ['create'], profiles.a);
      const linkFile = join(root, `${who}-link.txt`);
      writeFileSync(linkFile, String(invite!.link), { mode: 0o600 });
      const [joined] = await run(joinCommand, ['--link-file', linkFile, '--handle', who], dir);
      expect(joined).toMatchObject({ handle: who, role: 'member', node_id: node.nodeId });
      const [me] = await run(whoamiCommand, [], dir);
      expect(me).toMatchObject({ id: joined!.id, handle: who });
    }

    const [created] = await run(roomsCommand, ['create', 'Ops', '--topic', 'on call'], profiles.a);
    expect(created).toMatchObject({ name: 'Ops', topic: 'on call', role: 'owner', epoch: 1 });
    roomId = String(created!.id);
    await run(roomsCommand, ['invite', 'Ops', 'bob'], profiles.a);
    expect(await run(roomsCommand, ['invite', roomId, 'carol'], profiles.a)).toEqual([
      expect.objectContaining({ id: roomId, role: 'member' }),
    ]);
    expect(await run(roomsCommand, ['list'], profiles.b)).toEqual([
      expect.objectContaining({ id: roomId, name: 'Ops', role: 'member' }),
    ]);

    const [sent] = await run(sendCommand, ['Ops', 'hello from bob'], profiles.b);
    expect(sent).toMatchObject({ room_id: roomId, state: 'stored' });
    expect(String(sent!.id)).toMatch(/^[0-9A-Z]{26}$/);

    // listen: history first, then live messages, until SIGINT.
    const listenOut = capture();
    const listening = listenCommand([roomId], profiles.c, listenOut);
    const deadline = Date.now() + 15_000;
    while (listenOut.rows.length < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const [second] = await run(sendCommand, [roomId, 'second'], profiles.a);
    while (listenOut.rows.length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    process.emit('SIGINT');
    await listening;
    expect(listenOut.rows.map((r) => [r.id, r.handle, r.text])).toEqual([
      [sent!.id, 'bob', 'hello from bob'],
      [second!.id, 'alice', 'second'],
    ]);

    // history in a later process: from the profile's frame cache plus the consumer.
    expect((await run(historyCommand, ['Ops'], profiles.c)).map((r) => r.text)).toEqual([
      'hello from bob',
      'second',
    ]);

    const [receipt] = await run(roomsCommand, ['kick', 'Ops', 'bob'], profiles.a);
    expect(receipt).toMatchObject({
      id: roomId,
      removed: expect.any(String),
      epoch: 2,
      keyed: 2,
      members: 2,
    });
    expect(Number(receipt!.acl_revoked_at)).toBeGreaterThan(0);
    expect(await run(roomsCommand, ['list'], profiles.b)).toEqual([]);
    await expect(run(sendCommand, [roomId, 'after kick'], profiles.b)).rejects.toThrow(
      /not a member/,
    );

    expect(await run(roomsCommand, ['leave', 'Ops'], profiles.c)).toEqual([
      { id: roomId, left: true },
    ]);
    expect(await run(roomsCommand, ['list'], profiles.c)).toEqual([]);
  }, 120_000);
});
