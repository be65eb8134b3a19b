// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AppState, RoomView } from '../../../../shared/types/app';
import { App } from '../../App';
import { appState, room } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import type { FakeHandlers } from '../../test/fakeBridge';
import { TID } from '../../testids';

function startReady(state: AppState, rooms: RoomView[], handlers: FakeHandlers = {}) {
  return renderWith(<App />, {
    'app.getState': () => state,
    'app.getVersion': () => '0.1.0',
    'settings.get': () => ({ theme: 'dark', notifications: true }),
    'rooms.list': () => rooms,
    'files.transfers': () => [],
    'messages.list': () => [],
    'rooms.markRead': () => null,
    ...handlers,
  });
}

const ROOMS = [
  room({ id: 'r1', name: 'general', unread: 3 }),
  room({ id: 'r2', name: 'random', topic: 'cats' }),
];

describe('main layout', () => {
  it('lists rooms with unread counts and filters them', async () => {
    const user = userEvent.setup();
    startReady(appState(), ROOMS);
    const items = await screen.findAllByTestId(TID.roomListItem);
    expect(items.map((i) => i.dataset['roomName'])).toEqual(['general', 'random']);
    expect(within(items[0] as HTMLElement).getByTestId(TID.roomUnread).textContent).toBe('3');
    await user.type(screen.getByTestId(TID.roomFilter), 'cat');
    expect(screen.getAllByTestId(TID.roomListItem).map((i) => i.dataset['roomName'])).toEqual([
      'random',
    ]);
  });

  it('opens a room from the list with the keyboard', async () => {
    const user = userEvent.setup();
    startReady(appState(), ROOMS);
    const [first] = await screen.findAllByTestId(TID.roomListItem);
    (first as HTMLElement).focus();
    await user.keyboard('{ArrowDown}{Enter}');
    expect((await screen.findByTestId(TID.roomView)).dataset['roomId']).toBe('r2');
  });

  it('creates a room with name, topic and policy', async () => {
    const user = userEvent.setup();
    const created = room({ id: 'r3', name: 'launch', topic: 'v1' });
    const { fake } = startReady(appState(), [], { 'rooms.create': () => created });
    await user.click(await screen.findByTestId(TID.createRoomButton));
    await user.type(screen.getByTestId(TID.createRoomName), 'launch');
    await user.type(screen.getByTestId(TID.createRoomTopic), 'v1');
    await user.click(screen.getByTestId(TID.createRoomPersist));
    await user.selectOptions(screen.getByTestId(TID.createRoomHistory), 'since-join');
    await user.click(screen.getByTestId(TID.createRoomSubmit));
    expect((await screen.findByTestId(TID.roomView)).dataset['roomId']).toBe('r3');
    expect(fake.callsTo('rooms.create')).toEqual([
      [{ name: 'launch', topic: 'v1', persist: false, history: 'since-join' }],
    ]);
    expect(screen.queryByTestId(TID.createRoomDialog)).toBeNull();
  });

  it('closes the create-room dialog with Escape', async () => {
    const user = userEvent.setup();
    startReady(appState(), []);
    await user.click(await screen.findByTestId(TID.createRoomButton));
    expect(screen.getByTestId(TID.createRoomDialog)).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId(TID.createRoomDialog)).toBeNull();
  });

  it('shows Admin only to admins, and Settings to everyone', async () => {
    startReady(appState({ role: 'member' }), ROOMS);
    await screen.findByTestId(TID.sidebar);
    expect(screen.queryByTestId(TID.adminNav)).toBeNull();
    expect(screen.getByTestId(TID.settingsNav)).toBeTruthy();
  });

  it('follows the connection state', async () => {
    const { fake } = startReady(appState(), ROOMS);
    const indicator = await screen.findByTestId(TID.connectionState);
    expect(indicator.dataset['status']).toBe('online');
    act(() => fake.emit('app.connectionState', { status: 'reconnecting', since: 9 }));
    expect(screen.getByTestId(TID.connectionState).dataset['status']).toBe('reconnecting');
    act(() => fake.emit('app.connectionState', { status: 'removed', since: 10 }));
    expect(screen.getByTestId(TID.connectionState).textContent).toBe(
      'Your access to this node was removed by an admin.',
    );
  });

  it('updates the room list from rooms.changed', async () => {
    const { fake } = startReady(appState(), ROOMS);
    await screen.findAllByTestId(TID.roomListItem);
    act(() => fake.emit('rooms.changed', [room({ id: 'r1', name: 'general', unread: 7 })]));
    await waitFor(() => expect(screen.getAllByTestId(TID.roomListItem)).toHaveLength(1));
    expect(screen.getByTestId(TID.roomUnread).textContent).toBe('7');
  });

  it('shows a join-link dialog when a deep link arrives while connected', async () => {
    const { fake } = startReady(appState(), ROOMS);
    await screen.findByTestId(TID.sidebar);
    act(() => fake.emit('app.joinLink', { link: 'unibus://join?v=1&t=z' }));
    const input = (await screen.findByTestId(TID.joinLinkInput)) as HTMLTextAreaElement;
    expect(input.value).toBe('unibus://join?v=1&t=z');
  });

  it('says what went wrong when the app state cannot be loaded', async () => {
    renderWith(<App />, {
      'app.getState': () => {
        throw Object.assign(new Error('x'), { name: 'UnavailableError' });
      },
    });
    const box = await screen.findByTestId(TID.appLoadError);
    expect(box.textContent).toContain('cannot be reached');
  });
});
