/**
 * Two computers, through the UI: two network namespaces joined by a veth pair (10.77.1.1 hosts,
 * 10.77.1.2 joins; test-support/netns.ts). Each runs its own web shell and its own Chromium
 * (`ip netns exec`, the browser still sandboxed and not root), so each browser sees only its own
 * computer's web shell on 127.0.0.1, and the joiner's app reaches the host only through the veth.
 *
 * Alice hosts for "My network", mints an invite; Bob first gets a link whose port leads nowhere
 * (the join screen says which address did not answer), then the real one; they exchange
 * messages and a file, byte-identical. Skipped, with the reason printed, only where
 * `ip netns add` is refused (not root).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createTwoComputers,
  netnsRefusal,
  removeStaleNamespaces,
  type TwoComputers,
} from '../../test-support/netns';
import { TID } from '../../src/renderer/src/testids';
import {
  chromiumProcesses,
  isRoot,
  launchBrowser,
  makeTempDir,
  useE2E,
  type ShellPage,
  type WebShell,
} from './harness';

const PASSPHRASE = 'e2e passphrase, long enough';
const HTTP_PORT = 7443;
const NATS_PORT = 4222;
const refusal = netnsRefusal();
if (refusal !== null) console.warn(`lan.e2e: skipped: ${refusal}`);

const byId = (page: Page, id: string) => page.getByTestId(id);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function createIdentity(page: Page, handle: string): Promise<void> {
  await byId(page, TID.firstRun).waitFor({ timeout: 60_000 });
  await byId(page, TID.createIdentityHandle).fill(handle);
  await byId(page, TID.createIdentityPassphrase).fill(PASSPHRASE);
  await byId(page, TID.createIdentityPassphraseRepeat).fill(PASSPHRASE);
  await byId(page, TID.createIdentitySubmit).click();
}

async function online(page: Page): Promise<void> {
  await expect
    .poll(() => byId(page, TID.connectionState).getAttribute('data-status'), { timeout: 60_000 })
    .toBe('online');
}

async function openRoom(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="${TID.roomListItem}"][data-room-name="${name}"]`).click();
  await expect.poll(() => byId(page, TID.roomName).innerText()).toContain(name);
}

async function send(page: Page, text: string): Promise<void> {
  await byId(page, TID.composer).fill(text);
  await byId(page, TID.composer).press('Enter');
}

const message = (page: Page, text: string) =>
  page.locator(`[data-testid="${TID.messageItem}"]`).filter({ hasText: text });

/** The link with its control-plane port replaced by one nothing listens on. */
function withDeadPort(link: string, port: number): string {
  const url = new URL(link);
  const cp = url.searchParams.getAll('cp').map((u) => u.replace(`:${HTTP_PORT}`, `:${port}`));
  url.searchParams.delete('cp');
  for (const u of cp) url.searchParams.append('cp', u);
  return url.toString();
}

