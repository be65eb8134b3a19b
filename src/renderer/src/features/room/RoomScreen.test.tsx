// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageView, RoomView } from '../../../../shared/types/app';
import { connectBridgeEvents } from '../../store/bridgeEvents';
import { setRooms, selectRoom } from '../../store/roomsStore';
import { message, room } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import type { FakeHandlers } from '../../test/fakeBridge';
import { TID } from '../../testids';
import { VIRTUALIZE_AFTER } from './MessageList';
import { RoomScreen } from './RoomScreen';

function openRoom(view: RoomView, history: MessageView[], handlers: FakeHandlers = {}) {
  setRooms([view]);
  selectRoom(view.id);
  return renderWith(<RoomScreen room={view} />, {
    'messages.list': () => history,
    'rooms.markRead': () => null,
    ...handlers,
  });
}

describe('RoomScreen', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('shows sender, time, signed marker and own message states', async () => {
    openRoom(room({ epoch: 3 }), [
      message({ id: 'a', text: 'from bob' }),
      message({ id: 'b', fromMe: true, senderHandle: 'alice', state: 'sending', text: 'mine' }),
      message({ id: 'c', fromMe: true, state: 'failed', reason: 'node refused', text: 'oops' }),
      message({ id: 'd', signed: false, text: 'odd' }),
    ]);
    const items = await screen.findAllByTestId(TID.messageItem);
    expect(items).toHaveLength(4);
    const [first, second, third, fourth] = items as [
      HTMLElement,
      HTMLElement,
      HTMLElement,
      HTMLElement,
    ];
    expect(within(first).getByTestId(TID.messageSender).textContent).toBe('bob');
    expect(within(first).getByTestId(TID.messageTrust).dataset['signed']).toBe('true');
    expect(within(first).getByTestId(TID.messageTrust).textContent).toBe('Signed');
    expect(within(second).getByTestId(TID.messageState).textContent).toBe('Sending…');
    expect(within(third).getByTestId(TID.messageState).textContent).toBe('Not sent: node refused');
    expect(within(fourth).getByTestId(TID.messageTrust).dataset['signed']).toBe('false');
    expect(screen.getByTestId(TID.roomEpoch).textContent).toBe('epoch 3');
  });

  it('shows dropped frames as a visible row with the reason', async () => {
    openRoom(room(), [
      message({ id: 'x', kind: 'dropped', text: null, signed: false, reason: 'bad signature' }),
    ]);
    const dropped = await screen.findByTestId(TID.messageDropped);
    expect(dropped.textContent).toContain('bad signature');
  });

  it('sends with Enter, adds a newline with Shift+Enter', async () => {
    const user = userEvent.setup();
    const sent: string[] = [];
    openRoom(room(), [], {
      'messages.send': ({ text }) => {
        sent.push(text);
        return message({ id: `s${sent.length}`, text, fromMe: true, state: 'sending' });
      },
    });
    const composer = (await screen.findByTestId(TID.composer)) as HTMLTextAreaElement;
    await user.type(composer, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(composer.value).toBe('line one\nline two');
    expect(sent).toEqual([]);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(sent).toEqual(['line one\nline two']));
    await waitFor(() => expect(composer.value).toBe(''));
    expect((await screen.findAllByTestId(TID.messageItem)).length).toBe(1);
  });

  it('keeps the text and explains when sending fails', async () => {
    const user = userEvent.setup();
    openRoom(room(), [], {
      'messages.send': () => {
        throw Object.assign(new Error('node down'), { name: 'UnavailableError' });
      },
    });
    const composer = (await screen.findByTestId(TID.composer)) as HTMLTextAreaElement;
    await user.type(composer, 'keep me{Enter}');
    const error = await screen.findByTestId(TID.errorMessage);
    expect(error.textContent).toContain('cannot be reached');
    expect(composer.value).toBe('keep me');
  });

  it('marks the room read while it is open', async () => {
    const { fake } = openRoom(room({ unread: 2 }), [message()]);
    await waitFor(() =>
      expect(fake.callsTo('rooms.markRead')).toContainEqual([{ roomId: 'room-1' }]),
    );
  });

  it('shows new messages pushed by main', async () => {
    const { fake } = openRoom(room(), [message({ id: 'a', text: 'first' })]);
    connectBridgeEvents(fake.bridge);
    await screen.findByText('first');
    act(() =>
      fake.emit('messages.changed', {
        roomId: 'room-1',
        messages: [message({ id: 'b', text: 'second', timestamp: 1_767_225_700_000 })],
      }),
    );
    expect(await screen.findByText('second')).toBeTruthy();
  });

  it('shows a removed room with a banner, a disabled composer and a dismiss button', async () => {
    const user = userEvent.setup();
    const { fake } = openRoom(room({ removed: 'kicked' }), [message()], {
      'rooms.dismiss': () => null,
    });
    expect((await screen.findByTestId(TID.removedBanner)).textContent).toContain(
      'You were removed from this room',
    );
    expect((screen.getByTestId(TID.composer) as HTMLTextAreaElement).disabled).toBe(true);
    expect((screen.getByTestId(TID.attachButton) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByTestId(TID.removedDismiss));
    await waitFor(() => expect(fake.callsTo('rooms.dismiss')).toEqual([[{ roomId: 'room-1' }]]));
    expect(fake.callsTo('rooms.markRead')).toEqual([]);
  });

  it('virtualizes long histories', async () => {
    // jsdom has no layout: give the scroll frame a size.
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(800);
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockReturnValue(64);
    const history = Array.from({ length: 2000 }, (_, i) =>
      message({ id: `m${i}`, text: `message ${i}`, timestamp: 1_767_225_600_000 + i }),
    );
    openRoom(room(), history);
    const items = await screen.findAllByTestId(TID.messageItem);
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThan(VIRTUALIZE_AFTER);
  });

  it('renders hostile message text as text', async () => {
    const { container } = openRoom(room(), [
      message({ id: 'h1', text: '<img src=x onerror=alert(1)>' }),
      message({ id: 'h2', text: 'javascript:alert(1)' }),
    ]);
    expect(await screen.findByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(screen.getByText('javascript:alert(1)')).toBeTruthy();
    expect(container.querySelector('.message-list img')).toBeNull();
    expect(container.querySelector('a[href^="javascript"]')).toBeNull();
  });
});
