/** Puts every store back to its initial state (tests; signing out of a profile). */
import { initialLinkState, useLinkStore } from '../bridge/linkStatus';
import { initialAdminState, useAdminStore } from './adminStore';
import { initialAppState, useAppStore } from './appStore';
import { initialMembersState, useMembersStore } from './membersStore';
import { initialMessagesState, useMessagesStore } from './messagesStore';
import { initialPeopleState, usePeopleStore } from './peopleStore';
import { initialRoomsState, useRoomsStore } from './roomsStore';
import { initialSettingsState, useSettingsStore } from './settingsStore';
import { initialTransfersState, useTransfersStore } from './transfersStore';
import { initialUiState, useUiStore } from './uiStore';

export function resetAllStores(): void {
  useAppStore.setState(initialAppState, true);
  useRoomsStore.setState(initialRoomsState, true);
  useMessagesStore.setState(initialMessagesState, true);
  useMembersStore.setState(initialMembersState, true);
  useTransfersStore.setState(initialTransfersState, true);
  useAdminStore.setState(initialAdminState, true);
  useSettingsStore.setState(initialSettingsState, true);
  useUiStore.setState(initialUiState, true);
  useLinkStore.setState(initialLinkState, true);
  usePeopleStore.setState(initialPeopleState, true);
}
