import type { NodeAddressView } from '../../../../shared/types/app';
import { TID } from '../../testids';

/** A node's id, CA fingerprint and addresses, shown in full (people compare fingerprints). */
export function NodeAddresses({ address }: { address: NodeAddressView }) {
  return (
    <dl className="facts">
      <dt>Node id</dt>
      <dd>
        <code>{address.nodeId}</code>
      </dd>
      <dt>CA fingerprint</dt>
      <dd>
        <code className="fingerprint" data-testid={TID.hostCaFingerprint}>
          {address.caFingerprint}
        </code>
      </dd>
      <dt>Addresses</dt>
      <dd data-testid={TID.hostAddresses}>
        <ul className="plain-list">
          {[...address.controlUrls, ...address.natsUrls].map((url) => (
            <li key={url}>
              <code>{url}</code>
            </li>
          ))}
        </ul>
      </dd>
    </dl>
  );
}
