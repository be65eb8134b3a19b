/**
 * Knowing who you talk to (issue 12), in real Chromium through three web shells: Alice hosts,
 * Bob joins (as a second admin); Bob compares safety numbers with Alice — both apps show the same
 * 60 digits — and marks her verified. Then Alice "loses her laptop": Bob revokes her old key and
 * the name "alice" is given to a new identity that joins from a new profile. When the new alice
 * writes to Bob, Bob's app shows the key-change warning before anything from her is shown as
 * trusted; her message is "not trusted" until Bob accepts or verifies the new key.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { TID } from '../../src/renderer/src/testids';
import { freePort, useE2E, type ShellPage, type WebShell } from './harness';

const PASSPHRASE = 'e2e passphrase, long enough';
const ENV = { UNIBUS_KEY_PROTECTION: 'passphrase-file' };
const byId = (page: Page, id: string) => page.getByTestId(id);
const sel = (id: string, attrs: Record<string, string> = {}) =>
  `[data-testid="${id}"]` +
  Object.entries(attrs)
    .map(([k, v]) => `[data-${k}="${v}"]`)
    .join('');

async function createIdentity(page: Page, handle: string): Promise<void> {
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

async function mintInvite(page: Page, role: 'admin' | 'member'): Promise<string> {
  await byId(page, TID.adminNav).click();
  await byId(page, TID.inviteRole).selectOption(role);
  await byId(page, TID.inviteCreate).click();
  const link = await byId(page, TID.inviteLink).inputValue();
  await byId(page, TID.inviteLinkDone).click();
  return link;
}

async function joinByLink(page: Page, link: string): Promise<void> {
  await byId(page, TID.joinChoice).click();
  await byId(page, TID.joinLinkInput).fill(link);
  await byId(page, TID.joinPreviewButton).click();
  await byId(page, TID.joinConfirm).click();
  await online(page);
}

async function openRoom(page: Page, name: string): Promise<void> {
  await page.locator(sel(TID.roomListItem, { 'room-name': name })).click({ timeout: 60_000 });
  await expect.poll(() => byId(page, TID.roomName).innerText()).toContain(name);
}

async function createRoomAndInvite(page: Page, name: string, invitee: string): Promise<void> {
  await byId(page, TID.createRoomButton).click();
  await byId(page, TID.createRoomName).fill(name);
  await byId(page, TID.createRoomSubmit).click();
  await openRoom(page, name);
  if (!(await byId(page, TID.membersPanel).isVisible()))
    await byId(page, TID.membersButton).click();
  await byId(page, TID.inviteInput).fill(invitee);
  const result = page.locator(sel(TID.inviteSearchResult, { handle: invitee }));
  await result.getByTestId(TID.inviteSubmit).click();
  await page.locator(sel(TID.memberItem, { handle: invitee })).waitFor({ timeout: 30_000 });
}

async function send(page: Page, text: string): Promise<void> {
  await byId(page, TID.composer).fill(text);
  await byId(page, TID.composer).press('Enter');
}

const messageWithText = (page: Page, text: string) =>
  page.locator(sel(TID.messageItem)).filter({ hasText: text });

async function safetyDigits(page: Page): Promise<string> {
  const digits = byId(page, TID.safetyNumberDigits);
  await digits.waitFor({ timeout: 30_000 });
  return (await digits.innerText()).replace(/\s+/g, ' ').trim();
}

describe('safety numbers and a replaced key, through the UI', () => {
  const e2e = useE2E();
  let aliceShell: WebShell;
  let bobShell: WebShell;
  let alice: ShellPage;
  let bob: ShellPage;
  let newAlice: ShellPage;
  let oldAliceEndpoint = '';

  beforeAll(async () => {
    [aliceShell, bobShell] = await Promise.all([
      e2e.startWebShell({ name: 'alice', env: ENV }),
      e2e.startWebShell({ name: 'bob', env: ENV }),
    ]);
    const browser = await e2e.browser();
    [alice, bob] = await Promise.all([aliceShell.openPage(browser), bobShell.openPage(browser)]);
  });

  test('Alice hosts; Bob joins as a second admin; they share a room', async () => {
    await byId(alice.page, TID.firstRun).waitFor();
    await createIdentity(alice.page, 'alice');
    await byId(alice.page, TID.hostChoice).click();
    await byId(alice.page, TID.hostHttpPort).fill(String(await freePort()));
    await byId(alice.page, TID.hostNatsPort).fill(String(await freePort()));
    await byId(alice.page, TID.hostButton).click();
    await byId(alice.page, TID.hostContinue).click({ timeout: 90_000 });
    await online(alice.page);

    const link = await mintInvite(alice.page, 'admin');
    await createIdentity(bob.page, 'bob');
    await joinByLink(bob.page, link);

    await createRoomAndInvite(alice.page, 'team', 'bob');
    await send(alice.page, 'hello from alice');
    await openRoom(bob.page, 'team');
    const first = messageWithText(bob.page, 'hello from alice');
    await first.waitFor({ timeout: 30_000 });
    // Signed, not "Verified": Bob has not compared anything yet.
    expect(await first.getByTestId(TID.messageTrust).innerText()).toBe('Signed');
  });

  test('Bob compares safety numbers with Alice (same digits on both sides) and verifies her', async () => {
    await byId(bob.page, TID.membersButton).click();
    const aliceRow = bob.page.locator(sel(TID.memberItem, { handle: 'alice' }));
    oldAliceEndpoint = (await aliceRow.getAttribute('data-endpoint')) ?? '';
    expect(oldAliceEndpoint).not.toBe('');
    await aliceRow.getByTestId(TID.safetyNumberButton).click();
    const bobSees = await safetyDigits(bob.page);
    expect(bobSees).toMatch(/^([0-9]{5} ){11}[0-9]{5}$/);
    expect(await byId(bob.page, TID.safetyNumberWords).innerText()).toMatch(/^(\S+ ){18}\S+$/);
    await byId(bob.page, TID.safetyNumberQr).waitFor();

    // Alice opens hers with Bob: the same number.
    if (!(await byId(alice.page, TID.membersPanel).isVisible()))
      await byId(alice.page, TID.membersButton).click();
    await alice.page
      .locator(sel(TID.memberItem, { handle: 'bob' }))
      .getByTestId(TID.safetyNumberButton)
      .click();
    expect(await safetyDigits(alice.page)).toBe(bobSees);
    await byId(alice.page, TID.safetyNumberClose).click();

    await bob.screenshot('identity-01-safety-number');
    await byId(bob.page, TID.verifyPerson).click();
    await byId(bob.page, TID.unverifyPerson).waitFor();
    await bob.page.keyboard.press('Escape');
    await byId(bob.page, TID.safetyNumberDialog).waitFor({ state: 'detached' });
    await expect
      .poll(() =>
        messageWithText(bob.page, 'hello from alice').getByTestId(TID.messageTrust).innerText(),
      )
      .toBe('✓ Verified');
    await expect
      .poll(() => aliceRow.getByTestId(TID.trustBadge).getAttribute('data-trust'))
      .toBe('verified');
    await bob.screenshot('identity-02-alice-verified');
  });

  test('Bob revokes the old alice; the revoke prompt says which one', async () => {
    await byId(bob.page, TID.adminNav).click();
    const row = bob.page.locator(sel(TID.userItem, { handle: 'alice', status: 'active' }));
    const fingerprint = await row.getByTestId(TID.fingerprint).innerText();
    expect(fingerprint).toMatch(/^[0-9]{5}( [0-9]{5}){3}$/);
    await row.getByTestId(TID.userRevoke).click();
    const dialog = byId(bob.page, TID.dialog);
    expect(await dialog.innerText()).toContain(`Revoke alice (${fingerprint})?`);
    await bob.screenshot('identity-03-revoke-which-alice');
    await byId(bob.page, TID.userRevokeConfirm).click();
    await bob.page
      .locator(sel(TID.userItem, { handle: 'alice', status: 'revoked' }))
      .waitFor({ timeout: 30_000 });
  });

  test('a new identity joins as "alice" and writes to Bob: the warning comes first', async () => {
    const link = await mintInvite(bob.page, 'member');
    const shell = await e2e.startWebShell({ name: 'new-alice', env: ENV });
    newAlice = await shell.openPage(await e2e.browser());
    await byId(newAlice.page, TID.firstRun).waitFor();
    await createIdentity(newAlice.page, 'alice');
    await joinByLink(newAlice.page, link);
    await createRoomAndInvite(newAlice.page, 'new-laptop', 'bob');
    await send(newAlice.page, 'it is me, on my new laptop');

    await byId(bob.page, TID.adminNav).click(); // leave the admin screen
    await openRoom(bob.page, 'new-laptop');
    const message = messageWithText(bob.page, 'it is me, on my new laptop');
    await message.waitFor({ timeout: 60_000 });
    const banner = bob.page.locator(sel(TID.keyChangeBanner, { handle: 'alice' }));
    await banner.waitFor({ timeout: 30_000 });
    expect(await message.getAttribute('data-trust')).toBe('changed');
    expect(await message.getByTestId(TID.messageTrust).innerText()).toBe('⚠ New key: not trusted');
    const newEndpoint = await message.getByTestId(TID.messageSender).getAttribute('title');
    expect(newEndpoint).not.toBe(oldAliceEndpoint);
    // The member list says so too, and tells the two alices apart by fingerprint.
    if (!(await byId(bob.page, TID.membersPanel).isVisible()))
      await byId(bob.page, TID.membersButton).click();
    await bob.page
      .locator(sel(TID.memberItem, { handle: 'alice', trust: 'changed' }))
      .waitFor({ timeout: 30_000 });
    // Nothing from the new key is shown as trusted anywhere.
    expect(await bob.page.locator(`${sel(TID.messageItem)}[data-trust="verified"]`).count()).toBe(
      0,
    );
    await bob.screenshot('identity-04-key-change-warning');

    await banner.getByTestId(TID.keyChangeCompare).click();
    const dialog = byId(bob.page, TID.safetyNumberDialog);
    await safetyDigits(bob.page);
    expect(await dialog.getByRole('alert').innerText()).toContain('You verified alice');
    await bob.screenshot('identity-05-changed-safety-number');
  });

  test('after Bob accepts the new key her messages are signed, not verified, and the banner goes', async () => {
    await byId(bob.page, TID.acceptKeyChange).click();
    await byId(bob.page, TID.verifyPerson).waitFor();
    await byId(bob.page, TID.safetyNumberClose).click();
    const message = messageWithText(bob.page, 'it is me, on my new laptop');
    await expect.poll(() => message.getByTestId(TID.messageTrust).innerText()).toBe('Signed');
    await expect.poll(() => byId(bob.page, TID.keyChangeBanner).count()).toBe(0);
    // The old room still shows the old key's message as verified: that was her, then.
    await openRoom(bob.page, 'team');
    await expect
      .poll(() =>
        messageWithText(bob.page, 'hello from alice').getByTestId(TID.messageTrust).innerText(),
      )
      .toBe('✓ Verified');
    await bob.screenshot('identity-06-old-room-after');
  });

  test('no page of Bob or the new alice logged an error', () => {
    expect(bob.errors).toEqual([]);
    expect(newAlice.errors).toEqual([]);
  });
});
