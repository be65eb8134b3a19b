/** Admin screens: node users, invites (a minted link is kept only until dismissed), node status. */
import { create } from 'zustand';
import type {
  InviteKeyView,
  InviteView,
  MintedInviteView,
  NodeStatusView,
  UserView,
} from '../../../shared/types/app';
import { call } from '../bridge/call';

export interface AdminState {
  readonly users: readonly UserView[];
  readonly invites: readonly InviteView[];
  readonly inviteKeys: readonly InviteKeyView[];
  /** The invite just created: its link is shown once, then forgotten. */
  readonly minted: MintedInviteView | null;
  readonly nodeStatus: NodeStatusView | null;
}

export const initialAdminState: AdminState = {
  users: [],
  invites: [],
  inviteKeys: [],
  minted: null,
  nodeStatus: null,
};

export const useAdminStore = create<AdminState>()(() => initialAdminState);

export async function loadUsers(): Promise<void> {
  useAdminStore.setState({ users: await call('admin.listUsers') });
}

export async function addUser(card: string, role: 'admin' | 'member'): Promise<void> {
  useAdminStore.setState({ users: await call('admin.addUser', { card, role }) });
}

export async function revokeUser(endpoint: string): Promise<void> {
  useAdminStore.setState({ users: await call('admin.revokeUser', { endpoint }) });
}

export async function loadInvites(): Promise<void> {
  useAdminStore.setState({ invites: await call('admin.listInvites') });
}

export async function createInvite(args: {
  role: 'admin' | 'member';
  ttlSeconds: number;
  maxUses: number;
}): Promise<MintedInviteView> {
  const minted = await call('admin.createInvite', args);
  const invites = useAdminStore.getState().invites.filter((i) => i.id !== minted.invite.id);
  useAdminStore.setState({ minted, invites: [minted.invite, ...invites] });
  return minted;
}

export function forgetMintedInvite(): void {
  useAdminStore.setState({ minted: null });
}

export async function revokeInvite(id: string): Promise<void> {
  useAdminStore.setState({ invites: await call('admin.revokeInvite', { id }) });
}

export async function loadInviteKeys(): Promise<void> {
  useAdminStore.setState({ inviteKeys: await call('admin.listInviteKeys') });
}

export async function rotateInviteKey(graceSeconds: number): Promise<void> {
  useAdminStore.setState({ inviteKeys: await call('admin.rotateInviteKey', { graceSeconds }) });
}

export function setNodeStatus(nodeStatus: NodeStatusView): void {
  useAdminStore.setState({ nodeStatus });
}

export async function loadNodeStatus(): Promise<void> {
  setNodeStatus(await call('node.status'));
}

export async function stopNode(): Promise<void> {
  setNodeStatus(await call('node.stop'));
}

export async function startNode(): Promise<void> {
  setNodeStatus(await call('node.start'));
}
