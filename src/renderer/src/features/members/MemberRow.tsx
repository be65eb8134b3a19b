import type { MemberView } from '../../../../shared/types/app';
import { openSafetyNumber } from '../../store/peopleStore';
import { TID } from '../../testids';
import { Fingerprint } from '../people/Fingerprint';
import { TrustBadge } from '../people/TrustBadge';

/**
 * One member: handle, what the user knows of their key, role; then the short fingerprint (so two
 * people with similar names never look the same), the safety number and, for managers, kick.
 */
export function MemberRow({
  member,
  canKick,
  onKick,
}: {
  member: MemberView;
  canKick: boolean;
  onKick: (member: MemberView) => void;
}) {
  return (
    <li
      className={`member member-stacked member-${member.status}`}
      data-testid={TID.memberItem}
      data-handle={member.handle}
      data-endpoint={member.endpoint}
      data-status={member.status}
      data-trust={member.trust}
    >
      <div className="member-line">
        <span className="member-handle" title={member.endpoint}>
          {member.handle}
          {member.isMe && ' (you)'}
        </span>
        <TrustBadge trust={member.trust} />
        <span className="pill">{member.role}</span>
        {member.status === 'revoked' && <span className="pill pill-warning">removed</span>}
      </div>
      <div className="member-line">
        <Fingerprint value={member.fingerprint} />
        {!member.isMe && (
          <button
            type="button"
            className="link-button"
            onClick={() => void openSafetyNumber(member.endpoint)}
            data-testid={TID.safetyNumberButton}
            data-handle={member.handle}
            data-endpoint={member.endpoint}
            aria-label={`Safety number with ${member.handle}`}
          >
            {member.trust === 'verified' ? 'Safety number' : 'Verify'}
          </button>
        )}
        {canKick && !member.isMe && member.status === 'active' && (
          <button
            type="button"
            className="danger-outline"
            onClick={() => onKick(member)}
            data-testid={TID.kickButton}
            data-handle={member.handle}
            aria-label={`Remove ${member.handle} (${member.fingerprint})`}
          >
            Kick
          </button>
        )}
      </div>
    </li>
  );
}
