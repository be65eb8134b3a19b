import { useLinkStore } from '../bridge/linkStatus';
import { TID } from '../testids';

/** In a browser: says so while the web shell's connection to the app is down. */
export function LinkBanner() {
  const status = useLinkStore((s) => s.status);
  const tokenMissing = useLinkStore((s) => s.tokenMissing);
  if (status !== 'down') return null;
  return (
    <div className="banner banner-error" role="alert" data-testid={TID.bridgeDisconnected}>
      {tokenMissing
        ? 'Disconnected from the app: this page was opened without its access token. Open unibus with the full link the app printed (it ends in #token=…).'
        : 'Disconnected from the app. Reconnecting… If this lasts, check that unibus is still running, then reload this page.'}
    </div>
  );
}
