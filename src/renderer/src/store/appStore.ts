/**
 * The app/session store: where the app stands (AppState from main), the app version, a join link
 * waiting to be shown, and the node just hosted (its fingerprint and addresses are shown once
 * before the main screen).
 */
import { create } from 'zustand';
import type { ConnectionState } from '../../../shared/types/connection';
import type { AppState, NodeStatusView } from '../../../shared/types/app';
import { call } from '../bridge/call';

export interface AppStoreState {
  readonly appState: AppState | null;
  readonly loadError: unknown;
  readonly version: string | null;
  /** A `unibus://join?…` link to show in the join flow (deep link, or pasted earlier). */
  readonly pendingJoinLink: string | null;
  /** Set right after "Host a bus on this computer" succeeded, until the user continues. */
  readonly hostedNode: NodeStatusView | null;
}

export const initialAppState: AppStoreState = {
  appState: null,
  loadError: null,
  version: null,
  pendingJoinLink: null,
  hostedNode: null,
};

export const useAppStore = create<AppStoreState>()(() => initialAppState);

export function setAppState(appState: AppState): void {
  useAppStore.setState({ appState, loadError: null });
}

export function setConnectionState(connection: ConnectionState): void {
  const current = useAppStore.getState().appState;
  if (current === null) return;
  const same =
    current.connection.status === connection.status &&
    current.connection.since === connection.since;
  if (same) return;
  useAppStore.setState({ appState: { ...current, connection } });
}

export async function loadAppState(): Promise<void> {
  try {
    setAppState(await call('app.getState'));
  } catch (error) {
    useAppStore.setState({ loadError: error });
  }
}

export async function loadVersion(): Promise<void> {
  try {
    useAppStore.setState({ version: await call('app.getVersion') });
  } catch {
    // The version is decoration; the rest of the app works without it.
  }
}

/** The deep link that opened the app, if one waits in main (asked once the events listen). */
export async function takeLaunchJoinLink(): Promise<void> {
  try {
    const { link } = await call('app.takeJoinLink');
    if (link !== null) openJoinLink(link);
  } catch {
    // No launch link can be fetched now; later links still arrive as events.
  }
}

export function openJoinLink(link: string): void {
  useAppStore.setState({ pendingJoinLink: link });
}

export function clearJoinLink(): void {
  useAppStore.setState({ pendingJoinLink: null });
}

export function setHostedNode(status: NodeStatusView | null): void {
  useAppStore.setState({ hostedNode: status });
}

export const appSelectors = {
  phase: (s: AppStoreState) => s.appState?.phase ?? null,
  identity: (s: AppStoreState) => s.appState?.identity ?? null,
  isAdmin: (s: AppStoreState) => s.appState?.role === 'admin',
  hosting: (s: AppStoreState) => s.appState?.hosting ?? false,
  connection: (s: AppStoreState) => s.appState?.connection ?? null,
};
