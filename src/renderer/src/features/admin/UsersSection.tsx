import { useEffect, useState, type FormEvent } from 'react';
import type { UserView } from '../../../../shared/types/app';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { addUser, loadUsers, revokeUser, useAdminStore } from '../../store/adminStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { Fingerprint } from '../people/Fingerprint';

/** The node's users: list, add by identity card, revoke (cuts both planes at once). */
export function UsersSection() {
  const users = useAdminStore((s) => s.users);
  const [card, setCard] = useState('');
  const [role, setRole] = useState<'admin' | 'member'>('member');
  const [revoking, setRevoking] = useState<UserView | null>(null);
  const load = useAction();
  const add = useAction();

  useEffect(() => {
    void load.run(loadUsers);
  }, [load.run]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (card.trim() === '') return;
    void add.run(async () => {
      await addUser(card.trim(), role);
      setCard('');
    });
  }

  return (
    <section className="admin-section" aria-labelledby="admin-users">
      <h2 id="admin-users">Users</h2>
      <ErrorNotice error={load.error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Handle</th>
            <th scope="col">Fingerprint</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr
              key={user.endpoint}
              data-testid={TID.userItem}
              data-handle={user.handle}
              data-status={user.status}
            >
              <td title={user.endpoint}>{user.handle}</td>
              <td>
                <Fingerprint value={user.fingerprint} />
              </td>
              <td>{user.role}</td>
              <td>{user.status}</td>
              <td>
                {user.status === 'active' && (
                  <button
                    type="button"
                    className="danger-outline"
                    onClick={() => setRevoking(user)}
                    data-testid={TID.userRevoke}
                    data-handle={user.handle}
                    aria-label={`Revoke ${user.handle} (${user.fingerprint})`}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="form" onSubmit={submit} aria-label="Add a user">
        <label>
          Add a user by identity card
          <textarea
            rows={3}
            value={card}
            spellCheck={false}
            placeholder='{"v":1,"id":"…","handle":"…",…}'
            onChange={(e) => setCard(e.target.value)}
            data-testid={TID.addUserCard}
          />
        </label>
        <div className="form-row">
          <label>
            Role
            <select
              value={role}
              onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'member')}
              data-testid={TID.addUserRole}
            >
              <option value="member">Member</option>
              <option value="admin">Admin</option>
            </select>
          </label>
          <button
            type="submit"
            className="primary"
            disabled={add.busy || card.trim() === ''}
            data-testid={TID.addUserSubmit}
          >
            Add user
          </button>
        </div>
        <ErrorNotice error={add.error} />
      </form>
      {revoking !== null && (
        <ConfirmDialog
          title={`Revoke ${revoking.handle} (${revoking.fingerprint})?`}
          confirmLabel="Revoke"
          confirmTestId={TID.userRevokeConfirm}
          onClose={() => setRevoking(null)}
          onConfirm={() => revokeUser(revoking.endpoint)}
        >
          <p>
            {revoking.handle} loses access to this node at once: signed requests are refused and the
            bus connection is cut. Rooms they were in get a new key.
          </p>
          <p className="muted">
            This is the {revoking.handle} whose key fingerprint starts{' '}
            <Fingerprint value={revoking.fingerprint} />. Revoking frees the name: a new identity
            can then join as {revoking.handle}, and people who knew this key are warned it changed.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
