// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { appState, message, nodeStatus, room, transfer } from '../test/fixtures';
import { installFakeBridge } from '../test/harness';
import { useAdminStore } from './adminStore';
import { takeLaunchJoinLink, useAppStore } from './appStore';
import { connectBridgeEvents } from './bridgeEvents';
import { mergeMessageLists, sendMessage, useMessagesStore } from './messagesStore';
import {
  dismissRoom,
  markRoomRead,
  roomsSelectors,
  selectRoom,
  setRoomFilter,
  setRooms,
  useRoomsStore,
} from './roomsStore';
import { updateSettings, useSettingsStore } from './settingsStore';
import { transfersSelectors, useTransfersStore } from './transfersStore';
import { showView, useUiStore } from './uiStore';

describe('messages store', () => {
  it('merges by id and keeps time order', () => {
    const a = message({ id: 'a', timestamp: 1 });
    const b = message({ id: 'b', timestamp: 3 });
    const c = message({ id: 'c', timestamp: 2 });
    const bStored = { ...b, state: 'stored' as const };
    expect(mergeMessageLists([a, b], [c, bStored])).toEqual([a, c, bStored]);
  });

  it('adds the sent message to its room', async () => {
    const sent = message({ id: 'mine', fromMe: true, state: 'sending', text: 'hi' });
    const fake = installFakeBridge({ 'messages.send': () => sent });
    await sendMessage('room-1', 'hi');
    expect(fake.callsTo('messages.send')).toEqual([[{ roomId: 'room-1', text: 'hi' }]]);
    expect(useMessagesStore.getState().byRoom['room-1']?.messages).toEqual([sent]);
  });
});

describe('rooms store', () => {
  it('filters by name or topic, sorted by name', () => {
    setRooms([
      room({ id: 'b', name: 'beta', topic: 'release' }),
      room({ id: 'a', name: 'alpha', topic: 'ops' }),
      room({ id: 'n', name: null, topic: null, metaError: 'bad key' }),
    ]);
    const names = () => roomsSelectors.visibleRooms(useRoomsStore.getState()).map((r) => r.name);
    expect(names()).toEqual(['alpha', 'beta', null]);
    setRoomFilter('REL');
    expect(names()).toEqual(['beta']);
  });

  it('drops the selection when the selected room goes away', async () => {
    installFakeBridge({ 'rooms.dismiss': () => null });
    setRooms([room({ id: 'x', removed: 'kicked' })]);
    selectRoom('x');
    await dismissRoom('x');
    expect(useRoomsStore.getState().selectedRoomId).toBeNull();
    expect(useRoomsStore.getState().rooms).toEqual([]);
  });

  it('marks read locally and in main', async () => {
    const fake = installFakeBridge({ 'rooms.markRead': () => null });
    setRooms([room({ id: 'r', unread: 4 })]);
    await markRoomRead('r');
    expect(useRoomsStore.getState().rooms[0]?.unread).toBe(0);
    expect(fake.callsTo('rooms.markRead')).toEqual([[{ roomId: 'r' }]]);
  });
});

describe('settings store', () => {
  it('goes back when main refuses a change', async () => {
    installFakeBridge({
      'settings.update': () => {
        throw Object.assign(new Error('no'), { name: 'ValidationError' });
      },
    });
    await expect(updateSettings({ theme: 'light' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(useSettingsStore.getState().settings.theme).toBe('dark');
  });
});

describe('bridge events', () => {
  it('feed every store', () => {
    const fake = installFakeBridge();
    const off = connectBridgeEvents(fake.bridge);
    fake.emit('app.state', appState({ role: 'admin' }));
    fake.emit('app.connectionState', { status: 'reconnecting', since: 5 });
    fake.emit('rooms.changed', [room()]);
    fake.emit('messages.changed', { roomId: 'room-1', messages: [message()] });
    fake.emit('transfers.changed', transfer());
    fake.emit('node.status', nodeStatus());
    fake.emit('app.joinLink', { link: 'unibus://join?v=1' });
    off();
    fake.emit('rooms.changed', []);

    const app = useAppStore.getState();
    expect(app.appState?.role).toBe('admin');
    expect(app.appState?.connection.status).toBe('reconnecting');
    expect(app.pendingJoinLink).toBe('unibus://join?v=1');
    expect(useRoomsStore.getState().rooms).toHaveLength(1);
    expect(useMessagesStore.getState().byRoom['room-1']?.messages).toHaveLength(1);
    expect(transfersSelectors.downloadOf('m-1')(useTransfersStore.getState())?.id).toBe('t-1');
    expect(useAdminStore.getState().nodeStatus?.peersConnected).toBe(2);
  });

  it('a clicked notification opens its room; the launch link is taken once listening', async () => {
    const fake = installFakeBridge({
      'app.takeJoinLink': () => ({ link: 'unibus://join?v=1&t=a' }),
    });
    const off = connectBridgeEvents(fake.bridge);
    showView('settings');
    fake.emit('app.openRoom', { roomId: 'room-9' });
    expect(useRoomsStore.getState().selectedRoomId).toBe('room-9');
    expect(useUiStore.getState().view).toBe('rooms');
    await takeLaunchJoinLink();
    expect(useAppStore.getState().pendingJoinLink).toBe('unibus://join?v=1&t=a');
    off();
  });
});
