import { useState, type KeyboardEvent } from 'react';
import type { KeyProtectionView } from '../../../../shared/types/app';
import { TID } from '../../testids';
import { CreateIdentityForm } from './CreateIdentityForm';
import { ImportBackupForm } from './ImportBackupForm';

type Tab = 'create' | 'import';

/** First run: create a new identity, or bring one back from a backup. */
export function IdentityScreen({ protections }: { protections: readonly KeyProtectionView[] }) {
  const [tab, setTab] = useState<Tab>('create');
  const protection = protections[0] ?? 'passphrase-file';

  function onTabKey(event: KeyboardEvent) {
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault();
      const next: Tab = tab === 'create' ? 'import' : 'create';
      setTab(next);
      document.getElementById(`identity-tab-${next}`)?.focus();
    }
  }

  return (
    <section className="onboarding-card" data-testid={TID.firstRun}>
      <h1>Welcome to unibus</h1>
      <p className="muted">
        End-to-end encrypted rooms and files on a bus you own. First, an identity: a pair of keys
        made on this computer.
      </p>
      <div role="tablist" aria-label="How to start" className="tabs" onKeyDown={onTabKey}>
        <button
          id="identity-tab-create"
          role="tab"
          type="button"
          aria-selected={tab === 'create'}
          tabIndex={tab === 'create' ? 0 : -1}
          onClick={() => setTab('create')}
          data-testid={TID.createIdentityTab}
        >
          Create a new identity
        </button>
        <button
          id="identity-tab-import"
          role="tab"
          type="button"
          aria-selected={tab === 'import'}
          tabIndex={tab === 'import' ? 0 : -1}
          onClick={() => setTab('import')}
          data-testid={TID.importBackupTab}
        >
          Import a backup
        </button>
      </div>
      <div role="tabpanel">
        {tab === 'create' ? (
          <CreateIdentityForm protection={protection} />
        ) : (
          <ImportBackupForm askStorePassphrase={protection === 'passphrase-file'} />
        )}
      </div>
    </section>
  );
}
