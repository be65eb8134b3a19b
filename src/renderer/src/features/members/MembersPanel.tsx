import { useEffect, useState } from 'react';
import type { MemberView, RoomView } from '../../../../shared/types/app';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { appSelectors, useAppStore } from '../../store/appStore';
import {
  dismissReceipt,
  kickMember,
  loadMembers,
  membersSelectors,
  useMembersStore,
} from '../../store/membersStore';
import { openSafetyNumber } from '../../store/peopleStore';
import { setMembersOpen } from '../../store/uiStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { Fingerprint } from '../people/Fingerprint';
import { TrustBadge } from '../people/TrustBadge';
import { InviteMemberForm } from './InviteMemberForm';
import { KickReceipt } from './KickReceipt';
import { LeaveRoomButton } from './LeaveRoomButton';

/** Who is in the room; invite, kick (owner or admin) and leave. */
export function MembersPanel({ room }: { room: RoomView }) {
  const members = useMembersStore(membersSelectors.room(room.id));
  const receipt = useMembersStore((s) => s.receipt);
  const isAdmin = useAppStore(appSelectors.isAdmin);
  const [kicking, setKicking] = useState<MemberView | null>(null);
  const [kickedHandle, setKickedHandle] = useState('');
  const load = useAction();
  const canManage = room.removed === null && (room.role === 'owner' || isAdmin);

  useEffect(() => {
    void load.run(() => loadMembers(room.id));
  }, [room.id, room.epoch, load.run]);

  return (
    <aside
      className="members-panel"
      aria-label="Members"
      data-testid={TID.membersPanel}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setMembersOpen(false);
      }}
    >
      <header className="panel-header">
        <h2>Members</h2>
        <button type="button" className="link-button" onClick={() => setMembersOpen(false)}>
          Close
        </button>
      </header>
      <ErrorNotice error={load.error} />
      {receipt !== null && receipt.roomId === room.id && (
        <KickReceipt receipt={receipt} removedHandle={kickedHandle} onDismiss={dismissReceipt} />
      )}
      <ul className="member-list plain-list">
        {members.map((member) => (
          <li
            key={member.endpoint}
            className={`member member-${member.status}`}
            data-testid={TID.memberItem}
            data-handle={member.handle}
            data-endpoint={member.endpoint}
            data-status={member.status}
            data-trust={member.trust}
          >
            <span className="member-handle" title={member.endpoint}>
              {member.handle}
              {member.isMe && ' (you)'}
            </span>
            <Fingerprint value={member.fingerprint} />
            <TrustBadge trust={member.trust} />
            <span className="pill">{member.role}</span>
            {member.status === 'revoked' && <span className="pill pill-warning">removed</span>}
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
            {canManage && !member.isMe && member.status === 'active' && (
              <button
                type="button"
                className="danger-outline"
                onClick={() => setKicking(member)}
                data-testid={TID.kickButton}
                data-handle={member.handle}
                aria-label={`Remove ${member.handle}`}
              >
                Kick
              </button>
            )}
          </li>
        ))}
      </ul>
      {room.removed === null && <InviteMemberForm roomId={room.id} />}
      {room.removed === null && <LeaveRoomButton room={room} />}
      {kicking !== null && (
        <ConfirmDialog
          title={`Remove ${kicking.handle} (${kicking.fingerprint}) from this room?`}
          confirmLabel="Kick"
          confirmTestId={TID.kickConfirm}
          onClose={() => setKicking(null)}
          onConfirm={async () => {
            setKickedHandle(kicking.handle);
            await kickMember(room.id, kicking.endpoint);
          }}
        >
          <p>
            {kicking.handle} is cut off from the room at once, and the room key is replaced with a
            new one that only the remaining members get. They keep what they already received.
          </p>
          <p className="muted">
            This is the {kicking.handle} whose key fingerprint starts{' '}
            <Fingerprint value={kicking.fingerprint} />.
          </p>
        </ConfirmDialog>
      )}
    </aside>
  );
}
