import { useRef, useState, type ClipboardEvent, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_TEXT_MAX } from '../../../../shared/ipc/contract';
import { ErrorNotice } from '../../components/ErrorNotice';
import { sendMessage } from '../../store/messagesStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { AttachButton } from '../files/AttachButton';

/**
 * Message box: Enter sends, Shift+Enter starts a new line; files can be attached, pasted or
 * dropped (the room handles drops). While a message is being handed over the text stays, so a
 * failure loses nothing.
 */
export function Composer({
  roomId,
  disabled,
  onFiles,
}: {
  roomId: string;
  disabled: boolean;
  onFiles: (files: readonly File[]) => void;
}) {
  const [text, setText] = useState('');
  const action = useAction();
  const box = useRef<HTMLTextAreaElement>(null);
  const tooLong = text.length > MESSAGE_TEXT_MAX;

  function send() {
    if (disabled || action.busy || text.trim() === '' || tooLong) return;
    const toSend = text;
    void action.run(async () => {
      await sendMessage(roomId, toSend);
      setText((current) => (current === toSend ? '' : current));
      box.current?.focus();
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    onFiles(files);
  }

  return (
    <form
      className="composer"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        send();
      }}
    >
      <ErrorNotice error={action.error} onDismiss={action.clearError} />
      {tooLong && (
        <p className="field-problem" role="alert" data-testid={TID.composerError}>
          A message has at most {MESSAGE_TEXT_MAX.toLocaleString()} characters; this one has{' '}
          {text.length.toLocaleString()}. Shorten it or send it as a file.
        </p>
      )}
      <div className="composer-row">
        <AttachButton disabled={disabled} onFiles={onFiles} />
        <textarea
          ref={box}
          rows={2}
          value={text}
          disabled={disabled}
          placeholder={disabled ? 'You can no longer write here' : 'Write a message'}
          aria-label="Message"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          data-testid={TID.composer}
        />
        <button
          type="submit"
          className="primary"
          disabled={disabled || action.busy || text.trim() === '' || tooLong}
          data-testid={TID.sendButton}
        >
          Send
        </button>
      </div>
    </form>
  );
}
