import { ErrorNotice } from '../../components/ErrorNotice';
import { dismissRoom } from '../../store/roomsStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';

/** Shown in a room this user was kicked from or left: it stays readable until dismissed. */
export function RemovedBanner({ roomId, removed }: { roomId: string; removed: 'kicked' | 'left' }) {
  const action = useAction();
  return (
    <div className="banner banner-warning" role="status" data-testid={TID.removedBanner}>
      <p>
        {removed === 'kicked'
          ? 'You were removed from this room. You can read what you already had, but not send.'
          : 'You left this room. You can read what you already had, but not send.'}
      </p>
      <ErrorNotice error={action.error} />
      <button
        type="button"
        disabled={action.busy}
        onClick={() => void action.run(() => dismissRoom(roomId))}
        data-testid={TID.removedDismiss}
      >
        Dismiss room
      </button>
    </div>
  );
}
