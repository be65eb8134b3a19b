import type { KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { roomDisplayName, roomsSelectors, selectRoom, useRoomsStore } from '../../store/roomsStore';
import { showView, useUiStore } from '../../store/uiStore';
import { TID } from '../../testids';

/** The rooms, filtered; arrow keys move between them, Enter opens one. */
export function RoomList() {
  const rooms = useRoomsStore(useShallow(roomsSelectors.visibleRooms));
  const selectedRoomId = useRoomsStore((s) => s.selectedRoomId);
  const filter = useRoomsStore((s) => s.filter);
  const loaded = useRoomsStore((s) => s.loaded);
  const view = useUiStore((s) => s.view);

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button')];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = event.key === 'ArrowDown' ? index + 1 : index - 1;
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, next))];
    if (target !== undefined) {
      event.preventDefault();
      target.focus();
    }
  }

  if (loaded && rooms.length === 0) {
    return (
      <p className="muted room-list-empty">
        {filter.trim() === '' ? 'No rooms yet. Create one to start.' : 'No room matches.'}
      </p>
    );
  }

  return (
    <ul className="room-list" aria-label="Rooms" data-testid={TID.roomList} onKeyDown={onKeyDown}>
      {rooms.map((room) => {
        const name = roomDisplayName(room);
        const current = view === 'rooms' && room.id === selectedRoomId;
        return (
          <li key={room.id}>
            <button
              type="button"
              className={`room-item${current ? ' selected' : ''}${room.removed !== null ? ' removed' : ''}`}
              aria-current={current ? 'page' : undefined}
              title={room.metaError ?? room.topic ?? undefined}
              onClick={() => {
                selectRoom(room.id);
                showView('rooms');
              }}
              data-testid={TID.roomListItem}
              data-room-name={room.name ?? ''}
              data-room-id={room.id}
              data-removed={room.removed ?? undefined}
            >
              <span className="room-item-name"># {name}</span>
              {room.unread > 0 && (
                <span
                  className="badge"
                  data-testid={TID.roomUnread}
                  aria-label={`${room.unread} unread`}
                >
                  {room.unread > 99 ? '99+' : room.unread}
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
