/**
 * Joining a node with an invite link (docs/PROTOCOL.md §11.8, §11.9): parse the link, fetch the
 * node's CA from its TLS chain and compare its SHA-256 with the link's fingerprint **before
 * sending anything**, then pin that CA for everything after: `POST /v1/join` (signed by the
 * newcomer's key, body `{ token, card }`) and the saved `connection.json`.
 *
 * A link carries every address of the node (a laptop has Wi-Fi, a VPN, maybe Docker): the joiner
 * tries them in the link's order and keeps the first that answers with the pinned CA
 * (`findPinnedNode`). An address that answers with another CA is never used, but does not stop
 * the others from being tried.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { ControlPlaneClient, ControlPlaneError } from '../control-plane';
import { parseJoinLink } from '../node/invites/join-link';
import { saveConnection, type NodeConnection } from '../profile/connection';
import { encodeIdentityCard } from '../protocol';
import type { PeerIdentity } from './types';

/** Why a join failed: the UI and the CLI say different things for each. */
export type JoinFailure = 'bad-link' | 'unreachable' | 'wrong-node';

export class JoinError extends Error {
  override readonly name = 'JoinError';
  constructor(
    message: string,
    readonly reason: JoinFailure = 'bad-link',
  ) {
    super(message);
  }
}

const CA_FETCH_TIMEOUT_MS = 10_000;
/**
 * The next address is tried this long after the previous one (at once if it failed), as in
 * Happy Eyeballs (RFC 8305 §5): an address that swallows packets does not hold up the others.
 */
export const NEXT_ADDRESS_DELAY_MS = 250;

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
      if (!ca?.raw)
        reject(new JoinError('the node did not present a CA certificate', 'wrong-node'));
      else resolve(ca.raw);
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', reject);
  });
  const actual = createHash('sha256').update(der).digest('hex');
  if (actual !== fingerprint.toLowerCase()) {
    throw new JoinError(
      `the node's CA does not match the invite link (expected ${fingerprint.slice(0, 16)}…, got ${actual.slice(0, 16)}…): not joining`,
      'wrong-node',
    );
  }
  return new X509Certificate(der).toString();
}

export interface PinnedNode {
  /** The control-plane URL that answered with the pinned CA. */
  readonly url: string;
  readonly caPem: string;
}

/**
 * The first of `controlUrls` (in order, each started NEXT_ADDRESS_DELAY_MS after the previous)
 * whose TLS chain carries the CA with `fingerprint`. Throws a JoinError saying, in a sentence,
 * which addresses did not answer and which answered with another CA.
 */
export function findPinnedNode(
  controlUrls: readonly string[],
  fingerprint: string,
): Promise<PinnedNode> {
  return new Promise((resolve, reject) => {
    const failures: ('unreachable' | 'wrong-node' | undefined)[] = controlUrls.map(() => undefined);
    let started = 0;
    let settled = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const startNext = (): void => {
      clearTimeout(timer);
      if (done || started >= controlUrls.length) return;
      const index = started++;
      const url = controlUrls[index]!;
      fetchPinnedCa(url, fingerprint).then(
        (caPem) => {
          settled++;
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ url, caPem });
        },
        (error: unknown) => {
          settled++;
          failures[index] =
            error instanceof JoinError && error.reason === 'wrong-node'
              ? 'wrong-node'
              : 'unreachable';
          if (done) return;
          if (settled === controlUrls.length) {
            done = true;
            reject(noPinnedNode(controlUrls, failures));
          } else if (index === started - 1) startNext();
        },
      );
      timer = setTimeout(startNext, NEXT_ADDRESS_DELAY_MS);
    };
    if (controlUrls.length === 0) reject(new JoinError('the invite link has no address'));
    else startNext();
  });
}

/** "10.1.2.3:7443", for a sentence. */
function hostPort(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '443'}`;
}

function listed(items: readonly string[], last = 'or'): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

/** The sentence for an address list where nothing answered. */
export function unreachableSentence(urls: readonly string[]): string {
  const ports = [...new Set(urls.map((url) => new URL(url).port || '443'))];
  return (
    `The node at ${listed(urls.map(hostPort))} did not answer — is the host's app running and ` +
    `port${ports.length > 1 ? 's' : ''} ${listed(ports, 'and')} open?`
  );
}

function noPinnedNode(
  urls: readonly string[],
  failures: readonly ('unreachable' | 'wrong-node' | undefined)[],
): JoinError {
  const wrong = urls.filter((_, i) => failures[i] === 'wrong-node');
  const silent = urls.filter((_, i) => failures[i] !== 'wrong-node');
  if (wrong.length === 0) return new JoinError(unreachableSentence(urls), 'unreachable');
  const also = silent.length > 0 ? ` Nothing answered at ${listed(silent.map(hostPort))}.` : '';
  return new JoinError(
    `Something answered at ${listed(wrong.map(hostPort))}, but it is not the node this invite is ` +
      `for (its certificate does not match the link), so nothing was sent.${also} Ask the host ` +
      'for a new invite link.',
    'wrong-node',
  );
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
  const pinned = await findPinnedNode(parsed.controlUrls, parsed.caFingerprint);
  // The address that answered goes first, the others stay for another day (another network).
  const controlUrls = [pinned.url, ...parsed.controlUrls.filter((url) => url !== pinned.url)];
  const answeredHost = new URL(pinned.url).hostname;
  const natsUrls = [
    ...parsed.natsUrls.filter((url) => new URL(url).hostname === answeredHost),
    ...parsed.natsUrls.filter((url) => new URL(url).hostname !== answeredHost),
  ];
  const { keys, record } = options.identity;
  const client = new ControlPlaneClient({
    nodeId: parsed.nodeId,
    urls: controlUrls,
    caPem: pinned.caPem,
    signSeed: keys.signSeed,
  });
  const card = encodeIdentityCard({
    handle: record.handle,
    signPublic: keys.signPublic,
    kexPublic: keys.kexPublic,
  });
  let answer: { user: Record<string, unknown>; node_id: string };
  try {
    answer = await client.post('/v1/join', { token: parsed.token, card });
  } catch (error) {
    // The node answered the TLS handshake a moment ago and then went away.
    if (error instanceof ControlPlaneError && error.status === 0)
      throw new JoinError(unreachableSentence(controlUrls), 'unreachable');
    throw error;
  }
  const connection: NodeConnection = {
    v: 1,
    node_id: parsed.nodeId,
    control_urls: controlUrls,
    nats_urls: natsUrls,
    ca_fingerprint: parsed.caFingerprint,
    ca_pem: pinned.caPem,
  };
  await mkdir(options.profileDir, { recursive: true, mode: 0o700 });
  await saveConnection(options.profileDir, connection);
  return { connection, user: answer.user };
}
