import type { MouseEvent } from 'react';
import { call } from '../../bridge/call';
import { TID } from '../../testids';
import { linkify } from './linkify';

function openExternal(event: MouseEvent<HTMLAnchorElement>, href: string) {
  event.preventDefault();
  // Main asks the user to confirm before it opens anything; a refusal needs no message here.
  void call('app.openExternal', { url: href }).catch(() => undefined);
}

/**
 * Message text, rendered as React text nodes only (never as HTML). Safe https:/mailto: links are
 * anchors whose click goes through `app.openExternal`; the page itself never navigates.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <div className="message-text" data-testid={TID.messageText}>
      {linkify(text).map((part, index) =>
        part.kind === 'text' ? (
          <span key={index}>{part.text}</span>
        ) : (
          <a
            key={index}
            href={part.href}
            rel="noreferrer noopener"
            onClick={(event) => openExternal(event, part.href)}
            onAuxClick={(event) => {
              if (event.button === 1) openExternal(event, part.href);
            }}
            data-testid={TID.messageLink}
          >
            {part.text}
          </a>
        ),
      )}
    </div>
  );
}
