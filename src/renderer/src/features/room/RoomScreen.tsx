import { useCallback, useEffect } from 'react';
import type { RoomView } from '../../../../shared/types/app';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadMessages, messagesSelectors, useMessagesStore } from '../../store/messagesStore';
import { roomDisplayName } from '../../store/roomsStore';
import { useUiStore } from '../../store/uiStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { TransferList } from '../files/TransferList';
import { uploadFiles } from '../files/uploadFiles';
import { useFileDrop } from '../files/useFileDrop';
import { MembersPanel } from '../members/MembersPanel';
import { KeyChangeBanner } from '../people/KeyChangeBanner';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { RemovedBanner } from './RemovedBanner';
import { RoomHeader } from './RoomHeader';
import { useMarkRead } from './useMarkRead';

/** One room: header, messages, uploads, composer; files can be dropped anywhere on it. */
export function RoomScreen({ room }: { room: RoomView }) {
  const { messages, error, loading } = useMessagesStore(messagesSelectors.room(room.id));
  const membersOpen = useUiStore((s) => s.membersOpen);
  const upload = useAction();
  const canWrite = room.removed === null;

  useEffect(() => {
    void loadMessages(room.id);
  }, [room.id]);
  useMarkRead(room, messages[messages.length - 1]?.id ?? null);

  const onFiles = useCallback(
    (files: readonly File[]) => void upload.run(() => uploadFiles(room.id, files)),
    [room.id, upload.run],
  );
  const drop = useFileDrop(canWrite, onFiles);

  return (
    <div
      className="room-screen"
      data-testid={TID.roomView}
      data-room-id={room.id}
      {...drop.handlers}
    >
      <section className="room-main" aria-label={`Room ${roomDisplayName(room)}`}>
        <RoomHeader room={room} />
        {room.removed !== null && <RemovedBanner roomId={room.id} removed={room.removed} />}
        <KeyChangeBanner roomId={room.id} epoch={room.epoch} messages={messages} />
        <ErrorNotice error={error} />
        {loading && messages.length === 0 ? (
          <p className="muted message-list-loading">Loading messages…</p>
        ) : (
          <MessageList messages={messages} />
        )}
        <TransferList roomId={room.id} />
        <ErrorNotice error={upload.error} onDismiss={upload.clearError} />
        <Composer roomId={room.id} disabled={!canWrite} onFiles={onFiles} />
        {drop.dragging && (
          <div className="drop-overlay" data-testid={TID.dropZone}>
            Drop files to send them to #{roomDisplayName(room)}
          </div>
        )}
      </section>
      {membersOpen && <MembersPanel room={room} />}
    </div>
  );
}
