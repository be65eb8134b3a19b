import type { RoomView } from '../../../../shared/types/app';
import { roomDisplayName } from '../../store/roomsStore';
import { setMembersOpen, useUiStore } from '../../store/uiStore';
import { TID } from '../../testids';

/** Room name, topic, key epoch and policy; the members panel toggle. */
export function RoomHeader({ room }: { room: RoomView }) {
  const membersOpen = useUiStore((s) => s.membersOpen);
  return (
    <header className="room-header">
      <div className="room-title">
        <h1 data-testid={TID.roomName}># {roomDisplayName(room)}</h1>
        {room.metaError !== null && (
          <p className="field-problem">The room name could not be opened: {room.metaError}</p>
        )}
        {room.topic !== null && room.topic !== '' && (
          <p className="room-topic" data-testid={TID.roomTopic}>
            {room.topic}
          </p>
        )}
      </div>
      <div className="room-facts">
        <span
          className="pill"
          data-testid={TID.roomEpoch}
          data-epoch={room.epoch}
          title="Key epoch: it grows each time the room key is replaced, e.g. after a kick"
        >
          epoch {room.epoch}
        </span>
        <span className="pill" title="History policy">
          {room.policy.persist ? 'history kept' : 'no history'}
          {room.policy.history === 'since-join' ? ', new members from join' : ''}
        </span>
        <button
          type="button"
          aria-expanded={membersOpen}
          onClick={() => setMembersOpen(!membersOpen)}
          data-testid={TID.membersButton}
        >
          Members
        </button>
      </div>
    </header>
  );
}
