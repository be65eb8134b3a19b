/** Node administration from the UI (admins only; the node enforces it): users, invites, invite keys. */
import { NotFoundError } from '../../shared/errors';
import type { InviteKeyView, InviteView, MintedInviteView, UserView } from '../../shared/types';
import type { ControlPlaneClient } from '../control-plane';

interface NodeUser {
  sign_pub: string;
  endpoint: string;
  handle: string;
  role: 'admin' | 'member';
  status: 'active' | 'revoked';
}

interface NodeInvite {
  id: string;
  role: 'admin' | 'member';
  expires_at: number;
  max_uses: number;
  used: number;
  revoked_at: number | null;
}

interface NodeInviteKey {
  kid: string;
  primary: boolean;
  retires_at: number | null;
}

const inviteKeyView = (k: NodeInviteKey): InviteKeyView => ({
  id: k.kid,
  current: k.primary,
  retiresAt: k.retires_at === null ? null : k.retires_at * 1000,
});

const userView = (u: NodeUser): UserView => ({
  endpoint: u.endpoint,
  handle: u.handle,
  role: u.role,
  status: u.status,
});

const inviteView = (i: NodeInvite): InviteView => ({
  id: i.id,
  role: i.role,
  expiresAt: i.expires_at * 1000,
  maxUses: i.max_uses,
  uses: i.used,
  revoked: i.revoked_at !== null,
});

export class Admin {
  constructor(private readonly client: () => ControlPlaneClient) {}

  async users(): Promise<UserView[]> {
    return (await this.client().get<NodeUser[]>('/v1/users')).map(userView);
  }

  async addUser(card: string, role: 'admin' | 'member'): Promise<UserView[]> {
    await this.client().post('/v1/users', { card, role });
    return this.users();
  }

  async revokeUser(endpoint: string): Promise<UserView[]> {
    const users = await this.client().get<NodeUser[]>('/v1/users');
    const user = users.find((u) => u.endpoint === endpoint);
    if (user === undefined) throw new NotFoundError('No such user on this node.');
    await this.client().post(`/v1/users/${user.sign_pub}/revoke`);
    return this.users();
  }

  async invites(): Promise<InviteView[]> {
    return (await this.client().get<NodeInvite[]>('/v1/invites')).map(inviteView);
  }

  async createInvite(
    role: 'admin' | 'member',
    ttlSeconds: number,
    maxUses: number,
  ): Promise<MintedInviteView> {
    const minted = await this.client().post<{ invite: NodeInvite; link: string }>('/v1/invites', {
      role,
      ttl_seconds: ttlSeconds,
      max_uses: maxUses,
    });
    return { invite: inviteView(minted.invite), link: minted.link };
  }

  async revokeInvite(id: string): Promise<InviteView[]> {
    await this.client().post(`/v1/invites/${id}/revoke`);
    return this.invites();
  }

  async inviteKeys(): Promise<InviteKeyView[]> {
    const { keys } = await this.client().get<{ keys: NodeInviteKey[] }>('/v1/invite-keys');
    return keys.map(inviteKeyView);
  }

  async rotateInviteKey(graceSeconds: number): Promise<InviteKeyView[]> {
    const { keys } = await this.client().post<{ keys: NodeInviteKey[] }>('/v1/invite-keys/rotate', {
      grace_seconds: graceSeconds,
    });
    return keys.map(inviteKeyView);
  }
}
