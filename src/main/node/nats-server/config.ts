/**
 * Render the nats-server config from a typed model. PURE: string in, string out.
 *
 * Posture by construction (the model cannot express otherwise):
 * - the file names only the node's internal identities (nkeys); every other client is
 *   authorized by the node's auth callout (`authorization { auth_callout }`, config mode), so
 *   no member is ever written here. There is no `no_auth_user`, no password/token user;
 * - four accounts: NODE (internal KV/object buckets; the callout worker), BUS (room streams,
 *   written and read only by the node), MEMBERS (members, placed there by the callout; no
 *   JetStream, no imports) and SYS (the system account: CONNZ and KICK). Every account has a
 *   user (CVE-2023-47090);
 * - no leafnode, gateway, websocket or MQTT listener; no cluster block (yet);
 * - monitoring only on 127.0.0.1, or off;
 * - the JetStream at-rest key is a `$ENV_VAR` reference resolved by nats-server from its
 *   environment: never in argv, never in the file;
 * - `sync_interval: always` where the server supports it;
 * - a non-loopback listen host needs TLS (boot guard), and TLS, when configured, is required.
 */
import { checkBootSettings } from '../boot-guards.js';
import type { NatsServerFeatures } from './version.js';

export type Port = number | 'auto';

export interface NatsTlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA for client certificates (mTLS); omit for server-auth-only TLS. */
  readonly caFile?: string;
  /** Handshake timeout in seconds (default 2). */
  readonly timeoutSeconds?: number;
}

export interface JetStreamConfig {
  readonly storeDir: string;
  /** At-rest encryption; the key itself lives in the child's environment variable `keyEnvVar`. */
  readonly cipher?: { readonly algorithm: 'chachapoly' | 'aes'; readonly keyEnvVar: string };
  readonly maxMemoryBytes?: number;
  readonly maxFileBytes?: number;
}

export interface NatsServerConfigModel {
  readonly serverName?: string;
  readonly listen: { readonly host: string; readonly port: Port };
  /** Directory where nats-server writes `<exe>_<pid>.ports` (needed with port 'auto'). */
  readonly portsFileDir?: string;
  readonly tls?: NatsTlsConfig;
  /** Monitoring endpoint, always bound to 127.0.0.1. Omit to turn it off. */
  readonly monitoring?: { readonly port: Port };
  readonly maxPayloadBytes: number;
  readonly jetstream: JetStreamConfig;
  /** The node's internal identities (public `U…` nkeys), one per account. */
  readonly internal: InternalIdentities;
  /** The account key (`A…`) whose signature the server accepts on callout-issued user JWTs. */
  readonly calloutIssuer: string;
}

export interface InternalIdentities {
  readonly nodeNkey: string;
  readonly busNkey: string;
  readonly membersNkey: string;
  readonly systemNkey: string;
}

export class ConfigModelError extends Error {
  override readonly name = 'ConfigModelError';
}

export const NODE_ACCOUNT = 'NODE';
export const BUS_ACCOUNT = 'BUS';
export const MEMBERS_ACCOUNT = 'MEMBERS';
export const SYSTEM_ACCOUNT = 'SYS';
/** The callout worker answers in this account (it is the node's own). */
export const CALLOUT_ACCOUNT = NODE_ACCOUNT;
/** nats-server's hard ceiling for max_payload. */
export const MAX_PAYLOAD_LIMIT = 64 * 1024 * 1024;
/** Default: 8 MiB, room for 4 MiB blob chunks plus headers. */
export const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;

const NKEY_USER_RE = /^U[A-Z2-7]{55}$/;
const NKEY_ACCOUNT_RE = /^A[A-Z2-7]{55}$/;
const ENV_RE = /^[A-Z_][A-Z0-9_]*$/;

