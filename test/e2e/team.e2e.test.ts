/**
 * The acceptance walk of the desktop UI, in real Chromium through two web shells (two peers, one
 * of them hosting the node): first run → host; mint an invite → the second peer joins by link;
 * create a room; invite; both exchange messages (hostile text stays text); a 20 MiB file with a
 * visible progress bar, downloaded byte-identical; kick → the kicked peer sees it was removed
 * and receives nothing more; the admin revokes the user. Screenshots of each main screen are
 * saved in test-results/e2e/screenshots/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { TID } from '../../src/renderer/src/testids';
import { freePort, makeTempDir, useE2E, type ShellPage, type WebShell } from './harness';

const PASSPHRASE = 'e2e passphrase, long enough';
const FILE_SIZE = 20 * 1024 * 1024;
const HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_LINK = 'javascript:window.__pwned=2';

const byId = (page: Page, id: string) => page.getByTestId(id);

async function createIdentity(page: Page, handle: string): Promise<void> {
  await byId(page, TID.createIdentityHandle).fill(handle);
  const protection = await byId(page, TID.keyProtection).getAttribute('data-protection');
  if (protection === 'passphrase-file') {
    await byId(page, TID.createIdentityPassphrase).fill(PASSPHRASE);
    await byId(page, TID.createIdentityPassphraseRepeat).fill(PASSPHRASE);
  }
  await byId(page, TID.createIdentitySubmit).click();
}

async function openRoom(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="${TID.roomListItem}"][data-room-name="${name}"]`).click();
  await expect.poll(() => byId(page, TID.roomName).innerText()).toContain(name);
}

/** The members button toggles the panel: open it only when it is not open already. */
async function openMembers(page: Page): Promise<void> {
  if (!(await byId(page, TID.membersPanel).isVisible()))
    await byId(page, TID.membersButton).click();
  await byId(page, TID.membersPanel).waitFor();
}

async function send(page: Page, text: string): Promise<void> {
  await byId(page, TID.composer).fill(text);
  await byId(page, TID.composer).press('Enter');
}

