import { useEffect } from 'react';
import { getBridge } from '../bridge/getBridge';
import { useLinkStore } from '../bridge/linkStatus';
import { loadNodeStatus } from '../store/adminStore';
import { loadAppState, loadVersion, takeLaunchJoinLink, useAppStore } from '../store/appStore';
import { connectBridgeEvents } from '../store/bridgeEvents';
import { loadMessages } from '../store/messagesStore';
import { loadRooms, useRoomsStore } from '../store/roomsStore';
import { loadSettings, useSettingsStore } from '../store/settingsStore';
import { loadTransfers } from '../store/transfersStore';
import { useUiStore } from '../store/uiStore';
import type { Action } from '../util/useAction';

/** What the connected app loads: rooms and transfers, the open room's messages, node status. */
async function loadConnectedData(): Promise<void> {
  const roomId = useRoomsStore.getState().selectedRoomId;
  const tasks: Promise<void>[] = [loadRooms(), loadTransfers()];
  if (roomId !== null) tasks.push(loadMessages(roomId));
  if (useUiStore.getState().view === 'admin') tasks.push(loadNodeStatus());
  await Promise.all(tasks);
}

/**
 * Connects the stores to the bridge, loads the app state, and reloads what events may have
 * missed when the phase becomes `ready` or the web shell's socket comes back.
 */
export function useBootstrap(sync: Action): void {
  const phase = useAppStore((s) => s.appState?.phase ?? null);
  const reconnects = useLinkStore((s) => s.reconnects);
  const syncRun = sync.run;

  useEffect(() => {
    const unsubscribe = connectBridgeEvents(getBridge());
    void takeLaunchJoinLink(); // after subscribing: no link falls between the two
    void loadAppState();
    void loadVersion();
    void loadSettings().catch(() => undefined);
    return unsubscribe;
  }, []);

  useEffect(() => {
    if (reconnects === 0) return;
    void loadAppState();
    if (!useSettingsStore.getState().loaded) void loadSettings().catch(() => undefined);
  }, [reconnects]);

  useEffect(() => {
    if (phase === 'ready') void syncRun(loadConnectedData);
  }, [phase, reconnects, syncRun]);
}
