/**
 * The invite link a newcomer opens: `unibus://join?...`. It carries every address of the node
 * and the CA fingerprint, so the joiner can pin the CA before sending anything (the token
 * travels only over that pinned TLS).
 */
import { InviteTokenError } from './token';

export interface JoinLink {
  readonly nodeId: string;
  /** Lowercase hex SHA-256 of the CA certificate (DER). */
  readonly caFingerprint: string;
  /** Control-plane base URLs, https only. */
  readonly controlUrls: readonly string[];
  /** NATS URLs, tls only. */
  readonly natsUrls: readonly string[];
  readonly token: string;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

export function formatJoinLink(link: JoinLink): string {
  const params = new URLSearchParams();
  params.set('v', '1');
  params.set('node', link.nodeId);
  params.set('ca', link.caFingerprint);
  for (const url of link.controlUrls) params.append('cp', url);
  for (const url of link.natsUrls) params.append('nats', url);
  params.set('t', link.token);
  return `unibus://join?${params.toString()}`;
}

export function parseJoinLink(text: string): JoinLink {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new InviteTokenError('not a unibus join link');
  }
  if (url.protocol !== 'unibus:' || (url.hostname !== 'join' && url.pathname !== '//join')) {
    throw new InviteTokenError('not a unibus join link');
  }
  const params = url.searchParams;
  const nodeId = params.get('node') ?? '';
  const caFingerprint = (params.get('ca') ?? '').toLowerCase();
  const controlUrls = params.getAll('cp');
  const natsUrls = params.getAll('nats');
  const token = params.get('t') ?? '';
  if (params.get('v') !== '1') throw new InviteTokenError('unsupported join link version');
  if (nodeId === '' || token === '') throw new InviteTokenError('join link is incomplete');
  if (!FINGERPRINT.test(caFingerprint))
    throw new InviteTokenError('join link has no valid CA fingerprint');
  if (controlUrls.length === 0 || !controlUrls.every((u) => hasProtocol(u, 'https:'))) {
    throw new InviteTokenError('join link needs https control-plane addresses');
  }
  if (natsUrls.length === 0 || !natsUrls.every((u) => hasProtocol(u, 'tls:'))) {
    throw new InviteTokenError('join link needs tls NATS addresses');
  }
  return { nodeId, caFingerprint, controlUrls, natsUrls, token };
}

function hasProtocol(text: string, protocol: string): boolean {
  try {
    return new URL(text).protocol === protocol;
  } catch {
    return false;
  }
}
