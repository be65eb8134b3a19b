/**
 * Invite tokens (seeds 002/003, threat catalog §3).
 *
 *   token = "ubi1." base64url(payload JSON) "." base64url(Ed25519 signature)
 *   signed bytes = "unibus:v1:invite" || 0x00 || payload bytes
 *
 * The payload names its signing key (`kid`); verification looks that one key up and never tries
 * every key (P-18); the algorithm is fixed to Ed25519 (P-19); asymmetric, so a verifier needs no
 * signing key. The token also carries 16 random secret bytes and the node stores only a hash of
 * the whole token, so a stolen store cannot mint redeemable tokens and listing never shows one.
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify, randomBytes, sha256 } from '../../crypto';
import { base64urlDecode, base64urlEncode, hexEncode, parseJsonBytes } from '../../protocol';

export const INVITE_TOKEN_PREFIX = 'ubi1';
const SIGNING_DOMAIN = new TextEncoder().encode('unibus:v1:invite\u0000');
const MAX_TOKEN_LENGTH = 1024;
const KID = /^[A-Za-z0-9_-]{1,32}$/;
const INVITE_ID = /^[A-Za-z0-9_-]{22}$/;

export type InviteRole = 'member' | 'admin';

export interface InvitePayload {
  readonly v: 1;
  readonly kid: string;
  /** Public, random id: what listing and revocation use. Never part of the secret. */
  readonly id: string;
  readonly node: string;
  readonly role: InviteRole;
  /** Expiry, unix seconds. */
  readonly exp: number;
  /** 16 random bytes, base64url: makes the token unguessable even from its public id. */
  readonly s: string;
}

export class InviteTokenError extends Error {
  override readonly name = 'InviteTokenError';
}

export interface SigningKey {
  readonly kid: string;
  readonly seed: Uint8Array;
}

export function mintInviteToken(
  key: SigningKey,
  fields: { nodeId: string; role: InviteRole; expiresAt: number },
): { token: string; payload: InvitePayload } {
  if (!KID.test(key.kid)) throw new InviteTokenError('mintInviteToken: bad key id');
  const payload: InvitePayload = {
    v: 1,
    kid: key.kid,
    id: base64urlEncode(randomBytes(16)),
    node: fields.nodeId,
    role: fields.role,
    exp: fields.expiresAt,
    s: base64urlEncode(randomBytes(16)),
  };
  const payloadBytes = new TextEncoder().encode(JSON.stringify(payload));
  const signature = ed25519Sign(key.seed, signingBytes(payloadBytes));
  const token = `${INVITE_TOKEN_PREFIX}.${base64urlEncode(payloadBytes)}.${base64urlEncode(signature)}`;
  return { token, payload };
}

/**
 * Checks form, key id, signature, node and expiry. Whether the invite still exists, has uses
 * left or was revoked is the store's question, asked afterwards.
 */
export function verifyInviteToken(
  token: unknown,
  options: {
    nodeId: string;
    publicKeyFor: (kid: string) => Uint8Array | undefined;
    /** Whether the key's grace period after a rotation is over (checked after the signature). */
    isRetired?: (kid: string) => boolean;
    nowSeconds: number;
  },
): InvitePayload {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    throw new InviteTokenError('malformed invite');
  }
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== INVITE_TOKEN_PREFIX) {
    throw new InviteTokenError('malformed invite');
  }
  const payloadBytes = base64urlDecode(parts[1]!);
  const signature = base64urlDecode(parts[2]!);
  if (payloadBytes === undefined || signature?.length !== 64) {
    throw new InviteTokenError('malformed invite');
  }
  const payload = parsePayload(payloadBytes);
  const publicKey = options.publicKeyFor(payload.kid);
  if (publicKey === undefined) throw new InviteTokenError('unknown invite key');
  if (!ed25519Verify(publicKey, signingBytes(payloadBytes), signature)) {
    throw new InviteTokenError('invalid invite signature');
  }
  if (options.isRetired?.(payload.kid) === true) {
    throw new InviteTokenError('invite signed by a retired key');
  }
  if (payload.node !== options.nodeId) throw new InviteTokenError('invite is for another node');
  if (payload.exp <= options.nowSeconds) throw new InviteTokenError('invite expired');
  return payload;
}

/** What the store keeps instead of the token. */
export function inviteTokenHash(token: string): string {
  return hexEncode(sha256(new TextEncoder().encode(token)));
}

export function signingPublicKey(key: SigningKey): Uint8Array {
  return ed25519PublicKey(key.seed);
}

function signingBytes(payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(SIGNING_DOMAIN.length + payload.length);
  bytes.set(SIGNING_DOMAIN);
  bytes.set(payload, SIGNING_DOMAIN.length);
  return bytes;
}

function parsePayload(bytes: Uint8Array): InvitePayload {
  // Strict: no byte order mark, no repeated key (a token means exactly one thing).
  const parsed = parseJsonBytes(bytes);
  if (!parsed.ok) throw new InviteTokenError('malformed invite');
  const value = parsed.value;
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.keys(value).sort().join(',') !== 'exp,id,kid,node,role,s,v'
  ) {
    throw new InviteTokenError('malformed invite');
  }
  const p = value as Record<string, unknown>;
  if (
    p.v !== 1 ||
    typeof p.kid !== 'string' ||
    !KID.test(p.kid) ||
    typeof p.id !== 'string' ||
    !INVITE_ID.test(p.id) ||
    typeof p.node !== 'string' ||
    (p.role !== 'member' && p.role !== 'admin') ||
    !Number.isSafeInteger(p.exp) ||
    typeof p.s !== 'string' ||
    base64urlDecode(p.s)?.length !== 16
  ) {
    throw new InviteTokenError('malformed invite');
  }
  return p as unknown as InvitePayload;
}
