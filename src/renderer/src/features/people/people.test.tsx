// @vitest-environment jsdom
/**
 * Knowing who you talk to, in the UI: "Signed" vs "Verified" vs a changed key on messages; the
 * room's loud banner for a changed key; the safety number dialog (digits, words, QR) and the
 * user's verdicts; fingerprints beside handles in member lists and every kick/revoke prompt.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SafetyNumberView } from '../../../../shared/types/app';
import { setAppState } from '../../store/appStore';
import { setRooms, selectRoom } from '../../store/roomsStore';
import { appState, member, message, room } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import { TID } from '../../testids';
import { UsersSection } from '../admin/UsersSection';
import { MainLayout } from '../layout/MainLayout';
import { MembersPanel } from '../members/MembersPanel';
import { RoomScreen } from '../room/RoomScreen';

const SAFETY: SafetyNumberView = {
  endpoint: 'ep-alice2',
  handle: 'alice',
  fingerprint: '22222 33333 44444 55555',
  myFingerprint: '66666 77777 88888 99999',
  groups: Array.from({ length: 12 }, (_, i) => String(10000 + i)),
  words: Array.from({ length: 19 }, (_, i) => `word${i}`),
  qr: ['1010101', '0101010', '1111111', '0000000', '1010101', '0101010', '1111111'],
  trust: 'changed',
  verifiedAt: null,
  changedFrom: { handle: 'alice', fingerprint: '11111 22222 33333 44444', wasVerified: true },
};

function openRoomWith(messages: ReturnType<typeof message>[], handlers = {}) {
  const view = room();
  setAppState(appState());
  setRooms([view]);
  selectRoom(view.id);
  return renderWith(<RoomScreen room={view} />, {
    'messages.list': () => messages,
    'rooms.markRead': () => null,
    'members.list': () => [],
    ...handlers,
  });
}

describe('message trust labels', () => {
  it('"Signed" for a checked signature, "Verified" only for a verified key, loud for a new key', async () => {
    openRoomWith([
      message({ id: 'a', text: 'plain', trust: 'unverified' }),
      message({ id: 'b', text: 'known', trust: 'verified' }),
      message({
        id: 'c',
        sender: 'ep-alice2',
        senderHandle: 'alice',
        text: 'hi',
        trust: 'changed',
      }),
    ]);
    const items = await screen.findAllByTestId(TID.messageItem);
    const labels = items.map((i) => within(i).getByTestId(TID.messageTrust).textContent);
    expect(labels).toEqual(['Signed', '✓ Verified', '⚠ New key: not trusted']);
    expect(items[2]?.className).toContain('untrusted');
    expect(screen.queryByText('✓ verified')).toBeNull();
  });
});

describe('a changed key in a room', () => {
  it('shows the banner, opens the safety number, and accepting calls main', async () => {
    const user = userEvent.setup();
    let view = SAFETY;
    const { fake } = renderWith(<MainLayout />, {
      'messages.list': () => [
        message({
          sender: 'ep-alice2',
          senderHandle: 'alice',
          text: 'new laptop',
          trust: 'changed',
        }),
      ],
      'rooms.markRead': () => null,
      'members.list': () => [member({ endpoint: 'ep-alice2', handle: 'alice', trust: 'changed' })],
      'people.safetyNumber': () => view,
      'people.acceptChange': () => (view = { ...SAFETY, trust: 'unverified', changedFrom: null }),
    });
    setAppState(appState());
    setRooms([room()]);
    selectRoom('room-1');
    const banner = await screen.findByTestId(TID.keyChangeBanner);
    expect(banner.dataset['handle']).toBe('alice');
    expect(banner.textContent).toContain('alice has a new key');
    await user.click(within(banner).getByTestId(TID.keyChangeCompare));
    const dialog = await screen.findByTestId(TID.safetyNumberDialog);
    await within(dialog).findByTestId(TID.safetyNumberDigits);
    expect(within(dialog).getByRole('alert').textContent).toContain('You verified alice');
    expect(within(dialog).getByTestId(TID.safetyNumberDigits).textContent).toContain('10011');
    expect(within(dialog).getByTestId(TID.safetyNumberWords).textContent).toBe(
      SAFETY.words.join(' '),
    );
    expect(within(dialog).getByTestId(TID.safetyNumberQr).querySelector('path')).not.toBeNull();
    await user.click(within(dialog).getByTestId(TID.acceptKeyChange));
    await waitFor(() =>
      expect(fake.callsTo('people.acceptChange')).toEqual([[{ endpoint: 'ep-alice2' }]]),
    );
    await waitFor(() => expect(within(dialog).queryByTestId(TID.acceptKeyChange)).toBeNull());
    expect(within(dialog).getByTestId(TID.verifyPerson)).toBeTruthy();
  });

  it('verifying from the members panel marks the person verified', async () => {
    const user = userEvent.setup();
    let trust: 'unverified' | 'verified' = 'unverified';
    const { fake } = renderWith(<MainLayout />, {
      'messages.list': () => [],
      'rooms.markRead': () => null,
      'members.list': () => [member({ trust })],
      'people.safetyNumber': () => ({
        ...SAFETY,
        endpoint: 'ep-bob',
        handle: 'bob',
        trust,
        changedFrom: null,
      }),
      'people.verify': () => {
        trust = 'verified';
        return { ...SAFETY, endpoint: 'ep-bob', handle: 'bob', trust, changedFrom: null };
      },
    });
    setAppState(appState());
    setRooms([room()]);
    selectRoom('room-1');
    await user.click(await screen.findByTestId(TID.membersButton));
    await user.click(await screen.findByTestId(TID.safetyNumberButton));
    const dialog = await screen.findByTestId(TID.safetyNumberDialog);
    await user.click(await within(dialog).findByTestId(TID.verifyPerson));
    await waitFor(() => expect(fake.callsTo('people.verify')).toEqual([[{ endpoint: 'ep-bob' }]]));
    await within(dialog).findByTestId(TID.unverifyPerson);
    expect(within(dialog).getByTestId(TID.trustBadge).dataset['trust']).toBe('verified');
  });
});

describe('fingerprints beside handles', () => {
  it('member list and the kick confirmation say which alice', async () => {
    const user = userEvent.setup();
    setAppState(appState());
    renderWith(<MembersPanel room={room({ role: 'owner' })} />, {
      'members.list': () => [
        member({ endpoint: 'ep-me', handle: 'carol', isMe: true, role: 'owner' }),
        member({ endpoint: 'ep-alice', handle: 'alice', fingerprint: '11111 22222 33333 44444' }),
      ],
    });
    const items = await screen.findAllByTestId(TID.memberItem);
    expect(within(items[1]!).getByTestId(TID.fingerprint).textContent).toBe(
      '11111 22222 33333 44444',
    );
    await user.click(screen.getByTestId(TID.kickButton));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Remove alice (11111 22222 33333 44444) from this room?');
  });

  it('the admin user list and the revoke confirmation say which alice', async () => {
    const user = userEvent.setup();
    setAppState(appState({ role: 'admin' }));
    renderWith(<UsersSection />, {
      'admin.listUsers': () => [
        {
          endpoint: 'ep-old',
          handle: 'alice',
          fingerprint: '11111 22222 33333 44444',
          role: 'member',
          status: 'active',
        },
      ],
    });
    const row = await screen.findByTestId(TID.userItem);
    expect(within(row).getByTestId(TID.fingerprint).textContent).toBe('11111 22222 33333 44444');
    await user.click(within(row).getByTestId(TID.userRevoke));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Revoke alice (11111 22222 33333 44444)?');
    expect(dialog.textContent).toContain('Revoking frees the name');
  });
});
