import { useCallback, useEffect, useRef, useState } from 'react';

export interface Action {
  readonly busy: boolean;
  readonly error: unknown;
  /** Runs `fn`; resolves true when it succeeded, false when it threw (the error is kept). */
  run(fn: () => Promise<unknown>): Promise<boolean>;
  clearError(): void;
}

/** Busy flag and last error of a user action, safe to use after the component unmounts. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (caught) {
      if (mounted.current) setError(caught);
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { busy, error, run, clearError };
}
