import { useLinkStore } from './bridge/linkStatus';
import { useApplyTheme } from './app/useApplyTheme';
import { useBootstrap } from './app/useBootstrap';
import { LinkBanner } from './app/LinkBanner';
import { ErrorNotice } from './components/ErrorNotice';
import { MainLayout } from './features/layout/MainLayout';
import { ConnectScreen } from './features/onboarding/ConnectScreen';
import { HostResult } from './features/onboarding/HostResult';
import { IdentityScreen } from './features/onboarding/IdentityScreen';
import { LockedScreen } from './features/onboarding/LockedScreen';
import { loadAppState, useAppStore } from './store/appStore';
import { TID } from './testids';
import { useAction } from './util/useAction';

function Loading() {
  const linkStatus = useLinkStore((s) => s.status);
  const loadError = useAppStore((s) => s.loadError);
  if (loadError !== null && linkStatus !== 'connecting') {
    return (
      <section className="onboarding-card" data-testid={TID.appLoadError}>
        <ErrorNotice error={loadError} />
        <button type="button" className="primary" onClick={() => void loadAppState()}>
          Try again
        </button>
      </section>
    );
  }
  return (
    <p className="muted centered" role="status" data-testid={TID.appLoading}>
      Starting unibus…
    </p>
  );
}

function PhaseScreen() {
  const appState = useAppStore((s) => s.appState);
  const hostedNode = useAppStore((s) => s.hostedNode);
  if (appState === null) return <Loading />;
  if (hostedNode !== null) return <HostResult status={hostedNode} />;
  switch (appState.phase) {
    case 'no-identity':
      return <IdentityScreen protections={appState.availableProtections} />;
    case 'locked':
      return <LockedScreen appState={appState} />;
    case 'no-connection':
      return <ConnectScreen />;
    case 'ready':
      return <MainLayout />;
  }
}

/** Root: bridge wiring, theme, and the screen for the app's phase. */
export function App() {
  const sync = useAction();
  useBootstrap(sync);
  useApplyTheme();
  return (
    <div className="app">
      <LinkBanner />
      {sync.error !== null && (
        <div className="banner banner-error">
          <ErrorNotice error={sync.error} onDismiss={sync.clearError} />
        </div>
      )}
      <PhaseScreen />
    </div>
  );
}
