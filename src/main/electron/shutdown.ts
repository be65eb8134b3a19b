/**
 * Ordered shutdown: on the first `before-quit` the quit is held, the UI goes away, the app service
 * closes (transfers → peer → hosted node, which stops its nats-server), and only then does the
 * process exit. Later quit requests while that runs are absorbed.
 */
import type { App } from 'electron';

/** If closing hangs this long, exit anyway (non-zero) rather than never quitting. */
export const SHUTDOWN_TIMEOUT_MS = 20_000;

export interface ShutdownSteps {
  /** Close the window and the tray (synchronous: nothing to wait for). */
  readonly closeUi: () => void;
  /** Close the app service; resolves when the node and its nats-server are down. */
  readonly closeService: () => Promise<void>;
  readonly timeoutMs?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

export function installOrderedShutdown(app: App, steps: ShutdownSteps): void {
  const log = steps.log ?? ((message, error) => console.error(message, error ?? ''));
  let started = false;
  app.on('before-quit', (event) => {
    event.preventDefault();
    if (started) return;
    started = true;
    void shutDown(app, steps, log);
  });
}

async function shutDown(
  app: App,
  steps: ShutdownSteps,
  log: (message: string, error?: unknown) => void,
): Promise<void> {
  let code = 0;
  try {
    steps.closeUi();
  } catch (error) {
    log('shutdown: closing the window failed', error);
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), steps.timeoutMs ?? SHUTDOWN_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([
      steps.closeService().then(() => 'closed' as const),
      deadline,
    ]);
    if (outcome === 'timeout') {
      log('shutdown: the app service did not close in time; exiting anyway');
      code = 1;
    }
  } catch (error) {
    log('shutdown: closing the app service failed', error);
    code = 1;
  } finally {
    clearTimeout(timer);
  }
  app.exit(code);
}