describe.skipIf(refusal !== null)('two computers (network namespaces), through the UI', () => {
  const e2e = useE2E();
  let computers: TwoComputers | undefined;
  const browsers: Browser[] = [];
  let hostShell: WebShell;
  let joinShell: WebShell;
  let alice: ShellPage;
  let bob: ShellPage;
  let link = '';

  beforeAll(async () => {
    removeStaleNamespaces('u');
    computers = await createTwoComputers('u', '10.77.1');
    const env = { UNIBUS_KEY_PROTECTION: 'passphrase-file' };
    [hostShell, joinShell] = await Promise.all([
      e2e.startWebShell({ name: 'alice', env, netns: computers.host.ns }),
      e2e.startWebShell({ name: 'bob', env, netns: computers.joiner.ns }),
    ]);
    const [hostBrowser, joinBrowser] = await Promise.all([
      launchBrowser({ netns: computers.host.ns }),
      launchBrowser({ netns: computers.joiner.ns }),
    ]);
    browsers.push(hostBrowser, joinBrowser);
    [alice, bob] = await Promise.all([
      hostShell.openPage(hostBrowser),
      joinShell.openPage(joinBrowser),
    ]);
    // Inside the namespaces too, the browsers run sandboxed as the unprivileged user.
    if (isRoot()) {
      const processes = chromiumProcesses();
      expect(processes.length).toBeGreaterThan(0);
      expect(processes.filter((p) => p.uid === 0)).toEqual([]);
    }
  });

  afterAll(async () => {
    // Shells first (each stops its node and nats-server), then browsers, then the namespaces.
    await Promise.allSettled([hostShell?.stop(), joinShell?.stop()]);
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    computers?.remove();
  });

  test('Alice hosts for "My network": the addresses shown are the veth address, not loopback', async () => {
    const page = alice.page;
    await createIdentity(page, 'alice');
    await byId(page, TID.hostChoice).click();
    await byId(page, TID.hostReachNetwork).check();
    await alice.screenshot('lan-01-host-my-network');
    await byId(page, TID.hostButton).click();
    await byId(page, TID.hostResult).waitFor({ timeout: 90_000 });
    const addresses = (await byId(page, TID.hostAddresses).innerText()).trim().split(/\s+/);
    expect(addresses).toEqual([
      `https://${computers!.host.address}:${HTTP_PORT}`,
      `tls://${computers!.host.address}:${NATS_PORT}`,
    ]);
    await alice.screenshot('lan-02-host-result');
    await byId(page, TID.hostContinue).click();
    await online(page);

    await byId(page, TID.adminNav).click();
    await byId(page, TID.inviteCreate).click();
    link = await byId(page, TID.inviteLink).inputValue();
    expect(new URL(link).searchParams.getAll('cp')).toEqual([
      `https://${computers!.host.address}:${HTTP_PORT}`,
    ]);
    await byId(page, TID.inviteLinkDone).click();
  });

  test('Bob, on the other computer: a port that leads nowhere is named on the join screen', async () => {
    const page = bob.page;
    await createIdentity(page, 'bob');
    await byId(page, TID.joinChoice).click();
    await byId(page, TID.joinLinkInput).fill(withDeadPort(link, 7444));
    await byId(page, TID.joinPreviewButton).click();
    await byId(page, TID.joinConfirm).click();
    const notice = byId(page, TID.errorMessage);
    await notice.waitFor({ timeout: 60_000 });
    expect((await notice.innerText()).trim()).toBe(
      `The node at ${computers!.host.address}:7444 did not answer — is the host's app running and port 7444 open?`,
    );
    expect(await notice.innerText()).not.toMatch(/check what you typed/i);
    await bob.screenshot('lan-03-join-no-answer');
  });

  test('Bob joins with the real link, through the veth address', async () => {
    const page = bob.page;
    await page.getByRole('button', { name: 'Back' }).click();
    await byId(page, TID.joinLinkInput).fill(link);
    await byId(page, TID.joinPreviewButton).click();
    await byId(page, TID.joinConfirm).click();
    await online(page);
    const saved = JSON.parse(readFileSync(join(joinShell.profileDir, 'connection.json'), 'utf8'));
    expect(saved.control_urls).toEqual([`https://${computers!.host.address}:${HTTP_PORT}`]);
  });

  test('they exchange messages in a room', async () => {
    const page = alice.page;
    await byId(page, TID.createRoomButton).click();
    await byId(page, TID.createRoomName).fill('across');
    await byId(page, TID.createRoomSubmit).click();
    await openRoom(page, 'across');
    if (!(await byId(page, TID.membersPanel).isVisible()))
      await byId(page, TID.membersButton).click();
    await byId(page, TID.inviteInput).fill('bob');
    const result = page.locator(`[data-testid="${TID.inviteSearchResult}"][data-handle="bob"]`);
    await result.getByTestId(TID.inviteSubmit).click();
    await page
      .locator(`[data-testid="${TID.memberItem}"][data-handle="bob"]`)
      .waitFor({ timeout: 30_000 });
    await openRoom(bob.page, 'across');

    await send(alice.page, 'hello from the host computer');
    await message(bob.page, 'hello from the host computer').waitFor({ timeout: 30_000 });
    await send(bob.page, 'hello from the other computer');
    await message(alice.page, 'hello from the other computer').waitFor({ timeout: 30_000 });
    await bob.screenshot('lan-04-room');
  });

  test('a file sent by Bob downloads byte-identical on Alice’s computer', async () => {
    const content = randomBytes(2 * 1024 * 1024 + 5);
    await byId(bob.page, TID.attachInput).setInputFiles({
      name: 'across.bin',
      mimeType: 'application/octet-stream',
      buffer: content,
    });
    const card = alice.page.locator(`[data-testid="${TID.fileCard}"][data-file-name="across.bin"]`);
    await card.waitFor({ timeout: 120_000 });
    await card.getByTestId(TID.downloadButton).click();
    const save = card.getByTestId(TID.saveButton);
    await save.waitFor({ timeout: 120_000 });
    const [download] = await Promise.all([alice.page.waitForEvent('download'), save.click()]);
    const saved = join(makeTempDir('unibus-e2e-lan-'), 'across.bin');
    await download.saveAs(saved);
    expect(sha256(readFileSync(saved))).toBe(sha256(content));
    await alice.screenshot('lan-05-file');
  });

  test('no page logged an error', () => {
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
