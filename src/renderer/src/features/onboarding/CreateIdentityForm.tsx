import { useState, type FormEvent } from 'react';
import type { KeyProtectionView } from '../../../../shared/types/app';
import { call } from '../../bridge/call';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadAppState } from '../../store/appStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { KEY_PROTECTION_TEXT, passphraseProblem } from './keyProtection';
import { PasswordField } from '../../components/PasswordField';

const HANDLE_MAX = 64;

/** First run: pick a handle; with a passphrase-file protection, also a passphrase (twice). */
export function CreateIdentityForm({ protection }: { protection: KeyProtectionView }) {
  const [handle, setHandle] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction();
  const needsPassphrase = protection === 'passphrase-file';

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = handle.trim();
    if (trimmed === '') return setProblem('Choose a handle: the name others will see.');
    if (trimmed.length > HANDLE_MAX) {
      return setProblem(`A handle has at most ${HANDLE_MAX} characters.`);
    }
    const passphraseIssue = needsPassphrase ? passphraseProblem(passphrase, repeat) : null;
    if (passphraseIssue !== null) return setProblem(passphraseIssue);
    setProblem(null);
    void action.run(async () => {
      await call('identity.create', {
        handle: trimmed,
        ...(needsPassphrase ? { passphrase } : {}),
      });
      await loadAppState();
    });
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Create your identity">
      <label>
        Handle
        <input
          autoFocus
          value={handle}
          maxLength={HANDLE_MAX}
          onChange={(e) => setHandle(e.target.value)}
          data-testid={TID.createIdentityHandle}
          placeholder="alice"
          autoComplete="nickname"
        />
      </label>
      <p className="note" data-testid={TID.keyProtection} data-protection={protection}>
        {KEY_PROTECTION_TEXT[protection]}
      </p>
      {needsPassphrase && (
        <>
          <PasswordField
            label="Passphrase (at least 8 characters)"
            value={passphrase}
            onChange={setPassphrase}
            testId={TID.createIdentityPassphrase}
            isNew={true}
          />
          <PasswordField
            label="Passphrase again"
            value={repeat}
            onChange={setRepeat}
            testId={TID.createIdentityPassphraseRepeat}
            isNew={true}
          />
        </>
      )}
      {problem !== null && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      <ErrorNotice error={action.error} />
      <button
        type="submit"
        className="primary"
        disabled={action.busy}
        data-testid={TID.createIdentitySubmit}
      >
        {action.busy ? 'Creating…' : 'Create identity'}
      </button>
    </form>
  );
}