function q(s: string, what: string): string {
  // nats-server config strings: reject anything that would need escaping.
  if (/["\\\r\n\t\0]/.test(s) || s === '') {
    throw new ConfigModelError(
      `${what} contains a character that cannot be written: ${JSON.stringify(s)}`,
    );
  }
  return `"${s}"`;
}

function port(p: Port, what: string): string {
  if (p === 'auto') return '-1';
  if (!Number.isInteger(p) || p < 1 || p > 65535) {
    throw new ConfigModelError(`${what} must be 1–65535 or 'auto'`);
  }
  return String(p);
}

function hostPort(host: string, p: Port, what: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return q(`${h}:${port(p, what)}`, what);
}

function nkey(k: string, what: string): string {
  if (!NKEY_USER_RE.test(k)) throw new ConfigModelError(`${what} is not a user public nkey`);
  return q(k, what);
}

export function renderNatsServerConfig(
  m: NatsServerConfigModel,
  features: Pick<NatsServerFeatures, 'syncAlways' | 'authCallout'>,
): string {
  if (!features.authCallout) {
    throw new ConfigModelError('this nats-server has no auth callout (2.10.0 or later is needed)');
  }
  // Boot guard: a non-loopback listener needs TLS material.
  checkBootSettings({
    bind: m.listen.host,
    ...(m.tls ? { tls: { certFile: m.tls.certFile, keyFile: m.tls.keyFile } } : {}),
  });
  if (
    !Number.isInteger(m.maxPayloadBytes) ||
    m.maxPayloadBytes < 1024 ||
    m.maxPayloadBytes > MAX_PAYLOAD_LIMIT
  ) {
    throw new ConfigModelError(`maxPayloadBytes must be 1 KiB–64 MiB`);
  }
  if (m.listen.port === 'auto' || m.monitoring?.port === 'auto') {
    if (!m.portsFileDir) throw new ConfigModelError(`port 'auto' needs portsFileDir`);
  }
  const internal = [
    m.internal.nodeNkey,
    m.internal.busNkey,
    m.internal.membersNkey,
    m.internal.systemNkey,
  ];
  if (new Set(internal).size !== internal.length) {
    throw new ConfigModelError('internal identities must use different nkeys');
  }
  if (!NKEY_ACCOUNT_RE.test(m.calloutIssuer)) {
    throw new ConfigModelError('calloutIssuer is not an account public nkey');
  }

  const L: string[] = [];
  L.push('# Generated by unibus node (src/main/node/nats-server/config.ts). Do not edit.');
  if (m.serverName) L.push(`server_name: ${q(m.serverName, 'serverName')}`);
  L.push(`listen: ${hostPort(m.listen.host, m.listen.port, 'listen')}`);
  if (m.portsFileDir) L.push(`ports_file_dir: ${q(m.portsFileDir, 'portsFileDir')}`);
  if (m.monitoring) L.push(`http: ${hostPort('127.0.0.1', m.monitoring.port, 'monitoring')}`);
  L.push(`max_payload: ${m.maxPayloadBytes}`);
  L.push('logtime: true');
  if (m.tls) {
    L.push('tls {');
    L.push(`  cert_file: ${q(m.tls.certFile, 'tls.certFile')}`);
    L.push(`  key_file: ${q(m.tls.keyFile, 'tls.keyFile')}`);
    if (m.tls.caFile) {
      L.push(`  ca_file: ${q(m.tls.caFile, 'tls.caFile')}`);
      L.push('  verify: true');
    }
    L.push(`  timeout: ${m.tls.timeoutSeconds ?? 2}`);
    L.push('}');
  }

  const js = m.jetstream;
  L.push('jetstream {');
  L.push(`  store_dir: ${q(js.storeDir, 'jetstream.storeDir')}`);
  if (js.maxMemoryBytes !== undefined)
    L.push(`  max_memory_store: ${Math.floor(js.maxMemoryBytes)}`);
  if (js.maxFileBytes !== undefined) L.push(`  max_file_store: ${Math.floor(js.maxFileBytes)}`);
  if (js.cipher) {
    if (!ENV_RE.test(js.cipher.keyEnvVar)) {
      throw new ConfigModelError('jetstream.cipher.keyEnvVar must be an environment variable name');
    }
    L.push(`  cipher: ${js.cipher.algorithm}`);
    // Unquoted $NAME: nats-server resolves it from its environment at load/reload time.
    L.push(`  key: $${js.cipher.keyEnvVar}`);
  }
  if (features.syncAlways) L.push('  sync_interval: always');
  L.push('}');

  L.push('accounts {');
  const account = (name: string, key: string, what: string, jetstream: boolean) => {
    L.push(`  ${name} {`);
    if (jetstream) L.push('    jetstream: enabled');
    L.push(`    users: [ { nkey: ${nkey(key, what)}, allowed_connection_types: ["STANDARD"] } ]`);
    L.push('  }');
  };
  account(NODE_ACCOUNT, m.internal.nodeNkey, 'internal.nodeNkey', true);
  account(BUS_ACCOUNT, m.internal.busNkey, 'internal.busNkey', true);
  // Members: no JetStream and no imports, so nothing in here answers with a server-made message.
  account(MEMBERS_ACCOUNT, m.internal.membersNkey, 'internal.membersNkey', false);
  account(SYSTEM_ACCOUNT, m.internal.systemNkey, 'internal.systemNkey', false);
  L.push('}');
  L.push(`system_account: ${SYSTEM_ACCOUNT}`);
  L.push('authorization {');
  L.push('  auth_callout {');
  L.push(`    issuer: ${q(m.calloutIssuer, 'calloutIssuer')}`);
  L.push(`    account: ${CALLOUT_ACCOUNT}`);
  L.push(`    auth_users: [ ${internal.map((k) => q(k, 'auth_users')).join(', ')} ]`);
  L.push('  }');
  L.push('}');
  return L.join('\n') + '\n';
}
