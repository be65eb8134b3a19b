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
import { setMembersOpen } from '../../store/uiStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { Fingerprint } from '../people/Fingerprint';
import { InviteMemberForm } from './InviteMemberForm';
import { KickReceipt } from './KickReceipt';
import { LeaveRoomButton } from './LeaveRoomButton';
import { MemberRow } from './MemberRow';

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
          <MemberRow
            key={member.endpoint}
            member={member}
            canKick={canManage}
            onKick={setKicking}
          />
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
