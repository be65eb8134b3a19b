/**
 * Joining a node with an invite link (docs/PROTOCOL.md §11.8, §11.9): parse the link, fetch the
 * node's CA from its TLS chain and compare its SHA-256 with the link's fingerprint **before
 * sending anything**, then pin that CA for everything after: `POST /v1/join` (signed by the
 * newcomer's key, body `{ token, card }`) and the saved `connection.json`.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { ControlPlaneClient } from '../control-plane';
import { parseJoinLink } from '../node/invites/join-link';
import { saveConnection, type NodeConnection } from '../profile/connection';
import { encodeIdentityCard } from '../protocol';
import type { PeerIdentity } from './types';

export class JoinError extends Error {
  override readonly name = 'JoinError';
}

const CA_FETCH_TIMEOUT_MS = 10_000;

/**
 * The node's CA certificate as served in its TLS chain, accepted only when its SHA-256 (DER)
 * equals `fingerprint`. Nothing is written on the socket but the TLS handshake.
 */
export async function fetchPinnedCa(controlUrl: string, fingerprint: string): Promise<string> {
  const url = new URL(controlUrl);
  if (url.protocol !== 'https:') throw new JoinError(`refusing ${url.protocol}// address`);
  const der = await new Promise<Buffer>((resolve, reject) => {
    const socket = tlsConnect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      timeout: CA_FETCH_TIMEOUT_MS,
    });
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true);
      socket.destroy();
      const ca: PeerCertificate | undefined = leaf.issuerCertificate;
      if (!ca?.raw) reject(new JoinError('the node did not present a CA certificate'));
      else resolve(ca.raw);
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', reject);
  });
  const actual = createHash('sha256').update(der).digest('hex');
  if (actual !== fingerprint.toLowerCase()) {
    throw new JoinError(
      `the node's CA does not match the invite link (expected ${fingerprint.slice(0, 16)}…, got ${actual.slice(0, 16)}…): not joining`,
    );
  }
  return new X509Certificate(der).toString();
}

export interface JoinResult {
  readonly connection: NodeConnection;
  /** The user record the node created (`publicUser`). */
  readonly user: Record<string, unknown>;
}

export async function joinWithLink(
  link: string,
  options: { readonly profileDir: string; readonly identity: PeerIdentity },
): Promise<JoinResult> {
  let parsed;
  try {
    parsed = parseJoinLink(link);
  } catch (error) {
    throw new JoinError(error instanceof Error ? error.message : 'not a unibus join link');
  }
  let caPem: string | undefined;
  let lastError: unknown;
  for (const url of parsed.controlUrls) {
    try {
      caPem = await fetchPinnedCa(url, parsed.caFingerprint);
      break;
    } catch (error) {
      if (error instanceof JoinError) throw error;
      lastError = error;
    }
  }
  if (caPem === undefined) {
    const reason = lastError instanceof Error ? lastError.message : 'unreachable';
    throw new JoinError(`could not reach the node (${reason})`);
  }
  const { keys, record } = options.identity;
  const client = new ControlPlaneClient({
    nodeId: parsed.nodeId,
    urls: parsed.controlUrls,
    caPem,
    signSeed: keys.signSeed,
  });
  const card = encodeIdentityCard({
    handle: record.handle,
    signPublic: keys.signPublic,
    kexPublic: keys.kexPublic,
  });
  const answer = await client.post<{ user: Record<string, unknown>; node_id: string }>('/v1/join', {
    token: parsed.token,
    card,
  });
  const connection: NodeConnection = {
    v: 1,
    node_id: parsed.nodeId,
    control_urls: [...parsed.controlUrls],
    nats_urls: [...parsed.natsUrls],
    ca_fingerprint: parsed.caFingerprint,
    ca_pem: caPem,
  };
  await mkdir(options.profileDir, { recursive: true, mode: 0o700 });
  await saveConnection(options.profileDir, connection);
  return { connection, user: answer.user };
}
