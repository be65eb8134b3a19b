import { useState, type FormEvent } from 'react';
import { call } from '../../bridge/call';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadAppState, setHostedNode } from '../../store/appStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';

export const DEFAULT_HTTP_PORT = 7443;
export const DEFAULT_NATS_PORT = 4222;

/** Who can reach the node: main turns these into a listen address (HostOptions.bind). */
type Reach = 'this-computer' | 'network';
const BIND: { readonly [R in Reach]: string } = {
  'this-computer': '127.0.0.1',
  network: '0.0.0.0',
};

/** Letters, digits, dots and dashes (a DNS name), or an IP address. */
const HOST_NAME =
  /^(\[?[0-9A-Fa-f:.]+\]?|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)$/;

function parsePort(value: string): number | null {
  if (!/^\d{1,5}$/.test(value.trim())) return null;
  const port = Number(value);
  return port >= 1 && port <= 65_535 ? port : null;
}

/** "Host a bus on this computer": who can reach it, its ports and where to keep the data. */
export function HostForm({ onBack }: { onBack: () => void }) {
  const [reach, setReach] = useState<Reach>('this-computer');
  const [publicName, setPublicName] = useState('');
  const [httpPort, setHttpPort] = useState(String(DEFAULT_HTTP_PORT));
  const [natsPort, setNatsPort] = useState(String(DEFAULT_NATS_PORT));
  const [dataDir, setDataDir] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction();
  const name = reach === 'network' ? publicName.trim() : '';

  function submit(event: FormEvent) {
    event.preventDefault();
    const http = parsePort(httpPort);
    const nats = parsePort(natsPort);
    if (http === null || nats === null) {
      return setProblem('Ports are whole numbers from 1 to 65535.');
    }
    if (http === nats) return setProblem('The web and NATS ports must differ.');
    if (name !== '' && (name.length > 253 || !HOST_NAME.test(name))) {
      return setProblem(
        'A public name is letters, digits, dots and dashes, for example team.example.org.',
      );
    }
    setProblem(null);
    void action.run(async () => {
      const status = await call('node.host', {
        bind: BIND[reach],
        ...(name === '' ? {} : { publicHostName: name }),
        httpPort: http,
        natsPort: nats,
        ...(dataDir.trim() === '' ? {} : { dataDir: dataDir.trim() }),
      });
      setHostedNode(status);
      await loadAppState();
    });
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Host a bus on this computer">
      <h2>Host a bus on this computer</h2>
      <fieldset className="choice-list">
        <legend>Who can reach it?</legend>
        <label className="checkbox">
          <input
            type="radio"
            name="host-reach"
            checked={reach === 'this-computer'}
            onChange={() => setReach('this-computer')}
            data-testid={TID.hostReachThisComputer}
            autoFocus
          />
          <span>
            <strong>Only this computer</strong>
            <span className="muted"> — to try unibus, or for people who share this computer.</span>
          </span>
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name="host-reach"
            checked={reach === 'network'}
            onChange={() => setReach('network')}
            data-testid={TID.hostReachNetwork}
          />
          <span>
            <strong>My network</strong>
            <span className="muted">
              {' '}
              — teammates on the same network (office, home Wi-Fi, VPN) join from their own
              computers.
            </span>
          </span>
        </label>
      </fieldset>
      {reach === 'network' && (
        <>
          <p className="note">
            Invite links will carry every network address of this computer. Teammates need the two
            ports below open on it (check its firewall). Everything stays encrypted and signed.
          </p>
          <label>
            Public name (optional)
            <input
              value={publicName}
              onChange={(e) => setPublicName(e.target.value)}
              placeholder="e.g. team.example.org"
              spellCheck={false}
              data-testid={TID.hostPublicName}
            />
            <span className="muted">
              If teammates reach this computer by a name, give it here: it goes first in invite
              links.
            </span>
          </label>
        </>
      )}
      <div className="form-row">
        <label>
          Web (control) port
          <input
            inputMode="numeric"
            value={httpPort}
            onChange={(e) => setHttpPort(e.target.value)}
            data-testid={TID.hostHttpPort}
          />
        </label>
        <label>
          NATS port
          <input
            inputMode="numeric"
            value={natsPort}
            onChange={(e) => setNatsPort(e.target.value)}
            data-testid={TID.hostNatsPort}
          />
        </label>
      </div>
      <label>
        Data folder (optional)
        <input
          value={dataDir}
          onChange={(e) => setDataDir(e.target.value)}
          placeholder="Default: inside your unibus profile"
          data-testid={TID.hostDataDir}
        />
      </label>
      {problem !== null && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      <ErrorNotice error={action.error} />
      <div className="form-actions">
        <button type="button" onClick={onBack}>
          Back
        </button>
        <button
          type="submit"
          className="primary"
          disabled={action.busy}
          data-testid={TID.hostButton}
        >
          {action.busy ? 'Starting the node…' : 'Host the bus'}
        </button>
      </div>
    </form>
  );
}
