// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { MemberView } from '../../../../shared/types/app';
import { setAppState } from '../../store/appStore';
import { member, room, appState } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import type { FakeHandlers } from '../../test/fakeBridge';
import { TID } from '../../testids';
import { MembersPanel } from './MembersPanel';

const ALICE = member({ endpoint: 'ep-alice', handle: 'alice', role: 'owner', isMe: true });
const BOB = member();

function openPanel(
  members: MemberView[],
  handlers: FakeHandlers = {},
  roomRole: 'owner' | 'member' = 'owner',
) {
  setAppState(appState());
  return renderWith(<MembersPanel room={room({ role: roomRole })} />, {
    'members.list': () => members,
    ...handlers,
  });
}

describe('MembersPanel', () => {
  it('lists members with roles', async () => {
    openPanel([ALICE, BOB]);
    const items = await screen.findAllByTestId(TID.memberItem);
    expect(items.map((item) => item.dataset['handle'])).toEqual(['alice', 'bob']);
    expect(items[0]?.textContent).toContain('(you)');
    expect(items[0]?.textContent).toContain('owner');
  });

  it('kicks after confirmation and shows the removal receipt', async () => {
    const user = userEvent.setup();
    const { fake } = openPanel([ALICE, BOB], {
      'members.kick': () => ({
        roomId: 'room-1',
        removed: 'ep-bob',
        aclRevokedAt: Date.UTC(2026, 0, 1, 12, 0, 0),
        epoch: 2,
        keyed: 1,
        members: 1,
      }),
    });
    const kick = await screen.findByTestId(TID.kickButton);
    expect(kick.dataset['handle']).toBe('bob');
    await user.click(kick);
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('room key is replaced');
    expect(fake.callsTo('members.kick')).toEqual([]);
    await user.click(within(dialog).getByTestId(TID.kickConfirm));
    const receipt = await screen.findByTestId(TID.kickReceipt);
    expect(receipt.textContent).toMatch(/ACL revoked at .+, epoch 2, 1 of 1 members keyed/);
    expect(fake.callsTo('members.kick')).toEqual([[{ roomId: 'room-1', endpoint: 'ep-bob' }]]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('does not offer kick to plain members', async () => {
    openPanel([ALICE, BOB], {}, 'member');
    await screen.findAllByTestId(TID.memberItem);
    expect(screen.queryByTestId(TID.kickButton)).toBeNull();
  });

  it('invites from the directory by handle', async () => {
    const user = userEvent.setup();
    const { fake } = openPanel([ALICE], {
      'directory.search': ({ query }) =>
        query === 'car'
          ? [
              {
                endpoint: 'ep-carol',
                handle: 'carol',
                card: '{}',
                fingerprint: '99999 00000 11111 22222',
                trust: 'unverified' as const,
              },
            ]
          : [],
      'members.invite': () => [ALICE, member({ endpoint: 'ep-carol', handle: 'carol' })],
    });
    await user.type(await screen.findByTestId(TID.inviteInput), 'car');
    const result = await screen.findByTestId(TID.inviteSearchResult);
    await user.click(within(result).getByTestId(TID.inviteSubmit));
    await waitFor(() =>
      expect(fake.callsTo('members.invite')).toEqual([[{ roomId: 'room-1', who: 'ep-carol' }]]),
    );
    expect(await screen.findByText(/carol was invited/)).toBeTruthy();
  });

  it('invites by pasted identity card', async () => {
    const user = userEvent.setup();
    const card = '{"v":1,"id":"ep-dan","handle":"dan","sign_pub":"x","kex_pub":"y"}';
    const { fake } = openPanel([ALICE], { 'members.invite': () => [ALICE] });
    const input = await screen.findByTestId(TID.inviteInput);
    await user.click(input);
    await user.paste(card);
    await user.click(screen.getByTestId(TID.inviteCardSubmit));
    await waitFor(() =>
      expect(fake.callsTo('members.invite')).toEqual([[{ roomId: 'room-1', who: card }]]),
    );
    expect(fake.callsTo('directory.search')).toEqual([]);
  });

  it('leaves the room after confirmation', async () => {
    const user = userEvent.setup();
    const { fake } = openPanel([ALICE, BOB], { 'rooms.leave': () => null });
    await user.click(await screen.findByTestId(TID.leaveRoomButton));
    await user.click(screen.getByTestId(TID.leaveConfirm));
    await waitFor(() => expect(fake.callsTo('rooms.leave')).toEqual([[{ roomId: 'room-1' }]]));
  });

  it('explains a refused kick', async () => {
    const user = userEvent.setup();
    openPanel([ALICE, BOB], {
      'members.kick': () => {
        throw Object.assign(new Error('not the owner'), { name: 'PermissionDeniedError' });
      },
    });
    await user.click(await screen.findByTestId(TID.kickButton));
    await user.click(screen.getByTestId(TID.kickConfirm));
    const error = await screen.findByTestId(TID.errorMessage);
    expect(error.textContent).toContain('You are not allowed to do that.');
    expect(screen.getByRole('dialog')).toBeTruthy();
  });
});
