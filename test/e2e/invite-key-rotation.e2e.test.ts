/**
 * Replacing the invite signing key from the admin screen (issue 12, Build 6), in real Chromium
 * through two web shells: Alice hosts and mints a link, replaces the key with "stop them right
 * away"; Bob's old link is refused with a sentence saying why and what to do; a new link works.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { TID } from '../../src/renderer/src/testids';
import { freePort, useE2E, type ShellPage, type WebShell } from './harness';

const PASSPHRASE = 'e2e passphrase, long enough';
const byId = (page: Page, id: string) => page.getByTestId(id);

async function createIdentity(page: Page, handle: string): Promise<void> {
  await byId(page, TID.firstRun).waitFor({ timeout: 30_000 });
  await byId(page, TID.createIdentityHandle).fill(handle);
  await byId(page, TID.createIdentityPassphrase).fill(PASSPHRASE);
  await byId(page, TID.createIdentityPassphraseRepeat).fill(PASSPHRASE);
  await byId(page, TID.createIdentitySubmit).click();
}

async function mintLink(page: Page): Promise<string> {
  await byId(page, TID.inviteCreate).click();
  const link = await byId(page, TID.inviteLink).inputValue();
  await byId(page, TID.inviteLinkDone).click();
  return link;
}

describe('invite signing key rotation, through the UI', () => {
  const e2e = useE2E();
  let alice: ShellPage;
  let bob: ShellPage;
  let hostShell: WebShell;
  let joinShell: WebShell;

  beforeAll(async () => {
    const env = { UNIBUS_KEY_PROTECTION: 'passphrase-file' };
    [hostShell, joinShell] = await Promise.all([
      e2e.startWebShell({ name: 'rot-alice', env }),
      e2e.startWebShell({ name: 'rot-bob', env }),
    ]);
    const browser = await e2e.browser();
    [alice, bob] = await Promise.all([hostShell.openPage(browser), joinShell.openPage(browser)]);
  });

  test('an old link is refused in words after the admin replaced the key; a new link works', async () => {
    const page = alice.page;
    await createIdentity(page, 'alice');
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
    const oldLink = await mintLink(page);

    await byId(page, TID.inviteKeyRotate).click();
    await byId(page, TID.inviteKeyGrace).selectOption('0');
    await alice.screenshot('invite-key-rotate-dialog');
    await byId(page, TID.inviteKeyRotateConfirm).click();
    const section = byId(page, TID.inviteKeys);
    await expect.poll(() => section.innerText()).toContain('stopped working on');
    await section.scrollIntoViewIfNeeded();
    await alice.screenshot('invite-key-rotated');
    const newLink = await mintLink(page);
    expect(newLink).not.toBe(oldLink);

    await createIdentity(bob.page, 'bob');
    await byId(bob.page, TID.joinChoice).click();
    await byId(bob.page, TID.joinLinkInput).fill(oldLink);
    await byId(bob.page, TID.joinPreviewButton).click();
    await byId(bob.page, TID.joinConfirm).click();
    const refusal = byId(bob.page, TID.errorMessage);
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.innerText()).toContain(
      'the node’s admin replaced the key that signs invite links. Ask them for a new link.',
    );
    await bob.screenshot('invite-key-old-link-refused');

    await bob.page.getByRole('button', { name: 'Back' }).click();
    await byId(bob.page, TID.joinLinkInput).fill(newLink);
    await byId(bob.page, TID.joinPreviewButton).click();
    await byId(bob.page, TID.joinConfirm).click();
    await expect
      .poll(() => byId(bob.page, TID.connectionState).getAttribute('data-status'), {
        timeout: 60_000,
      })
      .toBe('online');
    // A refused join is a handled error, shown in words: no console error on either page.
    expect(alice.errors).toEqual([]);
    expect(bob.errors.filter((e) => !e.includes('403'))).toEqual([]);
  });
});
