/**
 * Signed control-plane requests (docs/PROTOCOL.md §4).
 *
 * Canonical string (UTF-8, `\n` separators, no trailing newline):
 *   NODE_ID \n METHOD \n PATH \n TS \n NONCE \n hex(sha256(body))
 * Headers: X-Unibus-Pub (lowercase hex Ed25519 public key), X-Unibus-Ts (unix seconds),
 * X-Unibus-Nonce (16 random bytes, RFC 4648 §4 base64 with padding), X-Unibus-Sig (RFC 4648 §4
 * base64 of the RFC 8032 Ed25519 signature over the canonical string), X-Unibus-Body-Sha256 (the
 * canonical string's last line, declared up front).
 *
 * Because the body digest is a header, the signature is checked **before** the body is read:
 * a node spends no budget, memory or store read on a request until it is proven to come from
 * the key it names; the body is then hashed while it is read and compared with the declared
 * digest (`bodyMatchesDigest`). The allowlist and the replay cache live in the node and run
 * after a successful verification, in that order.
 */
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  endpointId,
  randomBytes,
  sha256,
} from '../crypto/index.js';
import {
  base64Decode,
  base64Encode,
  bytesEqual,
  hexDecode,
  hexEncode,
  utf8Encode,
} from './encoding.js';
import { ProtocolArgumentError } from './errors.js';
import { isCanonicalRequestPath } from './request-path.js';

export const HEADER_PUB = 'X-Unibus-Pub';
export const HEADER_TS = 'X-Unibus-Ts';
export const HEADER_NONCE = 'X-Unibus-Nonce';
export const HEADER_SIG = 'X-Unibus-Sig';
export const HEADER_BODY_SHA256 = 'X-Unibus-Body-Sha256';
export const REQUEST_CLOCK_SKEW_SECONDS = 30;
/** The node keeps nonces at least 2 × skew. */
export const REQUEST_NONCE_TTL_SECONDS = 60;
export const REQUEST_NONCE_BYTES = 16;

const NODE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const METHOD_PATTERN = /^[A-Z]{1,16}$/;
const TS_PATTERN = /^(0|[1-9][0-9]{0,11})$/;
const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

export interface CanonicalRequestInput {
  nodeId: string;
  method: string;
  path: string;
  ts: number;
  /** The X-Unibus-Nonce header value (base64 of 16 bytes). */
  nonce: string;
  body: Uint8Array;
}

export type SignedRequestHeaders = {
  'X-Unibus-Pub': string;
  'X-Unibus-Ts': string;
  'X-Unibus-Nonce': string;
  'X-Unibus-Sig': string;
  'X-Unibus-Body-Sha256': string;
};

function checkCommon(fn: string, nodeId: string, method: string, path: string): void {
  if (!NODE_ID_PATTERN.test(nodeId)) throw new ProtocolArgumentError(`${fn}: bad node id`);
  if (!METHOD_PATTERN.test(method)) throw new ProtocolArgumentError(`${fn}: bad method`);
  if (!isCanonicalRequestPath(path)) throw new ProtocolArgumentError(`${fn}: non-canonical path`);
}

/** The exact string that is signed. Throws ProtocolArgumentError on malformed input. */
export function canonicalRequest(input: CanonicalRequestInput): string {
  return canonicalWithDigest(input, bodyDigestHex(input.body));
}

/** Lowercase hex SHA-256 of a body: the canonical string's last line and X-Unibus-Body-Sha256. */
export function bodyDigestHex(body: Uint8Array): string {
  return hexEncode(sha256(body));
}

