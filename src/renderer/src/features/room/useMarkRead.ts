import { useEffect } from 'react';
import type { RoomView } from '../../../../shared/types/app';
import { markRoomRead } from '../../store/roomsStore';

/** While the room is on screen (and the window visible), its messages count as read. */
export function useMarkRead(room: RoomView, lastMessageId: string | null): void {
  const active = room.removed === null;
  const hasUnread = room.unread > 0;
  useEffect(() => {
    if (!active) return;
    const mark = () => {
      if (document.visibilityState === 'visible') {
        void markRoomRead(room.id).catch(() => undefined);
      }
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [room.id, active, hasUnread, lastMessageId]);
}
