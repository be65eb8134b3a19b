import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { createInvite, forgetMintedInvite, useAdminStore } from '../../store/adminStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';

const EXPIRY_CHOICES = [
  { seconds: 3_600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 30 * 86_400, label: '30 days' },
] as const;

/** Mint an invite link; the link is shown once with a copy button, then forgotten. */
export function CreateInviteForm() {
  const minted = useAdminStore((s) => s.minted);
  const [role, setRole] = useState<'admin' | 'member'>('member');
  const [ttlSeconds, setTtlSeconds] = useState<number>(7 * 86_400);
  const [uses, setUses] = useState('1');
  const action = useAction();
  const maxUses = Number(uses);
  const usesValid = Number.isInteger(maxUses) && maxUses >= 1 && maxUses <= 1000;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!usesValid) return;
    void action.run(() => createInvite({ role, ttlSeconds, maxUses }));
  }

  if (minted !== null) {
    return (
      <div className="minted-invite" role="status">
        <p>
          <strong>Copy this link now:</strong> it is shown only once. Send it to the person you
          invite; it works {minted.invite.maxUses === 1 ? 'once' : `${minted.invite.maxUses} times`}
          .
        </p>
        <input
          readOnly
          className="mono"
          value={minted.link}
          aria-label="Invite link"
          onFocus={(e) => e.target.select()}
          data-testid={TID.inviteLink}
        />
        <div className="form-actions">
          <CopyButton text={minted.link} label="Copy link" testId={TID.inviteLinkCopy} />
          <button type="button" onClick={forgetMintedInvite} data-testid={TID.inviteLinkDone}>
            Done
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="form form-row" onSubmit={submit} aria-label="Create an invite">
      <label>
        Role
        <select
          value={role}
          onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'member')}
          data-testid={TID.inviteRole}
        >
          <option value="member">Member</option>
          <option value="admin">Admin</option>
        </select>
      </label>
      <label>
        Expires after
        <select
          value={ttlSeconds}
          onChange={(e) => setTtlSeconds(Number(e.target.value))}
          data-testid={TID.inviteExpiry}
        >
          {EXPIRY_CHOICES.map((choice) => (
            <option key={choice.seconds} value={choice.seconds}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Uses
        <input
          type="number"
          min={1}
          max={1000}
          value={uses}
          onChange={(e) => setUses(e.target.value)}
          data-testid={TID.inviteUses}
        />
      </label>
      <button
        type="submit"
        className="primary"
        disabled={action.busy || !usesValid}
        data-testid={TID.inviteCreate}
      >
        Create invite link
      </button>
      {!usesValid && <p className="field-problem">Uses is a whole number from 1 to 1000.</p>}
      <ErrorNotice error={action.error} />
    </form>
  );
}
