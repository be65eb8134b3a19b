import { useEffect, useState } from 'react';
import type { InviteKeyView } from '../../../../shared/types/app';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadInviteKeys, rotateInviteKey, useAdminStore } from '../../store/adminStore';
import { TID } from '../../testids';
import { formatDateTime } from '../../util/format';
import { useAction } from '../../util/useAction';

const GRACE_CHOICES = [
  { seconds: 0, label: 'Stop them right away' },
  { seconds: 3_600, label: 'Keep them working for 1 hour' },
  { seconds: 86_400, label: 'Keep them working for 1 day' },
  { seconds: 7 * 86_400, label: 'Keep them working for 7 days' },
  { seconds: 30 * 86_400, label: 'Keep them working for 30 days' },
] as const;

/** What happens to links signed by keys that were replaced, in one sentence each. */
function oldLinksSentence(key: InviteKeyView, now: number): string {
  if (key.retiresAt === null) return '';
  return key.retiresAt > now
    ? `Invite links made before the key was replaced keep working until ${formatDateTime(key.retiresAt)}.`
    : `Invite links signed by an earlier key stopped working on ${formatDateTime(key.retiresAt)}.`;
}

/**
 * The node signs every invite link. Replacing its signing key (issue 12, Build 6) makes new
 * links use the new key; links made before keep working for the time the admin picks.
 */
export function InviteKeysSection() {
  const keys = useAdminStore((s) => s.inviteKeys);
  const [confirming, setConfirming] = useState(false);
  const [graceSeconds, setGraceSeconds] = useState<number>(86_400);
  const load = useAction();
  const now = Date.now();

  useEffect(() => {
    void load.run(loadInviteKeys);
  }, [load.run]);

  const replaced = keys.filter((key) => !key.current);
  const retiring = replaced.filter((key) => key.retiresAt !== null && key.retiresAt > now);
  return (
    <section
      className="admin-section"
      aria-labelledby="admin-invite-keys"
      data-testid={TID.inviteKeys}
      data-retiring={retiring.length}
    >
      <h2 id="admin-invite-keys">Invite link signing</h2>
      <p className="muted">
        This node signs every invite link it makes. If a link may have reached the wrong person,
        replace the signing key: new links use the new key, and links made before stop working after
        the time you choose.
      </p>
      {replaced.length > 0 && (
        <ul className="plain-list" role="status">
          {replaced.map((key) => (
            <li key={key.id}>{oldLinksSentence(key, now)}</li>
          ))}
        </ul>
      )}
      <ErrorNotice error={load.error} />
      <div className="form-actions">
        <button
          type="button"
          className="danger-outline"
          onClick={() => setConfirming(true)}
          data-testid={TID.inviteKeyRotate}
        >
          Replace signing key…
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Replace the invite signing key?"
          confirmLabel="Replace key"
          confirmTestId={TID.inviteKeyRotateConfirm}
          onClose={() => setConfirming(false)}
          onConfirm={() => rotateInviteKey(graceSeconds)}
        >
          <p>New invite links will use the new key. People who already joined are not affected.</p>
          <label>
            Invite links made before
            <select
              value={graceSeconds}
              onChange={(e) => setGraceSeconds(Number(e.target.value))}
              data-testid={TID.inviteKeyGrace}
            >
              {GRACE_CHOICES.map((choice) => (
                <option key={choice.seconds} value={choice.seconds}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
        </ConfirmDialog>
      )}
    </section>
  );
}