function messageWithText(page: Page, text: string) {
  return page.locator(`[data-testid="${TID.messageItem}"]`).filter({ hasText: text });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('a team on one hosted bus, through the UI', () => {
  const e2e = useE2E();
  let hostShell: WebShell;
  let joinShell: WebShell;
  let alice: ShellPage;
  let bob: ShellPage;
  let inviteLink = '';
  let caFingerprint = '';

  beforeAll(async () => {
    const env = { UNIBUS_KEY_PROTECTION: 'passphrase-file' };
    [hostShell, joinShell] = await Promise.all([
      e2e.startWebShell({ name: 'alice', env }),
      e2e.startWebShell({ name: 'bob', env }),
    ]);
    const browser = await e2e.browser();
    [alice, bob] = await Promise.all([hostShell.openPage(browser), joinShell.openPage(browser)]);
  });

  test('first run: Alice creates her identity and hosts a bus', async () => {
    const page = alice.page;
    await byId(page, TID.firstRun).waitFor();
    await alice.screenshot('01-first-run');
    await createIdentity(page, 'alice');
    await byId(page, TID.hostChoice).click();
    await byId(page, TID.hostHttpPort).fill(String(await freePort()));
    await byId(page, TID.hostNatsPort).fill(String(await freePort()));
    await byId(page, TID.hostButton).click();
    await byId(page, TID.hostResult).waitFor({ timeout: 90_000 });
    caFingerprint = (await byId(page, TID.hostCaFingerprint).innerText()).trim();
    expect(caFingerprint.replace(/[^0-9a-f]/gi, '')).toMatch(/^[0-9a-f]{64}$/i);
    await alice.screenshot('02-host-result');
    await byId(page, TID.hostContinue).click();
    await expect
      .poll(() => byId(page, TID.connectionState).getAttribute('data-status'), { timeout: 60_000 })
      .toBe('online');
  });

  test('Alice mints an invite; Bob joins by link after checking the fingerprint', async () => {
    await byId(alice.page, TID.adminNav).click();
    await byId(alice.page, TID.inviteCreate).click();
    inviteLink = await byId(alice.page, TID.inviteLink).inputValue();
    expect(inviteLink).toMatch(/^unibus:\/\/join\?/);
    await alice.screenshot('03-admin-invite');
    await byId(alice.page, TID.inviteLinkDone).click();

    const page = bob.page;
    await createIdentity(page, 'bob');
    await byId(page, TID.joinChoice).click();
    await byId(page, TID.joinLinkInput).fill(inviteLink);
    await byId(page, TID.joinPreviewButton).click();
    const shown = (await byId(page, TID.joinCaFingerprint).innerText()).replace(/[^0-9a-f]/gi, '');
    expect(shown.toLowerCase()).toBe(caFingerprint.replace(/[^0-9a-f]/gi, '').toLowerCase());
    await bob.screenshot('04-join-confirm');
    await byId(page, TID.joinConfirm).click();
    await expect
      .poll(() => byId(page, TID.connectionState).getAttribute('data-status'), { timeout: 60_000 })
      .toBe('online');
  });

  test('Alice creates a room and invites Bob from the directory', async () => {
    const page = alice.page;
    await byId(page, TID.createRoomButton).click();
    await byId(page, TID.createRoomName).fill('launch');
    await byId(page, TID.createRoomTopic).fill('the release train');
    await byId(page, TID.createRoomSubmit).click();
    await openRoom(page, 'launch');
    await openMembers(page);
    await byId(page, TID.inviteInput).fill('bob');
    const result = page.locator(`[data-testid="${TID.inviteSearchResult}"][data-handle="bob"]`);
    await result.getByTestId(TID.inviteSubmit).click();
    await page
      .locator(`[data-testid="${TID.memberItem}"][data-handle="bob"]`)
      .waitFor({ timeout: 30_000 });
    await alice.screenshot('05-members');
    await openRoom(bob.page, 'launch');
  });

  test('both exchange messages; hostile text is shown as text and runs nothing', async () => {
    await send(alice.page, 'hello bob');
    await messageWithText(bob.page, 'hello bob').waitFor({ timeout: 30_000 });
    await send(bob.page, 'hi alice');
    await messageWithText(alice.page, 'hi alice').waitFor({ timeout: 30_000 });
    const fromBob = messageWithText(alice.page, 'hi alice');
    expect(await fromBob.getByTestId(TID.messageTrust).getAttribute('data-signed')).toBe('true');
    await expect
      .poll(() => messageWithText(alice.page, 'hello bob').getAttribute('data-state'))
      .toBe('stored');

    await send(alice.page, HOSTILE_IMG);
    await send(alice.page, `look ${HOSTILE_LINK}`);
    await messageWithText(bob.page, HOSTILE_IMG).waitFor({ timeout: 30_000 });
    const link = messageWithText(bob.page, HOSTILE_LINK);
    await link.waitFor({ timeout: 30_000 });
    await link.getByText(HOSTILE_LINK).click();
    const list = byId(bob.page, TID.messageList);
    expect(await list.locator('img').count()).toBe(0);
    expect(await list.locator('a[href^="javascript:" i]').count()).toBe(0);
    expect(
      await bob.page.evaluate(() => (globalThis as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await bob.screenshot('06-room');
  });

  test('Alice sends a 20 MiB file with a progress bar; Bob downloads it byte-identical', async () => {
    const dir = makeTempDir('unibus-e2e-file-');
    const content = randomBytes(FILE_SIZE);

    // Bytes, not a path: the browser runs as another user and need not read our temp folder.
    await byId(alice.page, TID.attachInput).setInputFiles({
      name: 'release.bin',
      mimeType: 'application/octet-stream',
      buffer: content,
    });
    await byId(alice.page, TID.progressBar).first().waitFor({ state: 'visible', timeout: 30_000 });
    await alice.screenshot('07-upload-progress');

    const card = bob.page.locator(`[data-testid="${TID.fileCard}"][data-file-name="release.bin"]`);
    await card.waitFor({ timeout: 120_000 });
    await card.getByTestId(TID.downloadButton).click();
    const save = card.getByTestId(TID.saveButton);
    await save.waitFor({ timeout: 120_000 });
    const [download] = await Promise.all([bob.page.waitForEvent('download'), save.click()]);
    const saved = join(dir, 'downloaded.bin');
    await download.saveAs(saved);
    expect(sha256(readFileSync(saved))).toBe(sha256(content));
    await bob.screenshot('08-file-downloaded');
  });

  test('kick: Alice gets a receipt; Bob sees he was removed and receives nothing more', async () => {
    const page = alice.page;
    await openMembers(page);
    await page.locator(`[data-testid="${TID.kickButton}"][data-handle="bob"]`).click();
    await byId(page, TID.kickConfirm).click();
    const receipt = byId(page, TID.kickReceipt);
    await receipt.waitFor({ timeout: 30_000 });
    expect(await receipt.innerText()).toMatch(/epoch 2/i);
    await alice.screenshot('09-kick-receipt');

    await byId(bob.page, TID.removedBanner).waitFor({ timeout: 60_000 });
    await bob.screenshot('10-removed');
    await send(page, 'after the kick');
    await messageWithText(page, 'after the kick').waitFor();
    await expect
      .poll(() => messageWithText(page, 'after the kick').getAttribute('data-state'))
      .toBe('stored');
    await bob.page.waitForTimeout(2_000);
    expect(await messageWithText(bob.page, 'after the kick').count()).toBe(0);
  });

  test('the admin revokes Bob', async () => {
    const page = alice.page;
    await byId(page, TID.adminNav).click();
    await page.locator(`[data-testid="${TID.userRevoke}"][data-handle="bob"]`).click();
    await byId(page, TID.userRevokeConfirm).click();
    await page
      .locator(`[data-testid="${TID.userItem}"][data-handle="bob"][data-status="revoked"]`)
      .waitFor({ timeout: 30_000 });
    await byId(page, TID.nodeStatus).waitFor();
    await alice.screenshot('11-admin-revoked');
    // Bob's app is told, in words, and stops trying (the node KICKed him; the callout refuses him).
    await bob.page
      .locator(`[data-testid="${TID.connectionState}"][data-status="removed"]`)
      .waitFor({ timeout: 30_000 });
    expect(await byId(bob.page, TID.connectionState).textContent()).toBe(
      'Your access to this node was removed by an admin.',
    );
    await bob.screenshot('11b-bob-removed');
    await byId(page, TID.settingsNav).click();
    await byId(page, TID.settingsScreen).waitFor();
    await alice.screenshot('12-settings');
  });

  test('no page logged an error', () => {
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
