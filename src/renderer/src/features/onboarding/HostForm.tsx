import { useState, type FormEvent } from 'react';
import { call } from '../../bridge/call';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadAppState, setHostedNode } from '../../store/appStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';

export const DEFAULT_HTTP_PORT = 7443;
export const DEFAULT_NATS_PORT = 4222;
const LOOPBACK = '127.0.0.1';

function parsePort(value: string): number | null {
  if (!/^\d{1,5}$/.test(value.trim())) return null;
  const port = Number(value);
  return port >= 1 && port <= 65_535 ? port : null;
}

/** "Host a bus on this computer": where to listen and where to keep the data. */
export function HostForm({ onBack }: { onBack: () => void }) {
  const [bind, setBind] = useState(LOOPBACK);
  const [httpPort, setHttpPort] = useState(String(DEFAULT_HTTP_PORT));
  const [natsPort, setNatsPort] = useState(String(DEFAULT_NATS_PORT));
  const [dataDir, setDataDir] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    const http = parsePort(httpPort);
    const nats = parsePort(natsPort);
    if (bind.trim() === '') return setProblem('Give an address to listen on, e.g. 127.0.0.1.');
    if (http === null || nats === null) {
      return setProblem('Ports are whole numbers from 1 to 65535.');
    }
    if (http === nats) return setProblem('The web and NATS ports must differ.');
    setProblem(null);
    void action.run(async () => {
      const status = await call('node.host', {
        bind: bind.trim(),
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
      <label>
        Listen on
        <input
          value={bind}
          onChange={(e) => setBind(e.target.value)}
          data-testid={TID.hostBind}
          list="host-bind-options"
          autoFocus
        />
        <datalist id="host-bind-options">
          <option value="127.0.0.1">This computer only</option>
          <option value="0.0.0.0">Every network of this computer</option>
        </datalist>
      </label>
      {bind.trim() !== LOOPBACK && (
        <p className="note">
          Other computers will be able to reach this node. TLS and signed requests stay on.
        </p>
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
