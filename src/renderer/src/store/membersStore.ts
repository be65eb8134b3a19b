/** Members per room, and the receipt of the last kick (shown until dismissed). */
import { create } from 'zustand';
import type { DirectoryEntryView, KickReceiptView, MemberView } from '../../../shared/types/app';
import { call } from '../bridge/call';

export interface MembersState {
  readonly byRoom: Readonly<Record<string, readonly MemberView[]>>;
  readonly receipt: KickReceiptView | null;
}

export const initialMembersState: MembersState = { byRoom: {}, receipt: null };

export const useMembersStore = create<MembersState>()(() => initialMembersState);

function setMembers(roomId: string, members: readonly MemberView[]): void {
  const byRoom = useMembersStore.getState().byRoom;
  useMembersStore.setState({ byRoom: { ...byRoom, [roomId]: members } });
}

export async function loadMembers(roomId: string): Promise<void> {
  setMembers(roomId, await call('members.list', { roomId }));
}

/** `who`: an endpoint id from the directory, or a pasted identity card. */
export async function inviteMember(roomId: string, who: string): Promise<void> {
  setMembers(roomId, await call('members.invite', { roomId, who }));
}

export async function kickMember(roomId: string, endpoint: string): Promise<KickReceiptView> {
  const receipt = await call('members.kick', { roomId, endpoint });
  useMembersStore.setState({ receipt });
  try {
    await loadMembers(roomId);
  } catch {
    // The kick happened; the list refreshes on the next open.
  }
  return receipt;
}

export function dismissReceipt(): void {
  useMembersStore.setState({ receipt: null });
}

export function searchDirectory(query: string): Promise<DirectoryEntryView[]> {
  return call('directory.search', { query });
}

const NO_MEMBERS: readonly MemberView[] = [];

export const membersSelectors = {
  room:
    (roomId: string) =>
    (s: MembersState): readonly MemberView[] =>
      s.byRoom[roomId] ?? NO_MEMBERS,
};
