import { useEffect } from 'react';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import {
  acceptKeyChange,
  closeSafetyNumber,
  unverifyPerson,
  usePeopleStore,
  verifyPerson,
} from '../../store/peopleStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { Fingerprint } from './Fingerprint';
import { QrCode } from './QrCode';
import { TrustBadge } from './TrustBadge';

/**
 * Compare the safety number with a person (in person, on a call, or by scanning the QR code on
 * the other screen), then say it matched. For a changed key, the dialog first says so loudly.
 */
export function SafetyNumberDialog() {
  const open = usePeopleStore((s) => s.open);
  const action = useAction();
  const isOpen = open !== null;
  useEffect(() => {
    if (!isOpen) return;
    // Escape closes it even when focus left the dialog (a verdict button re-renders away).
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closeSafetyNumber();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [isOpen]);
  if (open === null) return null;
  const view = open.view;
  const handle = view?.handle ?? 'this person';
  return (
    <Dialog
      title={`Safety number with ${handle}`}
      onClose={closeSafetyNumber}
      testId={TID.safetyNumberDialog}
    >
      {view === null ? (
        open.error !== null ? (
          <ErrorNotice error={open.error} />
        ) : (
          <p className="muted">Working out the safety number…</p>
        )
      ) : (
        <div
          className="dialog-body safety-number"
          data-endpoint={view.endpoint}
          data-trust={view.trust}
        >
          {view.trust === 'changed' && view.changedFrom !== null && (
            <div className="key-change-warning" role="alert">
              <strong>⚠ {view.handle}’s key is not the one you knew.</strong>{' '}
              {view.changedFrom.wasVerified ? 'You verified' : 'You saw'} {view.changedFrom.handle}
              {view.changedFrom.fingerprint !== null && ` (${view.changedFrom.fingerprint})`} here
              before with another key. This can be a new device, or someone else using the name. Do
              not trust these messages until you have compared the number below with them.
            </div>
          )}
          <p>
            <strong>{view.handle}</strong> <Fingerprint value={view.fingerprint} />{' '}
            <TrustBadge trust={view.trust} />
          </p>
          <p className="muted">
            Compare these numbers with {view.handle} in person or on a call: their app shows the
            same ones for you. If every group matches, you are talking to the key you think.
          </p>
          <ol
            className="safety-digits"
            data-testid={TID.safetyNumberDigits}
            aria-label="Safety number"
          >
            {view.groups.map((group, i) => (
              <li key={i}>{group}</li>
            ))}
          </ol>
          <div className="safety-alternatives">
            <QrCode
              rows={view.qr}
              label={`Safety number with ${view.handle} as a QR code`}
              testId={TID.safetyNumberQr}
            />
            <div>
              <p className="muted">Or read these words to each other:</p>
              <p className="safety-words" data-testid={TID.safetyNumberWords}>
                {view.words.join(' ')}
              </p>
            </div>
          </div>
          <ErrorNotice error={action.error} />
          <div className="dialog-actions">
            <button type="button" onClick={closeSafetyNumber} data-testid={TID.safetyNumberClose}>
              Close
            </button>
            {view.trust === 'changed' && (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => void action.run(() => acceptKeyChange(view.endpoint))}
                data-testid={TID.acceptKeyChange}
              >
                Accept the new key without verifying
              </button>
            )}
            {view.trust === 'verified' && (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => void action.run(() => unverifyPerson(view.endpoint))}
                data-testid={TID.unverifyPerson}
              >
                Remove verification
              </button>
            )}
            {view.trust !== 'verified' && view.trust !== 'me' && (
              <button
                type="button"
                className="primary"
                disabled={action.busy}
                onClick={() => void action.run(() => verifyPerson(view.endpoint))}
                data-testid={TID.verifyPerson}
              >
                The numbers match: mark as verified
              </button>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}
