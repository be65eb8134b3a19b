import { useEffect } from 'react';
import { appSelectors, useAppStore } from '../../store/appStore';
import { forgetMintedInvite } from '../../store/adminStore';
import { TID } from '../../testids';
import { InviteKeysSection } from './InviteKeysSection';
import { InvitesSection } from './InvitesSection';
import { NodeStatusPanel } from './NodeStatusPanel';
import { UsersSection } from './UsersSection';

/** Admin: users, invites, invite link signing, node. Only reachable for node admins. */
export function AdminScreen() {
  const isAdmin = useAppStore(appSelectors.isAdmin);
  const hosting = useAppStore(appSelectors.hosting);
  // A minted link is shown once: leaving the screen forgets it.
  useEffect(() => forgetMintedInvite, []);

  if (!isAdmin) {
    return (
      <main className="screen" data-testid={TID.adminScreen}>
        <p>Only admins of this node can see this screen.</p>
      </main>
    );
  }
  return (
    <main className="screen" data-testid={TID.adminScreen} aria-label="Admin">
      <h1>Admin</h1>
      <NodeStatusPanel hosting={hosting} />
      <UsersSection />
      <InvitesSection />
      <InviteKeysSection />
    </main>
  );
}
