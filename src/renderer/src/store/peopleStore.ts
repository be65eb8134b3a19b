/**
 * Safety numbers and key trust: which person's safety number is open, and the user's verdicts.
 * Main computes everything (the renderer never holds a key); after a verdict the members of the
 * rooms on screen are reloaded so badges and fingerprints stay right.
 */
import { create } from 'zustand';
import type { SafetyNumberView } from '../../../shared/types/app';
import { call } from '../bridge/call';
import { loadMembers, useMembersStore } from './membersStore';

export interface PeopleState {
  /** The person whose safety number is open, and what main answered (null while loading). */
  readonly open: {
    readonly endpoint: string;
    readonly view: SafetyNumberView | null;
    readonly error: unknown;
  } | null;
}

export const initialPeopleState: PeopleState = { open: null };

export const usePeopleStore = create<PeopleState>()(() => initialPeopleState);

/** Opens the dialog at once; the number follows (it takes main a moment to compute). */
export async function openSafetyNumber(endpoint: string): Promise<void> {
  usePeopleStore.setState({ open: { endpoint, view: null, error: null } });
  let view: SafetyNumberView | null = null;
  let error: unknown = null;
  try {
    view = await call('people.safetyNumber', { endpoint });
  } catch (failure) {
    error = failure;
  }
  if (usePeopleStore.getState().open?.endpoint === endpoint) {
    usePeopleStore.setState({ open: { endpoint, view, error } });
  }
}

export function closeSafetyNumber(): void {
  usePeopleStore.setState({ open: null });
}

type Verdict = 'people.verify' | 'people.unverify' | 'people.acceptChange';

async function verdict(name: Verdict, endpoint: string): Promise<void> {
  const view = await call(name, { endpoint });
  if (usePeopleStore.getState().open?.endpoint === endpoint) {
    usePeopleStore.setState({ open: { endpoint, view, error: null } });
  }
}

export const verifyPerson = (endpoint: string) => verdict('people.verify', endpoint);
export const unverifyPerson = (endpoint: string) => verdict('people.unverify', endpoint);
export const acceptKeyChange = (endpoint: string) => verdict('people.acceptChange', endpoint);

/** `people.changed`: reload the member lists already on screen. */
export async function peopleChanged(): Promise<void> {
  const rooms = Object.keys(useMembersStore.getState().byRoom);
  await Promise.all(rooms.map((roomId) => loadMembers(roomId).catch(() => undefined)));
}
