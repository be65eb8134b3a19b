import { useEffect, useState } from 'react';
import type { DirectoryEntryView } from '../../../../shared/types/app';
import { ErrorNotice } from '../../components/ErrorNotice';
import { inviteMember, searchDirectory } from '../../store/membersStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { Fingerprint } from '../people/Fingerprint';
import { TrustBadge } from '../people/TrustBadge';

const SEARCH_DELAY_MS = 250;

/** A pasted identity card is JSON; anything else is a handle to look up in the directory. */
export function looksLikeCard(text: string): boolean {
  return text.trim().startsWith('{');
}

/** Invite by handle (from the node's directory) or by pasting the person's identity card. */
export function InviteMemberForm({ roomId }: { roomId: string }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<readonly DirectoryEntryView[]>([]);
  const [invited, setInvited] = useState<string | null>(null);
  const search = useAction();
  const invite = useAction();
  const isCard = looksLikeCard(query);

  useEffect(() => {
    const needle = query.trim();
    if (needle === '' || looksLikeCard(needle)) {
      setResults([]);
      return;
    }
    const timer = setTimeout(() => {
      void search.run(async () => setResults(await searchDirectory(needle.slice(0, 64))));
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, search.run]);

  function send(who: string, label: string) {
    setInvited(null);
    void invite.run(async () => {
      await inviteMember(roomId, who);
      setInvited(label);
      setQuery('');
    });
  }

  return (
    <section className="invite-form" aria-label="Invite someone">
      <label>
        Invite by handle or identity card
        <textarea
          rows={isCard ? 4 : 1}
          value={query}
          spellCheck={false}
          placeholder="bob, or paste a card {…}"
          onChange={(e) => setQuery(e.target.value)}
          data-testid={TID.inviteInput}
        />
      </label>
      {isCard && (
        <button
          type="button"
          className="primary"
          disabled={invite.busy}
          onClick={() => send(query.trim(), 'The card’s owner')}
          data-testid={TID.inviteCardSubmit}
        >
          Invite this card
        </button>
      )}
      {!isCard && results.length > 0 && (
        <ul className="plain-list directory-results" aria-label="Directory matches">
          {results.map((entry) => (
            <li
              key={entry.endpoint}
              data-testid={TID.inviteSearchResult}
              data-handle={entry.handle}
            >
              <span className="member-who">
                <span className="member-handle">{entry.handle}</span>
                <Fingerprint value={entry.fingerprint} />
              </span>
              <TrustBadge trust={entry.trust} />
              <button
                type="button"
                disabled={invite.busy}
                onClick={() => send(entry.endpoint, entry.handle)}
                data-testid={TID.inviteSubmit}
                aria-label={`Invite ${entry.handle} (${entry.fingerprint})`}
              >
                Invite
              </button>
            </li>
          ))}
        </ul>
      )}
      {!isCard &&
        query.trim() !== '' &&
        !search.busy &&
        results.length === 0 &&
        search.error === null && (
          <p className="muted">
            No one with that handle in the directory. Paste their card instead.
          </p>
        )}
      <ErrorNotice error={search.error ?? invite.error} />
      {invited !== null && (
        <p role="status" className="success">
          {invited} was invited: the room key is sealed to them.
        </p>
      )}
    </section>
  );
}
