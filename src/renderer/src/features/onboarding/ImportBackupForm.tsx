import { useState, type FormEvent } from 'react';
import { call } from '../../bridge/call';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadAppState } from '../../store/appStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { PASSPHRASE_MIN } from './keyProtection';
import { PasswordField } from '../../components/PasswordField';

const BACKUP_MAX = 64 * 1024;

/**
 * Import an encrypted identity backup from a file. With a passphrase-file protection the user may
 * give a separate passphrase for this computer (otherwise the backup's passphrase is used).
 */
export function ImportBackupForm({
  askStorePassphrase,
  onImported,
}: {
  askStorePassphrase: boolean;
  onImported?: () => void;
}) {
  const [backup, setBackup] = useState<string | null>(null);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [storePassphrase, setStorePassphrase] = useState('');
  const action = useAction();

  async function pickFile(file: File | undefined) {
    setBackup(null);
    setFileProblem(null);
    if (file === undefined) return;
    if (file.size > BACKUP_MAX) {
      setFileProblem('That file is too large to be a unibus backup. Pick the exported file.');
      return;
    }
    setBackup(await file.text());
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (backup === null) return;
    void action.run(async () => {
      await call('identity.importBackup', {
        backup,
        passphrase,
        ...(askStorePassphrase && storePassphrase !== '' ? { storePassphrase } : {}),
      });
      await loadAppState();
      onImported?.();
    });
  }

  const storeTooShort = storePassphrase !== '' && storePassphrase.length < PASSPHRASE_MIN;
  return (
    <form className="form" onSubmit={submit} aria-label="Import a backup">
      <label>
        Backup file
        <input
          type="file"
          accept=".json,.txt,application/json,text/plain"
          onChange={(e) => void pickFile(e.target.files?.[0])}
          data-testid={TID.importBackupFile}
        />
      </label>
      {fileProblem !== null && (
        <p className="field-problem" role="alert">
          {fileProblem}
        </p>
      )}
      <PasswordField
        label="Passphrase of the backup"
        value={passphrase}
        onChange={setPassphrase}
        testId={TID.importBackupPassphrase}
        isNew={false}
      />
      {askStorePassphrase && (
        <PasswordField
          label="Passphrase for this computer (optional; empty uses the backup's)"
          value={storePassphrase}
          onChange={setStorePassphrase}
          testId={TID.importBackupStorePassphrase}
          isNew={true}
        />
      )}
      <ErrorNotice error={action.error} />
      <button
        type="submit"
        className="primary"
        disabled={
          action.busy || backup === null || passphrase.length < PASSPHRASE_MIN || storeTooShort
        }
        data-testid={TID.importBackupSubmit}
      >
        {action.busy ? 'Importing…' : 'Import backup'}
      </button>
    </form>
  );
}
