import { useState } from 'react';
import type { RoomView } from '../../../../shared/types/app';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { leaveRoom, roomDisplayName } from '../../store/roomsStore';
import { TID } from '../../testids';

/** Leave the room, after saying what that means. */
export function LeaveRoomButton({ room }: { room: RoomView }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button
        type="button"
        className="danger-outline"
        onClick={() => setConfirming(true)}
        data-testid={TID.leaveRoomButton}
      >
        Leave room
      </button>
      {confirming && (
        <ConfirmDialog
          title={`Leave #${roomDisplayName(room)}?`}
          confirmLabel="Leave"
          confirmTestId={TID.leaveConfirm}
          onClose={() => setConfirming(false)}
          onConfirm={() => leaveRoom(room.id)}
        >
          <p>
            You will stop receiving its messages. To come back, a member has to invite you again.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
