import { useState } from 'react';
import type { AppState } from '../../../../shared/types/app';
import { ImportBackupForm } from './ImportBackupForm';
import { UnlockForm } from './UnlockForm';

/** The identity is locked: unlock it, or (passphrase forgotten) restore it from a backup. */
export function LockedScreen({ appState }: { appState: AppState }) {
  const [restoring, setRestoring] = useState(false);
  return (
    <section className="onboarding-card">
      <h1>Unlock unibus</h1>
      {restoring ? (
        <>
          <ImportBackupForm
            askStorePassphrase={appState.availableProtections[0] === 'passphrase-file'}
          />
          <button type="button" className="link-button" onClick={() => setRestoring(false)}>
            Back to unlocking
          </button>
        </>
      ) : (
        <>
          <UnlockForm handle={appState.identity?.handle ?? null} />
          <p className="muted">
            Forgot the passphrase?{' '}
            <button type="button" className="link-button" onClick={() => setRestoring(true)}>
              Restore from a backup
            </button>
          </p>
        </>
      )}
    </section>
  );
}
