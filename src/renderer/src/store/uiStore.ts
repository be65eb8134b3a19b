/** Which screen the main layout shows, and whether the members panel is open. */
import { create } from 'zustand';

export type MainView = 'rooms' | 'admin' | 'settings';

export interface UiState {
  readonly view: MainView;
  readonly membersOpen: boolean;
}

export const initialUiState: UiState = { view: 'rooms', membersOpen: false };

export const useUiStore = create<UiState>()(() => initialUiState);

export function showView(view: MainView): void {
  useUiStore.setState({ view });
}

export function setMembersOpen(membersOpen: boolean): void {
  useUiStore.setState({ membersOpen });
}
