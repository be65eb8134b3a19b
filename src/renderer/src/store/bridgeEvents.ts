/** Feeds the stores from the contract's events. Returns one function that unsubscribes them all. */
import type { UnibusBridge, Unsubscribe } from '../../../shared/ipc/bridge';
import { openJoinLink, setAppState, setConnectionState } from './appStore';
import { setNodeStatus } from './adminStore';
import { mergeMessages } from './messagesStore';
import { peopleChanged } from './peopleStore';
import { selectRoom, setRooms } from './roomsStore';
import { upsertTransfer } from './transfersStore';
import { showView } from './uiStore';

export function connectBridgeEvents(bridge: UnibusBridge): Unsubscribe {
  const { events } = bridge;
  const subscriptions: Unsubscribe[] = [
    events['app.state'](setAppState),
    events['app.connectionState'](setConnectionState),
    events['rooms.changed'](setRooms),
    events['messages.changed'](({ roomId, messages }) => mergeMessages(roomId, messages)),
    events['transfers.changed'](upsertTransfer),
    events['node.status'](setNodeStatus),
    events['app.joinLink'](({ link }) => openJoinLink(link)),
    events['app.openRoom'](({ roomId }) => {
      showView('rooms');
      selectRoom(roomId);
    }),
    events['people.changed'](() => void peopleChanged()),
  ];
  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
  };
}
