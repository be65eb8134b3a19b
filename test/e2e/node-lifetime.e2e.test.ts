/**
 * A node that outlives its app (issue 11): Ann hosts the bus from the UI under a passphrase; two
 * teammates use the `unibus` CLI (they join by invite link, make a room and talk). Then the app
 * process — only the web shell's own process, not its children — is killed with SIGKILL, and
 * started again on the same profile. Without anyone unlocking Ann's identity, the node is back
 * and serves the team: the CLI members send and receive (history and a live listener), also
 * across a reload of Ann's page, which still asks for her passphrase. Unlocked, "Stop node"
 * first says how many people are connected.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import type { AppState, NodeStatusView } from '../../src/shared/types';
import { TID } from '../../src/renderer/src/testids';
import { isAlive } from '../../src/main/node/runtime/node-lock';
import { BridgeClient } from '../../test-support/bridge-client';
import {
  PROJECT_ROOT,
  freePort,
  makeTempDir,
  useE2E,
  type ShellPage,
  type WebShell,
} from './harness';

const PASSPHRASE = 'e2e passphrase, long enough';
const MEMBER_PASSPHRASE = 'member passphrase, long enough';
const KEY_ENV = { UNIBUS_KEY_PROTECTION: 'passphrase-file' };
const BIN = join(PROJECT_ROOT, 'bin', 'unibus.mjs');
const run = promisify(execFile);
const byId = (page: Page, id: string) => page.getByTestId(id);

const membersDir = makeTempDir('unibus-e2e-lifetime-members-');

/** The members' CLI: the passphrase-file key store, no desktop keychain. */
function memberEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, UNIBUS_PASSPHRASE: MEMBER_PASSPHRASE };
  delete env['DBUS_SESSION_BUS_ADDRESS'];
  return env;
}

interface Line {
  readonly [key: string]: unknown;
}

