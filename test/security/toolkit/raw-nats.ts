/**
 * T4: a raw nats.js client that authenticates with its own nkey over TLS (CA pinned) and records
 * every permission violation the server reports. A silent "nothing received" only counts
 * together with an observed violation or a positive control (see the catalog, T4).
 */
import {
  connect,
  nkeyAuthenticator,
  PermissionViolationError,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import type { Identity } from './identity';
import { waitUntil } from './probes';

export interface NatsTarget {
  /** `tls://host:port` as the node advertises it. */
  readonly url: string;
  readonly caPem: string;
}

export interface RawNats {
  readonly nc: NatsConnection;
  readonly violations: PermissionViolationError[];
  /** Resolves once the server reported a violation matching `operation` and `subject`. */
  violation(operation: 'publish' | 'subscription', subject: string, ms?: number): Promise<void>;
}

export async function rawNats(
  target: NatsTarget,
  who: Pick<Identity, 'nkeySeed'> | null,
  options: Partial<ConnectionOptions> = {},
): Promise<RawNats> {
  const nc = await connect({
    servers: target.url.replace(/^tls:/, 'nats:'),
    tls: { ca: target.caPem },
    ...(who ? { authenticator: nkeyAuthenticator(who.nkeySeed) } : {}),
    reconnect: false,
    timeout: 3_000,
    ...options,
  });
  const violations: PermissionViolationError[] = [];
  void (async () => {
    for await (const s of nc.status()) {
      const error = (s as { error?: unknown }).error;
      if (s.type === 'error' && error instanceof PermissionViolationError) violations.push(error);
    }
  })();
  return {
    nc,
    violations,
    violation: (operation, subject, ms = 3_000) =>
      waitUntil(
        () => violations.some((v) => v.operation === operation && v.subject === subject),
        ms,
        `${operation} violation on ${subject}`,
      ),
  };
}

/**
 * A request whose outcome is readable in a failure message: `denied` (no reply: a permissions
 * violation, no responders or a timeout) or `reply: <the reply text>`.
 */
export async function tryRequest(c: RawNats, subject: string, body: unknown = {}): Promise<string> {
  try {
    const reply = await c.nc.request(subject, JSON.stringify(body), { timeout: 1_000 });
    return `reply: ${reply.string()}`;
  } catch {
    return 'denied';
  }
}
