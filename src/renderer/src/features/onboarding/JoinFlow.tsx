import { useState, type FormEvent } from 'react';
import type { JoinPreview } from '../../../../shared/types/app';
import { call } from '../../bridge/call';
import { ErrorNotice } from '../../components/ErrorNotice';
import { clearJoinLink, setAppState } from '../../store/appStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { NodeAddresses } from './NodeAddresses';

/**
 * "Join with an invite link": paste the link, see which node it names (id and CA fingerprint),
 * confirm. Nothing is sent to the node before the confirmation.
 */
export function JoinFlow({ initialLink, onBack }: { initialLink: string; onBack: () => void }) {
  const [link, setLink] = useState(initialLink);
  const [preview, setPreview] = useState<JoinPreview | null>(null);
  const action = useAction();

  function showPreview(event: FormEvent) {
    event.preventDefault();
    const trimmed = link.trim();
    if (trimmed === '') return;
    void action.run(async () => setPreview(await call('join.preview', { link: trimmed })));
  }

  function confirm() {
    if (preview === null) return;
    void action.run(async () => {
      const state = await call('join.accept', {
        link: link.trim(),
        caFingerprint: preview.caFingerprint,
      });
      clearJoinLink();
      setAppState(state);
    });
  }

  function back() {
    clearJoinLink();
    onBack();
  }

  if (preview === null) {
    return (
      <form className="form" onSubmit={showPreview} aria-label="Join with an invite link">
        <h2>Join with an invite link</h2>
        <label>
          Invite link
          <textarea
            autoFocus
            rows={3}
            value={link}
            onChange={(e) => setLink(e.target.value)}
            placeholder="unibus://join?…"
            spellCheck={false}
            data-testid={TID.joinLinkInput}
          />
        </label>
        <ErrorNotice error={action.error} />
        <div className="form-actions">
          <button type="button" onClick={back} data-testid={TID.joinCancel}>
            Back
          </button>
          <button
            type="submit"
            className="primary"
            disabled={action.busy || link.trim() === ''}
            data-testid={TID.joinPreviewButton}
          >
            Continue
          </button>
        </div>
      </form>
    );
  }

  return (
    <section className="form" data-testid={TID.joinPreview} aria-label="Confirm the node">
      <h2>Is this the node you expect?</h2>
      <p>
        Compare the CA fingerprint with the one the node&apos;s host sees (Admin → Node). If they
        differ, do not join.
      </p>
      <NodeAddresses
        address={preview}
        testIds={{ nodeId: TID.joinNodeId, caFingerprint: TID.joinCaFingerprint }}
      />
      {/* Main says which address did not answer and what to check, in its own words. */}
      <ErrorNotice error={action.error} ownWords />
      <div className="form-actions">
        <button type="button" onClick={() => setPreview(null)}>
          Back
        </button>
        <button
          type="button"
          className="primary"
          autoFocus
          disabled={action.busy}
          onClick={confirm}
          data-testid={TID.joinConfirm}
        >
          {action.busy ? 'Joining…' : 'Join this node'}
        </button>
      </div>
    </section>
  );
}
