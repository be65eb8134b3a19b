/**
 * Whether the renderer can reach the app at all. Always `up` under Electron (the preload is in
 * process); in a browser it follows the web shell's WebSocket, which drops when the app stops.
 */
import { create } from 'zustand';

export type LinkStatus = 'connecting' | 'up' | 'down';

export interface LinkState {
  readonly status: LinkStatus;
  /** Increments on every return to `up` after a drop: stores reload what they may have missed. */
  readonly reconnects: number;
  /** The page was opened without the web shell's `#token=…`: the bridge will refuse it. */
  readonly tokenMissing: boolean;
}

export const initialLinkState: LinkState = { status: 'up', reconnects: 0, tokenMissing: false };

export const useLinkStore = create<LinkState>()(() => initialLinkState);

export function setLinkStatus(status: LinkStatus): void {
  const previous = useLinkStore.getState();
  if (previous.status === status) return;
  const cameBack = status === 'up' && previous.status === 'down';
  useLinkStore.setState({
    status,
    reconnects: cameBack ? previous.reconnects + 1 : previous.reconnects,
  });
}

export function setTokenMissing(tokenMissing: boolean): void {
  useLinkStore.setState({ tokenMissing });
}
