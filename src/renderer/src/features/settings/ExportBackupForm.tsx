import { useState, type FormEvent } from 'react';
import { call } from '../../bridge/call';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TID } from '../../testids';
import { saveText } from '../../util/saveFile';
import { useAction } from '../../util/useAction';
import { passphraseProblem } from '../onboarding/keyProtection';
import { PasswordField } from '../../components/PasswordField';

/** Export the identity as a backup sealed under a passphrase, saved as a file. */
export function ExportBackupForm({ handle }: { handle: string }) {
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    const issue = passphraseProblem(passphrase, repeat);
    setProblem(issue);
    setSaved(false);
    if (issue !== null) return;
    void action.run(async () => {
      const { backup } = await call('identity.exportBackup', { passphrase });
      const safeHandle = handle.replace(/[^A-Za-z0-9_-]/g, '_') || 'identity';
      saveText(backup, `unibus-backup-${safeHandle}.json`);
      setPassphrase('');
      setRepeat('');
      setSaved(true);
    });
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Export a backup">
      <p className="muted">
        The backup holds your private keys, encrypted under this passphrase. Keep both safe: with
        them anyone can be you.
      </p>
      <div className="form-row">
        <PasswordField
          label="Backup passphrase"
          value={passphrase}
          onChange={setPassphrase}
          testId={TID.exportPassphrase}
          isNew={true}
        />
        <PasswordField
          label="Again"
          value={repeat}
          onChange={setRepeat}
          testId={TID.exportPassphraseRepeat}
          isNew={true}
        />
      </div>
      {problem !== null && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      <ErrorNotice error={action.error} />
      {saved && (
        <p role="status" className="success">
          Backup saved to your downloads.
        </p>
      )}
      <button
        type="submit"
        className="primary"
        disabled={action.busy}
        data-testid={TID.exportSubmit}
      >
        Export backup
      </button>
    </form>
  );
}
