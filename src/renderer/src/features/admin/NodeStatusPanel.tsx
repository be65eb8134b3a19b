import { useEffect, useState } from 'react';
import type { NodeStatusView } from '../../../../shared/types/app';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { loadNodeStatus, startNode, stopNode, useAdminStore } from '../../store/adminStore';
import { TID } from '../../testids';
import { formatBytes } from '../../util/format';
import { useAction } from '../../util/useAction';

function Posture({ posture }: { posture: NonNullable<NodeStatusView['posture']> }) {
  const entries = Object.entries(posture);
  if (entries.length === 0) return <span className="muted">none published</span>;
  return (
    <ul className="plain-list">
      {entries.map(([key, value]) => (
        <li key={key}>
          <code>{key}</code>: {value === null ? '—' : String(value)}
        </li>
      ))}
    </ul>
  );
}

/** What stopping the node takes away, counted from who is connected to it right now. */
export function stopNodeWarning(peersConnected: number | null): string {
  const consequence = 'Stopping the node takes everyone offline until you start it again.';
  if (peersConnected === null || !Number.isSafeInteger(peersConnected) || peersConnected < 0)
    return consequence;
  if (peersConnected === 0) return `Nobody is connected right now. ${consequence}`;
  if (peersConnected === 1) return `1 person is connected. ${consequence}`;
  return `${peersConnected} people are connected. ${consequence}`;
}

/** The node: running or not, posture, version, addresses, CA fingerprint, peers, storage. */
export function NodeStatusPanel({ hosting }: { hosting: boolean }) {
  const status = useAdminStore((s) => s.nodeStatus);
  const load = useAction();
  const toggle = useAction();
  const [confirmingStop, setConfirmingStop] = useState(false);

  useEffect(() => {
    void load.run(loadNodeStatus);
  }, [load.run]);

  return (
    <section className="admin-section" aria-labelledby="admin-node">
      <h2 id="admin-node">Node</h2>
      <ErrorNotice error={load.error ?? toggle.error} />
      {status !== null && (
        <dl className="facts" data-testid={TID.nodeStatus} data-running={status.running}>
          <dt>State</dt>
          <dd>{status.running ? 'Running' : 'Stopped'}</dd>
          {status.error !== null && (
            <>
              <dt>Problem</dt>
              <dd className="field-problem">{status.error}</dd>
            </>
          )}
          <dt>Server version</dt>
          <dd>{status.serverVersion ?? '—'}</dd>
          <dt>Posture</dt>
          <dd>{status.posture === null ? '—' : <Posture posture={status.posture} />}</dd>
          <dt>Node id</dt>
          <dd>
            <code>{status.address?.nodeId ?? '—'}</code>
          </dd>
          <dt>CA fingerprint</dt>
          <dd>
            <code className="fingerprint">{status.address?.caFingerprint ?? '—'}</code>
          </dd>
          <dt>Addresses</dt>
          <dd>
            <ul className="plain-list">
              {[...(status.address?.controlUrls ?? []), ...(status.address?.natsUrls ?? [])].map(
                (url) => (
                  <li key={url}>
                    <code>{url}</code>
                  </li>
                ),
              )}
            </ul>
          </dd>
          <dt>Peers connected</dt>
          <dd data-testid={TID.nodePeers}>{status.peersConnected ?? '—'}</dd>
          <dt>Storage</dt>
          <dd>{status.storageBytes === null ? '—' : formatBytes(status.storageBytes)}</dd>
          {status.dataDir !== null && (
            <>
              <dt>Data folder</dt>
              <dd>
                <code>{status.dataDir}</code>
              </dd>
            </>
          )}
        </dl>
      )}
      <div className="form-actions">
        <button
          type="button"
          disabled={load.busy}
          onClick={() => void load.run(loadNodeStatus)}
          data-testid={TID.nodeRefresh}
        >
          Refresh
        </button>
        {hosting && status?.running === true && (
          <button
            type="button"
            className="danger-outline"
            disabled={toggle.busy}
            onClick={() => setConfirmingStop(true)}
            data-testid={TID.nodeStop}
          >
            Stop node
          </button>
        )}
        {hosting && status !== null && !status.running && (
          <button
            type="button"
            className="primary"
            disabled={toggle.busy}
            onClick={() => void toggle.run(startNode)}
            data-testid={TID.nodeStart}
          >
            Start node
          </button>
        )}
      </div>
      {confirmingStop && (
        <ConfirmDialog
          title="Stop the node?"
          confirmLabel="Stop node"
          confirmTestId={TID.nodeStopConfirm}
          onClose={() => setConfirmingStop(false)}
          onConfirm={stopNode}
        >
          <p data-testid={TID.nodeStopWarning}>{stopNodeWarning(status?.peersConnected ?? null)}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