/** One `unibus --json` command of a member; its JSON lines. */
async function unibus(member: string, args: readonly string[]): Promise<Line[]> {
  try {
    const { stdout } = await run(
      process.execPath,
      [BIN, '--profile', join(membersDir, member), '--json', ...args],
      { env: memberEnv(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Line);
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(
      `unibus ${args.join(' ')} (${member}) failed: ${failed.stderr ?? failed.message}`,
    );
  }
}

/** `unibus listen ROOM`: every message it printed so far, as JSON lines. */
function listen(member: string, room: string): { child: ChildProcess; lines: Line[] } {
  const child = spawn(
    process.execPath,
    [BIN, '--profile', join(membersDir, member), '--json', 'listen', room],
    { env: memberEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Line[] = [];
  let buffered = '';
  child.stdout!.on('data', (data: Buffer) => {
    buffered += data.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Line);
    }
  });
  return { child, lines };
}

const texts = (lines: readonly Line[]) => lines.map((line) => line['text']);

function readLock(file: string): { pid: number; nats_pid: number | null } {
  return JSON.parse(readFileSync(file, 'utf8')) as { pid: number; nats_pid: number | null };
}

/** Resolves once the shell's node reports running (asked, then from its events). */
async function nodeRunning(bridge: BridgeClient): Promise<NodeStatusView> {
  const now = await bridge.call('node.status');
  if (now.running) return now;
  const event = await bridge.waitForEvent(
    (e) => e.name === 'node.status' && (e.payload as NodeStatusView).running,
    120_000,
  );
  return event.payload as NodeStatusView;
}

describe('a hosted node outlives its app', () => {
  const e2e = useE2E();
  const profileDir = makeTempDir('unibus-e2e-lifetime-ann-');
  let first: WebShell;
  let again: WebShell;
  let ann: ShellPage;
  let bridge: BridgeClient | undefined;
  let listener: { child: ChildProcess; lines: Line[] } | undefined;

  afterAll(() => {
    bridge?.close();
    listener?.child.kill('SIGKILL');
  });

  test('Ann hosts from the UI; two CLI members join by invite and talk in a room', async () => {
    first = await e2e.startWebShell({ name: 'ann', profileDir, env: KEY_ENV });
    ann = await first.openPage(await e2e.browser());
    const page = ann.page;
    await byId(page, TID.firstRun).waitFor();
    await byId(page, TID.createIdentityHandle).fill('ann');
    expect(await byId(page, TID.keyProtection).getAttribute('data-protection')).toBe(
      'passphrase-file',
    );
    await byId(page, TID.createIdentityPassphrase).fill(PASSPHRASE);
    await byId(page, TID.createIdentityPassphraseRepeat).fill(PASSPHRASE);
    await byId(page, TID.createIdentitySubmit).click();
    await byId(page, TID.hostChoice).click();
    await byId(page, TID.hostHttpPort).fill(String(await freePort()));
    await byId(page, TID.hostNatsPort).fill(String(await freePort()));
    await byId(page, TID.hostButton).click();
    await byId(page, TID.hostResult).waitFor({ timeout: 90_000 });
    await byId(page, TID.hostContinue).click();
    await expect
      .poll(() => byId(page, TID.connectionState).getAttribute('data-status'), { timeout: 60_000 })
      .toBe('online');

    await byId(page, TID.adminNav).click();
    await byId(page, TID.inviteUses).fill('2');
    await byId(page, TID.inviteCreate).click();
    const link = await byId(page, TID.inviteLink).inputValue();
    expect(link).toMatch(/^unibus:\/\/join\?/);
    await byId(page, TID.inviteLinkDone).click();

    // The link goes in a file, never into argv (issue 12, attack 6).
    mkdirSync(membersDir, { recursive: true });
    const linkFile = join(membersDir, 'link.txt');
    writeFileSync(linkFile, `${link}\n`, { mode: 0o600 });
    for (const member of ['bob', 'carol']) {
      const joined = await unibus(member, ['join', '--link-file', linkFile, '--handle', member]);
      expect(joined[0]).toMatchObject({
        handle: member,
      });
    }
    await unibus('bob', ['rooms', 'create', 'general']);
    await unibus('bob', ['rooms', 'invite', 'general', 'carol']);
    expect((await unibus('bob', ['send', 'general', 'before the crash']))[0]).toMatchObject({
      state: 'stored',
    });
    expect(texts(await unibus('carol', ['history', 'general']))).toContain('before the crash');
  });

  test('kill -9 of the app; started again, the node serves the team while Ann is locked', async () => {
    const lockFile = join(profileDir, 'node', 'node.lock');
    const before = readLock(lockFile);
    expect(before.nats_pid).not.toBeNull();
    process.kill(first.pid, 'SIGKILL'); // the app process only: its node child is orphaned
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    again = await e2e.startWebShell({ name: 'ann-again', profileDir, env: KEY_ENV });
    bridge = await BridgeClient.connect(again.origin, again.token);
    const status = await nodeRunning(bridge);
    expect(status.hosting).toBe(true);
    expect((await bridge.call('app.getState')).phase).toBe<AppState['phase']>('locked');
    // The node running now is the new app's; the old node and its nats-server are gone.
    expect(readLock(lockFile).pid).not.toBe(before.pid);
    expect(await isAlive(before.pid)).toBe(false);
    expect(await isAlive(before.nats_pid!)).toBe(false);

    expect((await unibus('bob', ['send', 'general', 'after the crash']))[0]).toMatchObject({
      state: 'stored',
    });
    expect(texts(await unibus('carol', ['history', 'general']))).toEqual(
      expect.arrayContaining(['before the crash', 'after the crash']),
    );
    // Live as well: Bob listens (once his history is printed he is connected), Carol writes.
    listener = listen('bob', 'general');
    await expect
      .poll(() => texts(listener!.lines), { timeout: 120_000 })
      .toContain('after the crash');
    await unibus('carol', ['send', 'general', 'carol, live, still locked']);
    await expect
      .poll(() => texts(listener!.lines), { timeout: 60_000 })
      .toContain('carol, live, still locked');
    expect((await bridge.call('app.getState')).phase).toBe('locked');
  });

  test("Ann's page reloads onto the unlock screen; the node keeps serving meanwhile", async () => {
    const page = (await again.openPage(await e2e.browser())).page;
    await byId(page, TID.unlockPassphrase).waitFor();
    await page.reload({ waitUntil: 'load' });
    await byId(page, TID.unlockPassphrase).waitFor();
    expect((await bridge!.call('node.status')).running).toBe(true);
    await unibus('carol', ['send', 'general', 'after a reload']);
    await expect
      .poll(() => texts(listener!.lines), { timeout: 60_000 })
      .toContain('after a reload');
    await again.pages.at(-1)!.screenshot('lifetime-01-locked-while-serving');
  });

  test('unlocked, "Stop node" asks first and names how many people are connected', async () => {
    const shellPage = again.pages.at(-1)!;
    const page = shellPage.page;
    await byId(page, TID.unlockPassphrase).fill(PASSPHRASE);
    await byId(page, TID.unlockSubmit).click();
    await expect
      .poll(() => byId(page, TID.connectionState).getAttribute('data-status'), { timeout: 60_000 })
      .toBe('online');
    await byId(page, TID.adminNav).click();
    // Ann's own app and Bob's listener: the panel shows it once the node's next stats line came.
    await expect.poll(() => byId(page, TID.nodePeers).innerText(), { timeout: 60_000 }).toBe('2');
    await byId(page, TID.nodeStop).click();
    expect(await byId(page, TID.nodeStopWarning).innerText()).toBe(
      '2 people are connected. Stopping the node takes everyone offline until you start it again.',
    );
    await shellPage.screenshot('lifetime-02-stop-node-confirm');
    await byId(page, TID.dialogCancel).click();
    expect((await bridge!.call('node.status')).running).toBe(true);

    await byId(page, TID.nodeStop).click();
    await byId(page, TID.nodeStopConfirm).click();
    await expect
      .poll(() => byId(page, TID.nodeStatus).getAttribute('data-running'), { timeout: 60_000 })
      .toBe('false');
    await byId(page, TID.nodeStart).click();
    await expect
      .poll(() => byId(page, TID.nodeStatus).getAttribute('data-running'), { timeout: 90_000 })
      .toBe('true');
    expect(shellPage.errors).toEqual([]);
  });
});
