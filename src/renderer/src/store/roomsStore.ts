/** Rooms: the list from main (with unread counts), the selected room and the sidebar filter. */
import { create } from 'zustand';
import type { RoomView } from '../../../shared/types/app';
import { call } from '../bridge/call';

export interface RoomsState {
  readonly rooms: readonly RoomView[];
  readonly loaded: boolean;
  readonly selectedRoomId: string | null;
  readonly filter: string;
}

export const initialRoomsState: RoomsState = {
  rooms: [],
  loaded: false,
  selectedRoomId: null,
  filter: '',
};

export const useRoomsStore = create<RoomsState>()(() => initialRoomsState);

export function setRooms(rooms: readonly RoomView[]): void {
  const { selectedRoomId } = useRoomsStore.getState();
  const stillThere = selectedRoomId !== null && rooms.some((room) => room.id === selectedRoomId);
  useRoomsStore.setState({
    rooms,
    loaded: true,
    selectedRoomId: stillThere ? selectedRoomId : null,
  });
}

export async function loadRooms(): Promise<void> {
  setRooms(await call('rooms.list'));
}

export function selectRoom(roomId: string | null): void {
  useRoomsStore.setState({ selectedRoomId: roomId });
}

export function setRoomFilter(filter: string): void {
  useRoomsStore.setState({ filter });
}

function upsertRoom(room: RoomView): void {
  const rooms = useRoomsStore.getState().rooms;
  const others = rooms.filter((existing) => existing.id !== room.id);
  useRoomsStore.setState({ rooms: [...others, room] });
}

export async function createRoom(args: {
  name: string;
  topic: string;
  persist: boolean;
  history: 'all' | 'since-join';
}): Promise<RoomView> {
  const room = await call('rooms.create', args);
  upsertRoom(room);
  selectRoom(room.id);
  return room;
}

export async function leaveRoom(roomId: string): Promise<void> {
  await call('rooms.leave', { roomId });
}

/** Forget a room this user was removed from; it leaves the list. */
export async function dismissRoom(roomId: string): Promise<void> {
  await call('rooms.dismiss', { roomId });
  const rooms = useRoomsStore.getState().rooms.filter((room) => room.id !== roomId);
  setRooms(rooms);
}

export async function markRoomRead(roomId: string): Promise<void> {
  const room = useRoomsStore.getState().rooms.find((r) => r.id === roomId);
  if (room !== undefined && room.unread > 0) {
    upsertRoomInPlace({ ...room, unread: 0 });
  }
  await call('rooms.markRead', { roomId });
}

function upsertRoomInPlace(room: RoomView): void {
  const rooms = useRoomsStore.getState().rooms.map((r) => (r.id === room.id ? room : r));
  useRoomsStore.setState({ rooms });
}

/** Name shown for a room whose encrypted name could not be opened. */
export const UNREADABLE_ROOM_NAME = 'Unreadable room';

export function roomDisplayName(room: RoomView): string {
  return room.name ?? UNREADABLE_ROOM_NAME;
}

function sortRooms(rooms: readonly RoomView[]): RoomView[] {
  return [...rooms].sort((a, b) =>
    roomDisplayName(a).localeCompare(roomDisplayName(b), undefined, { sensitivity: 'base' }),
  );
}

export const roomsSelectors = {
  visibleRooms: (s: RoomsState): RoomView[] => {
    const needle = s.filter.trim().toLocaleLowerCase();
    const matching =
      needle === ''
        ? s.rooms
        : s.rooms.filter((room) =>
            `${room.name ?? ''} ${room.topic ?? ''}`.toLocaleLowerCase().includes(needle),
          );
    return sortRooms(matching);
  },
  selectedRoom: (s: RoomsState): RoomView | null =>
    s.rooms.find((room) => room.id === s.selectedRoomId) ?? null,
  totalUnread: (s: RoomsState): number => s.rooms.reduce((sum, room) => sum + room.unread, 0),
};
