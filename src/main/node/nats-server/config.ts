/**
 * Render the nats-server config from a typed model. PURE: string in, string out.
 *
 * Posture by construction (the model cannot express otherwise):
 * - every client authenticates with an nkey; there is no `no_auth_user`, no anonymous user,
 *   no password/token user;
 * - two accounts: NODE (the node's internal identity, node-internal KV/object buckets) and BUS
 *   (bus users, room streams, and the node's BUS identity that manages them). The BUS account
 *   always has at least one user (CVE-2023-47090);
 * - no leafnode, gateway, websocket or MQTT listener; no cluster block (yet);
 * - monitoring only on 127.0.0.1, or off;
 * - the JetStream at-rest key is a `$ENV_VAR` reference resolved by nats-server from its
 *   environment: never in argv, never in the file;
 * - `sync_interval: always` where the server supports it;
 * - a non-loopback listen host needs TLS (boot guard), and TLS, when configured, is required.
 */
import { checkBootSettings } from '../boot-guards.js';
import type { CompiledUser, PermissionList } from '../acl/compile.js';
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
  /** The node's internal identities (public nkeys). */
  readonly internal: { readonly nodeNkey: string; readonly busNkey: string };
  /** Compiled bus users (see acl/compile.ts). */
  readonly users: readonly CompiledUser[];
}

export class ConfigModelError extends Error {
  override readonly name = 'ConfigModelError';
}

export const NODE_ACCOUNT = 'NODE';
export const BUS_ACCOUNT = 'BUS';
/** nats-server's hard ceiling for max_payload. */
export const MAX_PAYLOAD_LIMIT = 64 * 1024 * 1024;
/** Default: 8 MiB, room for 4 MiB blob chunks plus headers. */
export const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;

const NKEY_USER_RE = /^U[A-Z2-7]{55}$/;
const ENV_RE = /^[A-Z_][A-Z0-9_]*$/;
// Subjects we write: printable ASCII without quotes, backslashes, spaces.
const SUBJECT_RE = /^[!#-[\]-~]+$/;

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

function list(items: readonly string[], what: string): string {
  return `[${items
    .map((s) => {
      if (!SUBJECT_RE.test(s))
        throw new ConfigModelError(`${what}: bad subject ${JSON.stringify(s)}`);
      return q(s, what);
    })
    .join(', ')}]`;
}

function permList(p: PermissionList, what: string): string {
  if (p.allow.length === 0 && !p.deny.includes('>')) {
    // nats-server reads an empty (or absent) allow list as "allow all".
    throw new ConfigModelError(`${what}: empty allow list without deny ">" would allow everything`);
  }
  const parts: string[] = [];
  if (p.allow.length > 0) parts.push(`allow: ${list(p.allow, what)}`);
  if (p.deny.length > 0) parts.push(`deny: ${list(p.deny, what)}`);
  return `{ ${parts.join(', ')} }`;
}

function nkey(k: string, what: string): string {
  if (!NKEY_USER_RE.test(k)) throw new ConfigModelError(`${what} is not a user public nkey`);
  return q(k, what);
}

export function renderNatsServerConfig(
  m: NatsServerConfigModel,
  features: Pick<NatsServerFeatures, 'syncAlways'>,
): string {
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
  const seen = new Set<string>([m.internal.nodeNkey]);
  if (seen.has(m.internal.busNkey)) {
    throw new ConfigModelError('internal node and bus identities must use different nkeys');
  }
  seen.add(m.internal.busNkey);
  for (const u of m.users) {
    if (seen.has(u.nkey)) throw new ConfigModelError(`user ${u.uid}: nkey used twice`);
    seen.add(u.nkey);
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
  L.push(`  ${NODE_ACCOUNT} {`);
  L.push('    jetstream: enabled');
  L.push('    users: [');
  L.push(
    `      { nkey: ${nkey(m.internal.nodeNkey, 'internal.nodeNkey')}, allowed_connection_types: ["STANDARD"] }`,
  );
  L.push('    ]');
  L.push('  }');
  L.push(`  ${BUS_ACCOUNT} {`);
  L.push('    jetstream: enabled');
  L.push('    users: [');
  L.push(
    `      { nkey: ${nkey(m.internal.busNkey, 'internal.busNkey')}, allowed_connection_types: ["STANDARD"] }`,
  );
  for (const u of m.users) {
    const p = u.permissions;
    const what = `user ${u.uid}`;
    L.push(`      # ${u.uid}${u.rooms.length ? ` rooms: ${u.rooms.join(' ')}` : ' (no rooms)'}`);
    L.push(
      `      { nkey: ${nkey(u.nkey, what)}, allowed_connection_types: ["STANDARD"], permissions: {`,
    );
    L.push(`          publish: ${permList(p.publish, `${what} publish`)}`);
    L.push(`          subscribe: ${permList(p.subscribe, `${what} subscribe`)}`);
    L.push(
      `          allow_responses: { max: ${p.allowResponses.max}, expires: ${q(p.allowResponses.expires, 'expires')} }`,
    );
    L.push('      } }');
  }
  L.push('    ]');
  L.push('  }');
  L.push('}');
  return L.join('\n') + '\n';
}
