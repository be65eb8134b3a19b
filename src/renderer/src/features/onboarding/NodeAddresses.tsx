import type { NodeAddressView } from '../../../../shared/types/app';

/** Test ids of the parts a test reads (the host result and the join preview use their own). */
export interface NodeAddressTestIds {
  readonly nodeId?: string;
  readonly caFingerprint: string;
  readonly addresses?: string;
}

/** A node's id, CA fingerprint and addresses, shown in full (people compare fingerprints). */
export function NodeAddresses({
  address,
  testIds,
}: {
  address: NodeAddressView;
  testIds: NodeAddressTestIds;
}) {
  return (
    <dl className="facts">
      <dt>Node id</dt>
      <dd>
        <code data-testid={testIds.nodeId}>{address.nodeId}</code>
      </dd>
      <dt>CA fingerprint</dt>
      <dd>
        <code className="fingerprint" data-testid={testIds.caFingerprint}>
          {address.caFingerprint}
        </code>
      </dd>
      <dt>Addresses</dt>
      <dd data-testid={testIds.addresses}>
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
