import { useEffect, useMemo } from 'react';
import type { MessageView } from '../../../../shared/types/app';
import { loadMembers, membersSelectors, useMembersStore } from '../../store/membersStore';
import { openSafetyNumber } from '../../store/peopleStore';
import { TID } from '../../testids';

interface Changed {
  readonly endpoint: string;
  readonly handle: string;
}

/**
 * Loud, at the top of a room: someone here has a key this user did not know under that name.
 * It stays until the user compares safety numbers (and verifies) or accepts the new key.
 */
export function KeyChangeBanner({
  roomId,
  epoch,
  messages,
}: {
  roomId: string;
  epoch: number;
  messages: readonly MessageView[];
}) {
  const members = useMembersStore(membersSelectors.room(roomId));
  useEffect(() => {
    void loadMembers(roomId).catch(() => undefined); // the banner also covers silent members
  }, [roomId, epoch]);

  const changed = useMemo(() => {
    const found = new Map<string, Changed>();
    for (const m of members) {
      if (m.trust === 'changed') found.set(m.endpoint, { endpoint: m.endpoint, handle: m.handle });
    }
    for (const m of messages) {
      if (m.trust === 'changed' && !found.has(m.sender)) {
        found.set(m.sender, { endpoint: m.sender, handle: m.senderHandle ?? 'Someone' });
      }
    }
    return [...found.values()];
  }, [members, messages]);

  if (changed.length === 0) return null;
  return (
    <div className="key-change-banners">
      {changed.map((person) => (
        <div
          key={person.endpoint}
          className="banner banner-danger"
          role="alert"
          data-testid={TID.keyChangeBanner}
          data-endpoint={person.endpoint}
          data-handle={person.handle}
        >
          <p>
            <strong>⚠ {person.handle} has a new key.</strong> Someone named {person.handle} was
            known here with another key. This can be a new device, or someone else using the name:
            their messages are marked “not trusted” until you compare safety numbers.
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => void openSafetyNumber(person.endpoint)}
            data-testid={TID.keyChangeCompare}
          >
            Compare safety numbers
          </button>
        </div>
      ))}
    </div>
  );
}
