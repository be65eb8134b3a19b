import type { ConnectionStatus } from '../../../../shared/types/connection';
import { appSelectors, useAppStore } from '../../store/appStore';
import { TID } from '../../testids';

const LABELS: { readonly [S in ConnectionStatus]: string } = {
  online: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting… messages wait in the outbox',
  offline: 'Offline: messages wait in the outbox',
  removed: 'Your access to this node was removed by an admin.',
};

/** The bus connection as a coloured dot and a sentence (never colour alone). */
export function ConnectionIndicator() {
  const connection = useAppStore(appSelectors.connection);
  const status: ConnectionStatus = connection?.status ?? 'offline';
  return (
    <div
      className={`connection connection-${status}`}
      role="status"
      data-testid={TID.connectionState}
      data-status={status}
    >
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[status]}
    </div>
  );
}
