/**
 * NATS JWTs (nats-io/jwt v2) as the auth callout exchanges them (docs/PROTOCOL.md §12.5):
 * the server's authorization request, our authorization response and the user JWT inside it.
 *
 *   jwt       = base64url(header) "." base64url(claims) "." base64url(Ed25519 signature)
 *   header    = {"typ":"JWT","alg":"ed25519-nkey"}
 *   signature = Ed25519 over the ASCII bytes of base64url(header) "." base64url(claims),
 *               by the key named in the claims' `iss` (an nkey, §12.5)
 *   jti       = base32(SHA-256(claims JSON without `jti`)), no padding
 *
 * base64url is RFC 4648 §5 without padding. Pure: the caller passes the clock.
 */
import {
  base32Encode,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  InvalidKeyError,
  nkeyPublic,
  publicKeyFromNkey,
  sha256,
  type NkeyRole,
} from '../crypto/index.js';
import { base64urlDecode, base64urlEncode, utf8Decode, utf8Encode } from './encoding.js';
import { isPlainObject } from './json.js';

export const NATS_JWT_HEADER = '{"typ":"JWT","alg":"ed25519-nkey"}';
const HEADER_B64 = base64urlEncode(utf8Encode(NATS_JWT_HEADER));

export class NatsJwtError extends Error {
  override readonly name = 'NatsJwtError';
}

