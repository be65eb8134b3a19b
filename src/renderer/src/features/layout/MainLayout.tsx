import { useEffect } from 'react';
import { useAppStore } from '../../store/appStore';
import { roomsSelectors, useRoomsStore } from '../../store/roomsStore';
import { useUiStore } from '../../store/uiStore';
import { TID } from '../../testids';
import { AdminScreen } from '../admin/AdminScreen';
import { JoinLinkDialog } from '../onboarding/JoinLinkDialog';
import { SafetyNumberDialog } from '../people/SafetyNumberDialog';
import { RoomScreen } from '../room/RoomScreen';
import { SettingsScreen } from '../settings/SettingsScreen';
import { ROOM_FILTER_ID, Sidebar } from './Sidebar';

function NoRoomSelected() {
  return (
    <main className="screen screen-empty" data-testid={TID.noRoomSelected}>
      <p>Pick a room on the left, or create one.</p>
    </main>
  );
}

/** Connected: sidebar plus the room, admin or settings screen. Ctrl+K jumps to the room filter. */
export function MainLayout() {
  const view = useUiStore((s) => s.view);
  const room = useRoomsStore(roomsSelectors.selectedRoom);
  const pendingJoinLink = useAppStore((s) => s.pendingJoinLink);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        document.getElementById(ROOM_FILTER_ID)?.focus();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <div className="main-layout">
      <Sidebar />
      {view === 'admin' && <AdminScreen />}
      {view === 'settings' && <SettingsScreen />}
      {view === 'rooms' && (room === null ? <NoRoomSelected /> : <RoomScreen room={room} />)}
      {pendingJoinLink !== null && <JoinLinkDialog link={pendingJoinLink} />}
      <SafetyNumberDialog />
    </div>
  );
}
