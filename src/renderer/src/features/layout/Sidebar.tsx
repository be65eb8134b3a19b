import { useState } from 'react';
import { appSelectors, useAppStore } from '../../store/appStore';
import { setRoomFilter, useRoomsStore } from '../../store/roomsStore';
import { showView, useUiStore } from '../../store/uiStore';
import { TID } from '../../testids';
import { ConnectionIndicator } from './ConnectionIndicator';
import { CreateRoomDialog } from './CreateRoomDialog';
import { RoomList } from './RoomList';

export const ROOM_FILTER_ID = 'room-filter';

/** Who I am, the connection, the rooms (filter, create), and the way to Admin and Settings. */
export function Sidebar() {
  const identity = useAppStore(appSelectors.identity);
  const isAdmin = useAppStore(appSelectors.isAdmin);
  const filter = useRoomsStore((s) => s.filter);
  const view = useUiStore((s) => s.view);
  const [creating, setCreating] = useState(false);

  return (
    <nav className="sidebar" aria-label="Rooms and navigation" data-testid={TID.sidebar}>
      <header className="sidebar-header">
        <div className="app-name">unibus</div>
        <div className="muted" data-testid={TID.currentUser}>
          {identity?.handle ?? ''}
        </div>
        <ConnectionIndicator />
      </header>
      <div className="sidebar-tools">
        <input
          id={ROOM_FILTER_ID}
          type="search"
          placeholder="Filter rooms (Ctrl+K)"
          aria-label="Filter rooms"
          value={filter}
          onChange={(e) => setRoomFilter(e.target.value)}
          data-testid={TID.roomFilter}
        />
        <button
          type="button"
          className="primary"
          onClick={() => setCreating(true)}
          data-testid={TID.createRoomButton}
        >
          New room
        </button>
      </div>
      <RoomList />
      <footer className="sidebar-footer">
        {isAdmin && (
          <button
            type="button"
            aria-current={view === 'admin' ? 'page' : undefined}
            onClick={() => showView('admin')}
            data-testid={TID.adminNav}
          >
            Admin
          </button>
        )}
        <button
          type="button"
          aria-current={view === 'settings' ? 'page' : undefined}
          onClick={() => showView('settings')}
          data-testid={TID.settingsNav}
        >
          Settings
        </button>
      </footer>
      {creating && <CreateRoomDialog onClose={() => setCreating(false)} />}
    </nav>
  );
}
