import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';
import type { MessageView } from '../../../../shared/types/app';
import { TID } from '../../testids';
import { MessageItem } from './MessageItem';

/** Up to this many messages are rendered as a plain list; beyond it only what is on screen. */
export const VIRTUALIZE_AFTER = 150;
const ESTIMATED_ROW_HEIGHT = 64;
/** Within this distance of the bottom, new messages keep the view pinned to the end. */
const STICK_DISTANCE = 120;

function useStickToBottom(container: RefObject<HTMLDivElement | null>) {
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const element = container.current;
    if (element === null) return;
    const onScroll = () => {
      pinned.current =
        element.scrollHeight - element.scrollTop - element.clientHeight < STICK_DISTANCE;
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, [container]);
  return pinned;
}

function ScrollFrame({
  frameRef,
  children,
}: {
  frameRef: RefObject<HTMLDivElement | null>;
  children: ReactNode;
}) {
  return (
    <div
      ref={frameRef}
      className="message-list"
      role="log"
      aria-label="Messages"
      aria-live="polite"
      tabIndex={0}
      data-testid={TID.messageList}
    >
      {children}
    </div>
  );
}

function PlainList({ messages }: { messages: readonly MessageView[] }) {
  const frame = useRef<HTMLDivElement>(null);
  const pinned = useStickToBottom(frame);
  useLayoutEffect(() => {
    const element = frame.current;
    if (element !== null && pinned.current) element.scrollTop = element.scrollHeight;
  }, [messages, pinned]);
  return (
    <ScrollFrame frameRef={frame}>
      {messages.map((message) => (
        <MessageItem key={message.id} message={message} />
      ))}
    </ScrollFrame>
  );
}

function VirtualList({ messages }: { messages: readonly MessageView[] }) {
  const frame = useRef<HTMLDivElement>(null);
  const pinned = useStickToBottom(frame);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => frame.current,
    estimateSize: () => ESTIMATED_ROW_HEIGHT,
    getItemKey: (index) => messages[index]?.id ?? index,
    overscan: 8,
    initialRect: { width: 800, height: 800 },
  });
  useLayoutEffect(() => {
    if (pinned.current && messages.length > 0) {
      virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    }
  }, [messages.length, pinned, virtualizer]);

  return (
    <ScrollFrame frameRef={frame}>
      <div className="virtual-space" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const message = messages[row.index];
          if (message === undefined) return null;
          return (
            <div
              key={row.key}
              ref={virtualizer.measureElement}
              data-index={row.index}
              className="virtual-row"
              style={{ transform: `translateY(${row.start}px)` }}
            >
              <MessageItem message={message} />
            </div>
          );
        })}
      </div>
    </ScrollFrame>
  );
}

/** The room's messages, oldest first; long histories are virtualized. */
export function MessageList({ messages }: { messages: readonly MessageView[] }) {
  if (messages.length === 0) {
    return (
      <ScrollFrameEmpty>
        <p className="muted empty-room">No messages yet. Say hello.</p>
      </ScrollFrameEmpty>
    );
  }
  return messages.length > VIRTUALIZE_AFTER ? (
    <VirtualList messages={messages} />
  ) : (
    <PlainList messages={messages} />
  );
}

function ScrollFrameEmpty({ children }: { children: ReactNode }) {
  const frame = useRef<HTMLDivElement>(null);
  return <ScrollFrame frameRef={frame}>{children}</ScrollFrame>;
}
