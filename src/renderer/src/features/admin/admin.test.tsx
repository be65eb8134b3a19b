// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { InviteView, UserView } from '../../../../shared/types/app';
import { setAppState } from '../../store/appStore';
import { appState, nodeStatus } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import type { FakeHandlers } from '../../test/fakeBridge';
import { TID } from '../../testids';
import { AdminScreen } from './AdminScreen';
import { stopNodeWarning } from './NodeStatusPanel';

const USERS: UserView[] = [
  { endpoint: 'ep-alice', handle: 'alice', role: 'admin', status: 'active' },
  { endpoint: 'ep-bob', handle: 'bob', role: 'member', status: 'active' },
];
const INVITE: InviteView = {
  id: 'inv-1',
  role: 'member',
  expiresAt: Math.floor(Date.now() / 1000) + 86_400,
  maxUses: 1,
  uses: 0,
  revoked: false,
};

function openAdmin(handlers: FakeHandlers = {}, hosting = true) {
  setAppState(appState({ role: 'admin', hosting }));
  return renderWith(<AdminScreen />, {
    'admin.listUsers': () => USERS,
    'admin.listInvites': () => [],
    'admin.listInviteKeys': () => [{ id: 'k1', current: true, retiresAt: null }],
    'node.status': () => nodeStatus(),
    ...handlers,
  });
}