export interface NatsPermission {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** What the callout grants one connection (the user JWT's `nats` section, §12.5). */
export interface UserGrant {
  /** The per-connection user nkey the server generated (`user_nkey` of the request). */
  readonly userNkey: string;
  /** Shown by the server as the connection's user (the uid token): CONNZ filters on it. */
  readonly name: string;
  /** Account the server places the connection in. */
  readonly account: string;
  readonly pub: NatsPermission;
  readonly sub: NatsPermission;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Signs `claims` (without `iss`/`jti`, which are added here) with an account or server seed. */
export function signNatsJwt(
  claims: Record<string, unknown>,
  seed: Uint8Array,
  role: NkeyRole,
): string {
  const body: Record<string, unknown> = {
    ...claims,
    iss: nkeyPublic(role, ed25519PublicKey(seed)),
  };
  delete body.jti;
  const jti = base32Encode(sha256(utf8Encode(JSON.stringify(body))));
  const payload = base64urlEncode(utf8Encode(JSON.stringify({ jti, ...body })));
  const signingInput = `${HEADER_B64}.${payload}`;
  return `${signingInput}.${base64urlEncode(ed25519Sign(seed, utf8Encode(signingInput)))}`;
}

/**
 * Decodes a JWT and verifies its signature by the `iss` key of the given role. Throws
 * NatsJwtError for anything else (wrong header, encoding, issuer role or signature).
 */
export function verifyNatsJwt(token: string, issuerRole: NkeyRole): Record<string, unknown> {
  if (typeof token !== 'string') throw new NatsJwtError('not a JWT');
  const parts = token.split('.');
  if (parts.length !== 3) throw new NatsJwtError('not a JWT');
  const [headerPart, payloadPart, sigPart] = parts as [string, string, string];
  const header = decodeJsonPart(headerPart);
  if (header.typ !== 'JWT' || header.alg !== 'ed25519-nkey') {
    throw new NatsJwtError('unexpected JWT header');
  }
  const claims = decodeJsonPart(payloadPart);
  if (typeof claims.iss !== 'string') throw new NatsJwtError('JWT without issuer');
  let issuerKey: Uint8Array;
  try {
    issuerKey = publicKeyFromNkey(issuerRole, claims.iss);
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new NatsJwtError(`issuer is not ${issuerRole} key`);
    throw error;
  }
  const sig = base64urlDecode(sigPart);
  if (
    sig === undefined ||
    !ed25519Verify(issuerKey, utf8Encode(`${headerPart}.${payloadPart}`), sig)
  ) {
    throw new NatsJwtError('bad JWT signature');
  }
  return claims;
}

/** The user JWT claims for one connection (nats-io/jwt v2 `UserClaims`). */
export function userJwtClaims(grant: UserGrant): Record<string, unknown> {
  return {
    iat: grant.issuedAt,
    exp: grant.expiresAt,
    name: grant.name,
    sub: grant.userNkey,
    aud: grant.account,
    nats: {
      pub: permission(grant.pub),
      sub: permission(grant.sub),
      // -1 = no limit beyond the server's own; 0 would mean "none allowed".
      subs: -1,
      data: -1,
      payload: -1,
      allowed_connection_types: ['STANDARD'],
      type: 'user',
      version: 2,
    },
  };
}

/** The authorization response: `jwt` on success, `error` on refusal (never both). */
export function authorizationResponseClaims(
  answer: { readonly userNkey: string; readonly serverId: string; readonly issuedAt: number } & (
    { readonly jwt: string } | { readonly error: string }
  ),
): Record<string, unknown> {
  return {
    iat: answer.issuedAt,
    sub: answer.userNkey,
    aud: answer.serverId,
    nats: {
      ...('jwt' in answer ? { jwt: answer.jwt } : { error: answer.error }),
      type: 'authorization_response',
      version: 2,
    },
  };
}

/** The fields of the server's authorization request the callout uses. */
export interface AuthorizationRequest {
  /** The server's nkey (`iss`, also `server_id.id`). */
  readonly serverId: string;
  /** The per-connection nkey the response must be for. */
  readonly userNkey: string;
  /** The issuer the request is addressed to (`sub`). */
  readonly issuer: string;
  readonly expiresAt: number | undefined;
  /** The client's nkey and its signature of the nonce (base64url), when it sent them. */
  readonly clientNkey: string | undefined;
  readonly signedNonce: string | undefined;
  readonly nonce: string | undefined;
  readonly clientId: number | undefined;
}

/** Verifies (server-signed) and reads an authorization request; NatsJwtError when malformed. */
export function parseAuthorizationRequest(token: string): AuthorizationRequest {
  const claims = verifyNatsJwt(token, 'server');
  const nats = claims.nats;
  if (!isPlainObject(nats) || nats.type !== 'authorization_request') {
    throw new NatsJwtError('not an authorization request');
  }
  if (claims.aud !== 'nats-authorization-request' || typeof claims.sub !== 'string') {
    throw new NatsJwtError('not an authorization request');
  }
  const server = nats.server_id;
  const clientInfo = isPlainObject(nats.client_info) ? nats.client_info : {};
  const connectOpts = isPlainObject(nats.connect_opts) ? nats.connect_opts : {};
  if (!isPlainObject(server) || server.id !== claims.iss || typeof nats.user_nkey !== 'string') {
    throw new NatsJwtError('authorization request without server or user key');
  }
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    serverId: claims.iss as string,
    userNkey: nats.user_nkey,
    issuer: claims.sub,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
    clientNkey: text(connectOpts.nkey),
    signedNonce: text(connectOpts.sig),
    nonce: text(clientInfo.nonce),
    clientId: typeof clientInfo.id === 'number' ? clientInfo.id : undefined,
  };
}

/**
 * The nkey challenge (§12.5): the client signed the server's nonce (its ASCII bytes) with the
 * key it names; nats clients send the signature base64url without padding.
 */
export function verifyNonceSignature(nkey: string, nonce: string, signature: string): boolean {
  let key: Uint8Array;
  try {
    key = publicKeyFromNkey('user', nkey);
  } catch {
    return false;
  }
  const sig = base64urlDecode(signature.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
  return sig !== undefined && ed25519Verify(key, utf8Encode(nonce), sig);
}

function permission(p: NatsPermission): Record<string, readonly string[]> {
  if (p.allow.length === 0 && !p.deny.includes('>')) {
    // nats-server reads an empty allow list as "allow everything".
    throw new NatsJwtError('an empty allow list without deny ">" would allow everything');
  }
  return {
    ...(p.allow.length > 0 ? { allow: p.allow } : {}),
    ...(p.deny.length > 0 ? { deny: p.deny } : {}),
  };
}

function decodeJsonPart(part: string): Record<string, unknown> {
  const bytes = base64urlDecode(part);
  const text = bytes === undefined ? undefined : utf8Decode(bytes);
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isPlainObject(value)) throw new NatsJwtError('JWT part is not a JSON object');
  return value;
}
