import { useState, type FormEvent } from 'react';
import { call } from '../../bridge/call';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadAppState } from '../../store/appStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';
import { PASSPHRASE_MIN } from './keyProtection';
import { PasswordField } from '../../components/PasswordField';

/** The identity exists under a passphrase: ask for it. */
export function UnlockForm({ handle }: { handle: string | null }) {
  const [passphrase, setPassphrase] = useState('');
  const action = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    void action.run(async () => {
      await call('identity.unlock', { passphrase });
      setPassphrase('');
      await loadAppState();
    });
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Unlock your identity">
      <p>
        {handle === null ? 'Your identity' : `The identity of ${handle}`} is protected by a
        passphrase. Type it to unlock.
      </p>
      <PasswordField
        label="Passphrase"
        value={passphrase}
        onChange={setPassphrase}
        testId={TID.unlockPassphrase}
        isNew={false}
        autoFocus
      />
      <ErrorNotice error={action.error} />
      <button
        type="submit"
        className="primary"
        disabled={action.busy || passphrase.length < PASSPHRASE_MIN}
        data-testid={TID.unlockSubmit}
      >
        {action.busy ? 'Unlocking…' : 'Unlock'}
      </button>
    </form>
  );
}