describe('AdminScreen', () => {
  it('creates an invite and shows its link once', async () => {
    const user = userEvent.setup();
    const { fake } = openAdmin({
      'admin.createInvite': () => ({ invite: INVITE, link: 'unibus://join?v=1&t=secret' }),
    });
    await user.selectOptions(await screen.findByTestId(TID.inviteExpiry), '86400');
    await user.clear(screen.getByTestId(TID.inviteUses));
    await user.type(screen.getByTestId(TID.inviteUses), '3');
    await user.click(screen.getByTestId(TID.inviteCreate));
    const link = (await screen.findByTestId(TID.inviteLink)) as HTMLInputElement;
    expect(link.value).toBe('unibus://join?v=1&t=secret');
    expect(fake.callsTo('admin.createInvite')).toEqual([
      [{ role: 'member', ttlSeconds: 86_400, maxUses: 3 }],
    ]);
    expect(screen.getAllByTestId(TID.inviteItem)).toHaveLength(1);
    await user.click(screen.getByTestId(TID.inviteLinkDone));
    expect(screen.queryByTestId(TID.inviteLink)).toBeNull();
    expect(document.body.textContent).not.toContain('secret');
  });

  it('revokes a user after confirmation', async () => {
    const user = userEvent.setup();
    const { fake } = openAdmin({
      'admin.revokeUser': () => [
        USERS[0] as UserView,
        { ...(USERS[1] as UserView), status: 'revoked' },
      ],
    });
    const buttons = await screen.findAllByTestId(TID.userRevoke);
    const bob = buttons.find((b) => b.dataset['handle'] === 'bob') as HTMLElement;
    await user.click(bob);
    await user.click(screen.getByTestId(TID.userRevokeConfirm));
    await waitFor(() =>
      expect(fake.callsTo('admin.revokeUser')).toEqual([[{ endpoint: 'ep-bob' }]]),
    );
    const rows = screen.getAllByTestId(TID.userItem);
    expect(rows.find((r) => r.dataset['handle'] === 'bob')?.dataset['status']).toBe('revoked');
  });

  it('adds a user by card with a role', async () => {
    const user = userEvent.setup();
    const { fake } = openAdmin({ 'admin.addUser': () => USERS });
    await user.click(await screen.findByTestId(TID.addUserCard));
    await user.paste('{"v":1}');
    await user.selectOptions(screen.getByTestId(TID.addUserRole), 'admin');
    await user.click(screen.getByTestId(TID.addUserSubmit));
    await waitFor(() =>
      expect(fake.callsTo('admin.addUser')).toEqual([[{ card: '{"v":1}', role: 'admin' }]]),
    );
  });

  it('lists and revokes invites', async () => {
    const user = userEvent.setup();
    const { fake } = openAdmin({
      'admin.listInvites': () => [INVITE],
      'admin.revokeInvite': () => [{ ...INVITE, revoked: true }],
    });
    const row = await screen.findByTestId(TID.inviteItem);
    await user.click(within(row).getByTestId(TID.inviteRevoke));
    await user.click(screen.getByTestId(TID.inviteRevokeConfirm));
    await waitFor(() => expect(fake.callsTo('admin.revokeInvite')).toEqual([[{ id: 'inv-1' }]]));
    expect(screen.getByTestId(TID.inviteItem).dataset['revoked']).toBe('true');
  });

  it('replaces the invite signing key with the grace period chosen, and says until when old links work', async () => {
    const user = userEvent.setup();
    const until = Date.now() + 7 * 86_400_000;
    const { fake } = openAdmin({
      'admin.rotateInviteKey': () => [
        { id: 'k1', current: false, retiresAt: until },
        { id: 'k2', current: true, retiresAt: null },
      ],
    });
    const section = await screen.findByTestId(TID.inviteKeys);
    expect(section.dataset['retiring']).toBe('0');
    await user.click(within(section).getByTestId(TID.inviteKeyRotate));
    await user.selectOptions(screen.getByTestId(TID.inviteKeyGrace), String(7 * 86_400));
    await user.click(screen.getByTestId(TID.inviteKeyRotateConfirm));
    await waitFor(() =>
      expect(fake.callsTo('admin.rotateInviteKey')).toEqual([[{ graceSeconds: 7 * 86_400 }]]),
    );
    await waitFor(() => expect(screen.getByTestId(TID.inviteKeys).dataset['retiring']).toBe('1'));
    expect(screen.getByTestId(TID.inviteKeys).textContent).toContain(
      'Invite links made before the key was replaced keep working until',
    );
    expect(screen.queryByTestId(TID.inviteKeyRotateConfirm)).toBeNull();
  });

  it('shows node status and stops and starts a hosted node', async () => {
    const user = userEvent.setup();
    const { fake } = openAdmin({
      'node.stop': () => nodeStatus({ running: false }),
      'node.start': () => nodeStatus(),
    });
    const status = await screen.findByTestId(TID.nodeStatus);
    expect(status.dataset['running']).toBe('true');
    expect(status.textContent).toContain('2.14.9');
    expect(status.textContent).toContain('ab'.repeat(32));
    expect(status.textContent).toContain('tls://127.0.0.1:4222');
    expect(status.textContent).toContain('2.0 KB');
    await user.click(screen.getByTestId(TID.nodeStop));
    await user.click(screen.getByTestId(TID.nodeStopConfirm));
    await waitFor(() =>
      expect(screen.getByTestId(TID.nodeStatus).dataset['running']).toBe('false'),
    );
    await user.click(screen.getByTestId(TID.nodeStart));
    await waitFor(() => expect(fake.callsTo('node.start')).toHaveLength(1));
  });

  it('"Stop node" first says how many people it takes offline; Cancel keeps it running', async () => {
    const user = userEvent.setup();
    const { fake } = openAdmin({
      'node.status': () => nodeStatus({ peersConnected: 3 }),
      'node.stop': () => nodeStatus({ running: false }),
    });
    await screen.findByTestId(TID.nodeStatus);
    await user.click(screen.getByTestId(TID.nodeStop));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByTestId(TID.nodeStopWarning).textContent).toBe(
      '3 people are connected. Stopping the node takes everyone offline until you start it again.',
    );
    await user.click(within(dialog).getByTestId(TID.dialogCancel));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.callsTo('node.stop')).toEqual([]);
    expect(screen.getByTestId(TID.nodeStatus).dataset['running']).toBe('true');

    await user.click(screen.getByTestId(TID.nodeStop));
    await user.click(screen.getByTestId(TID.nodeStopConfirm));
    await waitFor(() => expect(fake.callsTo('node.stop')).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId(TID.nodeStatus).dataset['running']).toBe('false');
  });

  it('the stop warning counts people in words', () => {
    const rest = 'Stopping the node takes everyone offline until you start it again.';
    expect(stopNodeWarning(1)).toBe(`1 person is connected. ${rest}`);
    expect(stopNodeWarning(0)).toBe(`Nobody is connected right now. ${rest}`);
    expect(stopNodeWarning(null)).toBe(rest);
    expect(stopNodeWarning(12)).toBe(`12 people are connected. ${rest}`);
  });

  it('offers no stop button for a node it does not host', async () => {
    openAdmin({}, false);
    await screen.findByTestId(TID.nodeStatus);
    expect(screen.queryByTestId(TID.nodeStop)).toBeNull();
  });
});
