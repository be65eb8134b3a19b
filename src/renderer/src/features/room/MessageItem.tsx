import { memo } from 'react';
import type { MessageStateView, MessageView } from '../../../../shared/types/app';
import { sendMessage } from '../../store/messagesStore';
import { TID } from '../../testids';
import { formatDateTime, formatTime, shortId, toMillis } from '../../util/format';
import { FileCard } from '../files/FileCard';
import { MessageText } from './MessageText';

const STATE_TEXT: { readonly [S in MessageStateView]: string } = {
  sending: 'Sending…',
  stored: 'Stored on the node',
  failed: 'Not sent',
};

function OwnState({ message }: { message: MessageView }) {
  if (message.state === null) return null;
  return (
    <div className={`message-state state-${message.state}`}>
      <span data-testid={TID.messageState} data-state={message.state}>
        {STATE_TEXT[message.state]}
        {message.state === 'failed' && message.reason !== null && `: ${message.reason}`}
      </span>
      {message.state === 'failed' && message.kind === 'text' && message.text !== null && (
        <button
          type="button"
          className="link-button"
          onClick={() =>
            void sendMessage(message.roomId, message.text ?? '').catch(() => undefined)
          }
        >
          Send again
        </button>
      )}
    </div>
  );
}

function Body({ message }: { message: MessageView }) {
  if (message.kind === 'dropped') {
    return (
      <p className="message-dropped" role="note" data-testid={TID.messageDropped}>
        Undecryptable or dropped message: {message.reason ?? 'no reason given'}
      </p>
    );
  }
  if (message.kind === 'file' && message.file !== null) {
    return <FileCard roomId={message.roomId} messageId={message.id} file={message.file} />;
  }
  return <MessageText text={message.text ?? ''} />;
}

/** One message: sender, time, whether its signature checked out, body, and own outbox state. */
export const MessageItem = memo(function MessageItem({ message }: { message: MessageView }) {
  const sender = message.senderHandle ?? shortId(message.sender);
  const date = new Date(toMillis(message.timestamp));
  const iso = Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  return (
    <article
      className={`message${message.fromMe ? ' from-me' : ''}${message.kind === 'dropped' ? ' dropped' : ''}`}
      data-testid={TID.messageItem}
      data-message-id={message.id}
      data-kind={message.kind}
      data-state={message.state ?? undefined}
      data-from-me={message.fromMe}
    >
      <header className="message-meta">
        <span className="message-sender" data-testid={TID.messageSender} title={message.sender}>
          {sender}
        </span>
        <time
          dateTime={iso}
          title={formatDateTime(message.timestamp)}
          data-testid={TID.messageTime}
        >
          {formatTime(message.timestamp)}
        </time>
        <span
          className={message.verified ? 'verified' : 'unverified'}
          data-testid={TID.messageVerified}
          data-verified={message.verified}
          title={
            message.verified
              ? 'Signature checked: sent by this member'
              : 'Not verified: the signature could not be checked'
          }
        >
          {message.verified ? '✓ verified' : '⚠ not verified'}
        </span>
      </header>
      <Body message={message} />
      <OwnState message={message} />
    </article>
  );
});
