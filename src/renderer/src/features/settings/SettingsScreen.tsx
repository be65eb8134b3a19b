import type { KeyProtectionView } from '../../../../shared/types/app';
import { CopyButton } from '../../components/CopyButton';
import { appSelectors, useAppStore } from '../../store/appStore';
import { TID } from '../../testids';
import { ImportBackupForm } from '../onboarding/ImportBackupForm';
import { KEY_PROTECTION_TEXT } from '../onboarding/keyProtection';
import { AppearanceSection } from './AppearanceSection';
import { ExportBackupForm } from './ExportBackupForm';

const NO_PROTECTIONS: readonly KeyProtectionView[] = [];

/** Identity card, backups, theme, notifications. */
export function SettingsScreen() {
  const identity = useAppStore(appSelectors.identity);
  const version = useAppStore((s) => s.version);
  const protections = useAppStore((s) => s.appState?.availableProtections ?? NO_PROTECTIONS);

  return (
    <main className="screen" data-testid={TID.settingsScreen} aria-label="Settings">
      <h1>Settings</h1>
      {identity !== null && (
        <section className="settings-section" aria-labelledby="settings-identity">
          <h2 id="settings-identity">Your identity</h2>
          <p>
            Handle <strong>{identity.handle}</strong>. {KEY_PROTECTION_TEXT[identity.protection]}
          </p>
          <p className="muted">
            Others paste this card to invite you to a room or to add you to a node. It holds no
            secret.
          </p>
          <pre className="identity-card" data-testid={TID.identityCard}>
            {identity.card}
          </pre>
          <CopyButton text={identity.card} label="Copy card" testId={TID.copyCard} />
        </section>
      )}
      {identity !== null && (
        <section className="settings-section" aria-labelledby="settings-export">
          <h2 id="settings-export">Export a backup</h2>
          <ExportBackupForm handle={identity.handle} />
        </section>
      )}
      <section className="settings-section" aria-labelledby="settings-import">
        <h2 id="settings-import">Import a backup</h2>
        <p className="muted">Replaces the identity on this computer with the one in the backup.</p>
        <ImportBackupForm askStorePassphrase={protections[0] === 'passphrase-file'} />
      </section>
      <AppearanceSection />
      {version !== null && <p className="muted">unibus {version}</p>}
    </main>
  );
}