function canonicalWithDigest(input: Omit<CanonicalRequestInput, 'body'>, digest: string): string {
  checkCommon('canonicalRequest', input.nodeId, input.method, input.path);
  if (!Number.isSafeInteger(input.ts) || !TS_PATTERN.test(String(input.ts))) {
    throw new ProtocolArgumentError('canonicalRequest: ts must be non-negative unix seconds');
  }
  if (base64Decode(input.nonce)?.length !== REQUEST_NONCE_BYTES) {
    throw new ProtocolArgumentError('canonicalRequest: nonce must be base64 of 16 bytes');
  }
  return [input.nodeId, input.method, input.path, String(input.ts), input.nonce, digest].join('\n');
}

export interface SignRequestInput {
  nodeId: string;
  method: string;
  /** The exact request URI that will be sent: path plus raw query. */
  path: string;
  /** Request body; an empty array for GET. */
  body?: Uint8Array;
  signSeed: Uint8Array;
  /** Milliseconds since the epoch; default `Date.now()`. */
  now?: number;
  /** 16 bytes; default fresh random. Fix only in tests and vectors. */
  nonce?: Uint8Array;
}

export function signRequest(input: SignRequestInput): SignedRequestHeaders {
  const nonceBytes = input.nonce ?? randomBytes(REQUEST_NONCE_BYTES);
  if (nonceBytes.length !== REQUEST_NONCE_BYTES) {
    throw new ProtocolArgumentError('signRequest: nonce must be 16 bytes');
  }
  const ts = Math.floor((input.now ?? Date.now()) / 1000);
  const nonce = base64Encode(nonceBytes);
  const digest = bodyDigestHex(input.body ?? new Uint8Array(0));
  const canonical = canonicalWithDigest(
    { nodeId: input.nodeId, method: input.method, path: input.path, ts, nonce },
    digest,
  );
  const signature = ed25519Sign(input.signSeed, utf8Encode(canonical));
  return {
    'X-Unibus-Pub': hexEncode(ed25519PublicKey(input.signSeed)),
    'X-Unibus-Ts': String(ts),
    'X-Unibus-Nonce': nonce,
    'X-Unibus-Sig': base64Encode(signature),
    'X-Unibus-Body-Sha256': digest,
  };
}

/** Header bag as Node's IncomingHttpHeaders (any case) or a plain record. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export type SignedRequestErrorCode =
  | 'missing-headers'
  | 'bad-public-key'
  | 'bad-timestamp'
  | 'timestamp-out-of-range'
  | 'bad-nonce'
  | 'bad-signature-encoding'
  | 'bad-body-digest'
  | 'non-canonical-path'
  | 'bad-request-line'
  | 'invalid-signature'
  | 'body-digest-mismatch';

/** HTTP status and the `{"error": ...}` message the node sends for each failure. */
export const SIGNED_REQUEST_ERRORS: Readonly<
  Record<SignedRequestErrorCode, { status: 400 | 401; message: string }>
> = {
  'missing-headers': { status: 401, message: 'missing auth headers' },
  'bad-public-key': { status: 401, message: 'bad public key' },
  'bad-timestamp': { status: 401, message: 'bad timestamp' },
  'timestamp-out-of-range': { status: 401, message: 'timestamp out of range' },
  'bad-nonce': { status: 401, message: 'bad nonce' },
  'bad-signature-encoding': { status: 401, message: 'bad signature encoding' },
  'bad-body-digest': { status: 401, message: 'bad body digest' },
  'non-canonical-path': { status: 400, message: 'non-canonical request path' },
  'bad-request-line': { status: 400, message: 'bad request' },
  'invalid-signature': { status: 401, message: 'invalid signature' },
  'body-digest-mismatch': { status: 401, message: 'body does not match its signed digest' },
};

export interface VerifiedRequest {
  readonly ok: true;
  readonly signPublic: Uint8Array;
  /** Lowercase hex of signPublic: the allowlist key. */
  readonly signPubHex: string;
  readonly endpoint: string;
  readonly ts: number;
  /** The 16 nonce bytes: the node's replay cache key material. */
  readonly nonce: Uint8Array;
  /** The X-Unibus-Nonce header value, as signed. */
  readonly nonceText: string;
  /** The signed body digest (lowercase hex): the body read afterwards must match it. */
  readonly bodySha256: string;
}

