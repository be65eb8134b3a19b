/**
 * Messages per room. `messages.list` gives a room's history; `messages.changed` brings new and
 * updated messages (own messages move sending → stored | failed), merged by id.
 */
import { create } from 'zustand';
import type { MessageView } from '../../../shared/types/app';
import { call } from '../bridge/call';

export interface RoomMessages {
  readonly messages: readonly MessageView[];
  readonly loading: boolean;
  readonly error: unknown;
}

export interface MessagesState {
  readonly byRoom: Readonly<Record<string, RoomMessages>>;
}

export const initialMessagesState: MessagesState = { byRoom: {} };

export const useMessagesStore = create<MessagesState>()(() => initialMessagesState);

const EMPTY: RoomMessages = { messages: [], loading: false, error: null };

function roomEntry(roomId: string): RoomMessages {
  return useMessagesStore.getState().byRoom[roomId] ?? EMPTY;
}

function patchRoom(roomId: string, patch: Partial<RoomMessages>): void {
  const byRoom = useMessagesStore.getState().byRoom;
  useMessagesStore.setState({
    byRoom: { ...byRoom, [roomId]: { ...roomEntry(roomId), ...patch } },
  });
}

/** Merge by id (an update replaces the old copy), keep time order; stable for equal times. */
export function mergeMessageLists(
  current: readonly MessageView[],
  incoming: readonly MessageView[],
): MessageView[] {
  const byId = new Map<string, MessageView>();
  const order: string[] = [];
  for (const message of [...current, ...incoming]) {
    if (!byId.has(message.id)) order.push(message.id);
    byId.set(message.id, message);
  }
  const merged = order.map((id) => byId.get(id) as MessageView);
  const position = new Map(order.map((id, index) => [id, index]));
  return merged.sort(
    (a, b) => a.timestamp - b.timestamp || (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0),
  );
}

export function mergeMessages(roomId: string, incoming: readonly MessageView[]): void {
  if (incoming.length === 0) return;
  patchRoom(roomId, { messages: mergeMessageLists(roomEntry(roomId).messages, incoming) });
}

export async function loadMessages(roomId: string): Promise<void> {
  patchRoom(roomId, { loading: true, error: null });
  try {
    const history = await call('messages.list', { roomId });
    patchRoom(roomId, {
      messages: mergeMessageLists(roomEntry(roomId).messages, history),
      loading: false,
    });
  } catch (error) {
    patchRoom(roomId, { loading: false, error });
  }
}

export async function sendMessage(roomId: string, text: string): Promise<MessageView> {
  const message = await call('messages.send', { roomId, text });
  mergeMessages(roomId, [message]);
  return message;
}

export const messagesSelectors = {
  room:
    (roomId: string) =>
    (s: MessagesState): RoomMessages =>
      s.byRoom[roomId] ?? EMPTY,
};
