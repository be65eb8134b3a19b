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

const TRUST_LABELS = {
  verified: {
    text: '✓ Verified',
    className: 'verified',
    title: 'Signed by a key you verified by safety number',
  },
  changed: {
    text: '⚠ New key: not trusted',
    className: 'key-changed',
    title:
      'Signed, but by a key this name did not have here before. Compare safety numbers before you trust it.',
  },
  signed: {
    text: 'Signed',
    className: 'signed',
    title: 'Signature checked: sent by this key. Compare safety numbers to know who holds it.',
  },
  unsigned: {
    text: '⚠ Not signed',
    className: 'unverified',
    title: 'The signature could not be checked',
  },
} as const;

/** "Signed" means the signature checked; "Verified" only for a key the user verified. */
function TrustLabel({ message }: { message: MessageView }) {
  const label = !message.signed
    ? TRUST_LABELS.unsigned
    : message.trust === 'verified'
      ? TRUST_LABELS.verified
      : message.trust === 'changed'
        ? TRUST_LABELS.changed
        : TRUST_LABELS.signed;
  return (
    <span
      className={label.className}
      data-testid={TID.messageTrust}
      data-signed={message.signed}
      data-trust={message.trust}
      title={label.title}
    >
      {label.text}
    </span>
  );
}

/** One message: sender, time, whether its signature checked out, body, and own outbox state. */
export const MessageItem = memo(function MessageItem({ message }: { message: MessageView }) {
  const sender = message.senderHandle ?? shortId(message.sender);
  const date = new Date(toMillis(message.timestamp));
  const iso = Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  return (
    <article
      className={`message${message.fromMe ? ' from-me' : ''}${message.kind === 'dropped' ? ' dropped' : ''}${message.trust === 'changed' ? ' untrusted' : ''}`}
      data-testid={TID.messageItem}
      data-message-id={message.id}
      data-kind={message.kind}
      data-state={message.state ?? undefined}
      data-from-me={message.fromMe}
      data-trust={message.trust}
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
        <TrustLabel message={message} />
      </header>
      <Body message={message} />
      <OwnState message={message} />
    </article>
  );
});
