import type { NodeStatusView } from '../../../../shared/types/app';
import { setHostedNode } from '../../store/appStore';
import { TID } from '../../testids';
import { NodeAddresses } from './NodeAddresses';

/** After hosting: the node's CA fingerprint and addresses, before the main screen. */
export function HostResult({ status }: { status: NodeStatusView }) {
  return (
    <section className="onboarding-card" data-testid={TID.hostResult} aria-live="polite">
      <h1>Your bus is running</h1>
      <p>
        You are its first admin. Teammates join with an invite link you create under Admin; their
        app will show them this CA fingerprint to confirm.
      </p>
      {status.address !== null ? (
        <NodeAddresses
          address={status.address}
          testIds={{ caFingerprint: TID.hostCaFingerprint, addresses: TID.hostAddresses }}
        />
      ) : (
        <p className="muted">The node has not published its addresses yet.</p>
      )}
      {status.error !== null && <p className="field-problem">{status.error}</p>}
      <button
        type="button"
        className="primary"
        autoFocus
        onClick={() => setHostedNode(null)}
        data-testid={TID.hostContinue}
      >
        Continue
      </button>
    </section>
  );
}
