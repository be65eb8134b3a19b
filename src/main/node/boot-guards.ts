/**
 * Boot guards: settings that would start a fail-open node are impossible. PURE (no I/O).
 *
 * - A non-loopback bind needs TLS material (cert + key).
 * - There is no auth-off mode: the settings type has no such field, and unknown keys
 *   (`auth`, `noAuth`, `no_auth_user`, …) are refused at runtime too.
 * - A cluster needs its secret and route TLS (cert, key, CA).
 * Loopback = `localhost`, `127.0.0.0/8` (dotted quad), `::1`. Anything else — including an
 * empty bind, `0.0.0.0`, `::` and every other host name — counts as public.
 */

export interface TlsMaterial {
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
}

export interface ClusterSettings {
  readonly enabled: boolean;
  readonly secret?: string;
  readonly routeTls?: TlsMaterial;
}

export interface BootSettings {
  /** Host or address the node binds (control plane and NATS). */
  readonly bind: string;
  readonly tls?: TlsMaterial;
  readonly cluster?: ClusterSettings;
}

export type BootGuardCode =
  | 'PUBLIC_BIND_WITHOUT_TLS'
  | 'CLUSTER_WITHOUT_SECRET'
  | 'CLUSTER_WITHOUT_ROUTE_TLS'
  | 'UNKNOWN_SETTING';

export class BootGuardError extends Error {
  override readonly name = 'BootGuardError';
  constructor(
    readonly code: BootGuardCode,
    /** The setting that is missing or not allowed, e.g. `tls.keyFile`. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

export interface BootPosture {
  readonly loopbackOnly: boolean;
  readonly tls: boolean;
  readonly cluster: boolean;
  /** Always true: there is no way to turn authentication off. */
  readonly auth: true;
}

/** Minimum length of the cluster route secret. */
export const MIN_CLUSTER_SECRET_LENGTH = 32;

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = IPV4_RE.exec(h);
  if (!m) return false;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) {
    return false;
  }
  return octets[0] === 127;
}

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  '': ['bind', 'tls', 'cluster'],
  tls: ['certFile', 'keyFile', 'caFile'],
  cluster: ['enabled', 'secret', 'routeTls'],
  'cluster.routeTls': ['certFile', 'keyFile', 'caFile'],
};

function rejectUnknownKeys(obj: unknown, path: string): void {
  if (obj === undefined) return;
  if (obj === null || typeof obj !== 'object') {
    throw new BootGuardError('UNKNOWN_SETTING', path || 'settings', `${path} must be an object`);
  }
  const allowed = ALLOWED_KEYS[path] ?? [];
  for (const key of Object.keys(obj)) {
    const full = path ? `${path}.${key}` : key;
    if (!allowed.includes(key)) {
      throw new BootGuardError('UNKNOWN_SETTING', full, `unknown setting ${full} is refused`);
    }
    if (full in ALLOWED_KEYS) rejectUnknownKeys((obj as Record<string, unknown>)[key], full);
  }
}

const present = (s: string | undefined): boolean => typeof s === 'string' && s.trim() !== '';

/** Throws BootGuardError naming the first missing setting; returns the posture otherwise. */
export function checkBootSettings(settings: BootSettings): BootPosture {
  rejectUnknownKeys(settings, '');
  if (typeof settings.bind !== 'string') {
    throw new BootGuardError('UNKNOWN_SETTING', 'bind', 'bind must be a string');
  }
  const loopbackOnly = isLoopbackHost(settings.bind);
  const tls = present(settings.tls?.certFile) && present(settings.tls?.keyFile);
  if (!loopbackOnly && !tls) {
    const missing = present(settings.tls?.certFile) ? 'tls.keyFile' : 'tls.certFile';
    throw new BootGuardError(
      'PUBLIC_BIND_WITHOUT_TLS',
      missing,
      `bind ${JSON.stringify(settings.bind)} is not loopback: ${missing} is required`,
    );
  }
  const cluster = settings.cluster?.enabled === true;
  if (cluster) {
    const secret = settings.cluster?.secret;
    if (!present(secret) || (secret ?? '').length < MIN_CLUSTER_SECRET_LENGTH) {
      throw new BootGuardError(
        'CLUSTER_WITHOUT_SECRET',
        'cluster.secret',
        `cluster mode needs cluster.secret (at least ${MIN_CLUSTER_SECRET_LENGTH} characters)`,
      );
    }
    const rt = settings.cluster?.routeTls;
    for (const k of ['certFile', 'keyFile', 'caFile'] as const) {
      if (!present(rt?.[k])) {
        throw new BootGuardError(
          'CLUSTER_WITHOUT_ROUTE_TLS',
          `cluster.routeTls.${k}`,
          `cluster mode needs cluster.routeTls.${k}`,
        );
      }
    }
  }
  return { loopbackOnly, tls, cluster, auth: true };
}