export interface RejectedRequest {
  readonly ok: false;
  readonly error: SignedRequestErrorCode;
  readonly status: 400 | 401;
  readonly message: string;
}

export interface VerifyRequestInput {
  /** This node's (or cluster's) id: a request signed for another node fails (threat X-10). */
  nodeId: string;
  method: string;
  /** The raw request URI as received (Node: `req.url`), never a re-serialized URL. */
  path: string;
  /**
   * The body, when it is already at hand: its digest must then match the declared one. A node
   * verifies without it (before reading the body) and checks the digest while reading.
   */
  body?: Uint8Array;
  headers: HeaderBag;
  /** Milliseconds since the epoch; default `Date.now()`. */
  now?: number;
}

function reject(error: SignedRequestErrorCode): RejectedRequest {
  return { ok: false, error, ...SIGNED_REQUEST_ERRORS[error] };
}

function header(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let found: string | undefined;
  let count = 0;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== wanted || v === undefined) continue;
    if (typeof v !== 'string') return undefined; // repeated header: ambiguous, refuse
    found = v;
    count++;
  }
  return count === 1 ? found : undefined;
}

/**
 * First failure wins, in the order: headers, key, ts, skew, nonce, sig, body digest, request
 * line, verify, and (when `body` is given) the body against its digest. Pure CPU: no store, no
 * cache, nothing kept.
 */
export function verifySignedRequestHeaders(
  input: VerifyRequestInput,
): VerifiedRequest | RejectedRequest {
  const pubHex = header(input.headers, HEADER_PUB);
  const tsText = header(input.headers, HEADER_TS);
  const nonceText = header(input.headers, HEADER_NONCE);
  const sigText = header(input.headers, HEADER_SIG);
  const digest = header(input.headers, HEADER_BODY_SHA256);
  if (!pubHex || !tsText || !nonceText || !sigText || !digest) return reject('missing-headers');
  const signPublic = pubHex.length === 64 ? hexDecode(pubHex) : undefined;
  if (!signPublic) return reject('bad-public-key');
  if (!TS_PATTERN.test(tsText)) return reject('bad-timestamp');
  const ts = Number(tsText);
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - ts) > REQUEST_CLOCK_SKEW_SECONDS)
    return reject('timestamp-out-of-range');
  const nonce = base64Decode(nonceText);
  if (nonce?.length !== REQUEST_NONCE_BYTES) return reject('bad-nonce');
  const signature = base64Decode(sigText);
  if (signature?.length !== 64) return reject('bad-signature-encoding');
  if (!DIGEST_PATTERN.test(digest)) return reject('bad-body-digest');
  if (!isCanonicalRequestPath(input.path)) return reject('non-canonical-path');
  if (!NODE_ID_PATTERN.test(input.nodeId) || !METHOD_PATTERN.test(input.method)) {
    return reject('bad-request-line');
  }
  const canonical = canonicalWithDigest(
    { nodeId: input.nodeId, method: input.method, path: input.path, ts, nonce: nonceText },
    digest,
  );
  if (!ed25519Verify(signPublic, utf8Encode(canonical), signature)) {
    return reject('invalid-signature');
  }
  if (input.body !== undefined && !bodyMatchesDigest(input.body, digest)) {
    return reject('body-digest-mismatch');
  }
  return {
    ok: true,
    signPublic,
    signPubHex: pubHex,
    endpoint: endpointId(signPublic),
    ts,
    nonce,
    nonceText,
    bodySha256: digest,
  };
}

/** Whether `body` hashes to the declared digest (lowercase hex), compared in constant time. */
export function bodyMatchesDigest(body: Uint8Array, digestHex: string): boolean {
  const declared = hexDecode(digestHex);
  return declared !== undefined && bytesEqual(sha256(body), declared);
}
