import { useState } from 'react';
import { useAppStore } from '../../store/appStore';
import { TID } from '../../testids';
import { HostForm } from './HostForm';
import { JoinFlow } from './JoinFlow';

type Choice = 'choose' | 'host' | 'join';

/** Identity ready, no bus yet: host one here or join one with a link. */
export function ConnectScreen() {
  const pendingJoinLink = useAppStore((s) => s.pendingJoinLink);
  const [choice, setChoice] = useState<Choice>('choose');
  const shown: Choice = pendingJoinLink !== null ? 'join' : choice;

  return (
    <section className="onboarding-card" data-testid={TID.connectChoice}>
      {shown === 'choose' && (
        <>
          <h1>Connect to a bus</h1>
          <p className="muted">Start your team&apos;s bus here, or join one a teammate hosts.</p>
          <div className="choice-grid">
            <button
              type="button"
              className="choice"
              autoFocus
              onClick={() => setChoice('host')}
              data-testid={TID.hostChoice}
            >
              <strong>Host a bus on this computer</strong>
              <span>Starts a node here with its own certificates; you become its admin.</span>
            </button>
            <button
              type="button"
              className="choice"
              onClick={() => setChoice('join')}
              data-testid={TID.joinChoice}
            >
              <strong>Join with an invite link</strong>
              <span>Paste the unibus://join link a teammate sent you.</span>
            </button>
          </div>
        </>
      )}
      {shown === 'host' && <HostForm onBack={() => setChoice('choose')} />}
      {shown === 'join' && (
        <JoinFlow
          key={pendingJoinLink ?? ''}
          initialLink={pendingJoinLink ?? ''}
          onBack={() => setChoice('choose')}
        />
      )}
    </section>
  );
}
