import { useEffect, useState } from 'react';
import type { InviteView } from '../../../../shared/types/app';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadInvites, revokeInvite, useAdminStore } from '../../store/adminStore';
import { TID } from '../../testids';
import { formatDateTime, toMillis } from '../../util/format';
import { useAction } from '../../util/useAction';
import { CreateInviteForm } from './CreateInviteForm';

function inviteStatus(invite: InviteView, now: number): string {
  if (invite.revoked) return 'revoked';
  if (invite.uses >= invite.maxUses) return 'used up';
  if (toMillis(invite.expiresAt) <= now) return 'expired';
  return 'open';
}

/** Invites: create (link shown once), list without their secrets, revoke. */
export function InvitesSection() {
  const invites = useAdminStore((s) => s.invites);
  const [revoking, setRevoking] = useState<InviteView | null>(null);
  const load = useAction();
  const now = Date.now();

  useEffect(() => {
    void load.run(loadInvites);
  }, [load.run]);

  return (
    <section className="admin-section" aria-labelledby="admin-invites">
      <h2 id="admin-invites">Invites</h2>
      <CreateInviteForm />
      <ErrorNotice error={load.error} />
      {invites.length === 0 ? (
        <p className="muted">No invites yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Uses</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invites.map((invite) => {
              const status = inviteStatus(invite, now);
              return (
                <tr
                  key={invite.id}
                  data-testid={TID.inviteItem}
                  data-invite-id={invite.id}
                  data-revoked={invite.revoked}
                >
                  <td>{invite.role}</td>
                  <td>
                    {invite.uses} of {invite.maxUses}
                  </td>
                  <td>{formatDateTime(invite.expiresAt)}</td>
                  <td>{status}</td>
                  <td>
                    {status === 'open' && (
                      <button
                        type="button"
                        className="danger-outline"
                        onClick={() => setRevoking(invite)}
                        data-testid={TID.inviteRevoke}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {revoking !== null && (
        <ConfirmDialog
          title="Revoke this invite?"
          confirmLabel="Revoke"
          confirmTestId={TID.inviteRevokeConfirm}
          onClose={() => setRevoking(null)}
          onConfirm={() => revokeInvite(revoking.id)}
        >
          <p>The link stops working at once. People who already joined with it stay.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
