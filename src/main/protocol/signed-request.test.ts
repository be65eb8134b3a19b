import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, endpointId } from '../crypto/index.js';
import { base64Decode, base64Encode, hexEncode } from './encoding.js';
import { errorBody, errorText } from './http-errors.js';
import { ProtocolArgumentError } from './errors.js';
import {
  SIGNED_REQUEST_ERRORS,
  bodyDigestHex,
  bodyMatchesDigest,
  canonicalRequest,
  signRequest,
  verifySignedRequestHeaders,
  type SignedRequestErrorCode,
} from './signed-request.js';

const seed = new Uint8Array(32).fill(1);
const NOW = 1_767_225_600_000;
const body = new TextEncoder().encode('{"a":1}');
const base = { nodeId: 'node-a', method: 'POST', path: '/rooms?x=1', body };

function signed(overrides: Partial<Parameters<typeof signRequest>[0]> = {}) {
  return signRequest({ ...base, signSeed: seed, now: NOW, ...overrides });
}

function verify(headers: Record<string, string | string[] | undefined>, extra: object = {}) {
  return verifySignedRequestHeaders({ ...base, headers, now: NOW, ...extra });
}

function expectError(result: ReturnType<typeof verify>, code: SignedRequestErrorCode): void {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.error).toBe(code);
    expect(result.status).toBe(SIGNED_REQUEST_ERRORS[code].status);
  }
}

describe('signed requests', () => {
  it('sign → verify round-trip returns the signer', () => {
    const headers = signed();
    expect(headers['X-Unibus-Pub']).toMatch(/^[0-9a-f]{64}$/);
    expect(base64Decode(headers['X-Unibus-Nonce'])).toHaveLength(16);
    const result = verify(headers);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.signPubHex).toBe(hexEncode(ed25519PublicKey(seed)));
      expect(result.endpoint).toBe(endpointId(ed25519PublicKey(seed)));
      expect(result.ts).toBe(NOW / 1000);
    }
  });

  it('lowercased header names (Node IncomingHttpHeaders) are accepted', () => {
    const h = signed();
    const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verify(lower).ok).toBe(true);
  });

  it('a request signed for another node is refused (X-10)', () => {
    expectError(verify(signed({ nodeId: 'node-b' })), 'invalid-signature');
  });

  it('any change to method, path, query, body, ts or nonce breaks the signature', () => {
    const h = signed();
    expectError(verify(h, { method: 'PUT' }), 'invalid-signature');
    expectError(verify(h, { path: '/rooms?x=2' }), 'invalid-signature');
    expectError(verify(h, { path: '/rooms' }), 'invalid-signature');
    // The body itself is bound through its declared digest: a swapped body no longer matches
    // it, and a digest changed to match the swapped body breaks the signature.
    expectError(verify(h, { body: new Uint8Array(0) }), 'body-digest-mismatch');
    expectError(
      verify({ ...h, 'X-Unibus-Body-Sha256': bodyDigestHex(new Uint8Array(0)) }),
      'invalid-signature',
    );
    expectError(verify({ ...h, 'X-Unibus-Ts': String(NOW / 1000 + 1) }), 'invalid-signature');
    expectError(
      verify({ ...h, 'X-Unibus-Nonce': base64Encode(new Uint8Array(16).fill(9)) }),
      'invalid-signature',
    );
    const sig = base64Decode(h['X-Unibus-Sig'])!;
    sig[0]! ^= 1;
    expectError(verify({ ...h, 'X-Unibus-Sig': base64Encode(sig) }), 'invalid-signature');
  });

  it('skew is ±30 s inclusive', () => {
    const h = signed();
    expect(verify(h, { now: NOW + 30_999 }).ok).toBe(true);
    expect(verify(h, { now: NOW - 30_000 }).ok).toBe(true);
    expectError(verify(h, { now: NOW + 31_000 }), 'timestamp-out-of-range');
    expectError(verify(h, { now: NOW - 31_000 }), 'timestamp-out-of-range');
  });

  it('checks header syntax in order, first failure wins', () => {
    const h = signed();
    expectError(verify({}), 'missing-headers');
    expectError(verify({ ...h, 'X-Unibus-Sig': undefined }), 'missing-headers');
    expectError(verify({ ...h, 'x-unibus-sig': h['X-Unibus-Sig'] }), 'missing-headers');
    expectError(verify({ ...h, 'X-Unibus-Pub': ['a', 'b'] }), 'missing-headers');
    expectError(
      verify({ ...h, 'X-Unibus-Pub': h['X-Unibus-Pub'].toUpperCase() }),
      'bad-public-key',
    );
    expectError(verify({ ...h, 'X-Unibus-Pub': 'ab' }), 'bad-public-key');
    for (const ts of ['-1', '1.5', '01767225600', ' 1767225600', '1e9', '9999999999999']) {
      expectError(verify({ ...h, 'X-Unibus-Ts': ts }), 'bad-timestamp');
    }
    expectError(verify({ ...h, 'X-Unibus-Nonce': 'CgoKCgoKCgoKCgoKCgoKCg' }), 'bad-nonce');
    expectError(verify({ ...h, 'X-Unibus-Nonce': base64Encode(new Uint8Array(15)) }), 'bad-nonce');
    expectError(verify({ ...h, 'X-Unibus-Sig': 'AAAA' }), 'bad-signature-encoding');
    expectError(verify({ ...h, 'X-Unibus-Body-Sha256': undefined }), 'missing-headers');
    for (const digest of ['ab', 'AB'.repeat(32), `${'ab'.repeat(31)}zz`]) {
      expectError(verify({ ...h, 'X-Unibus-Body-Sha256': digest }), 'bad-body-digest');
    }
    expectError(verify(h, { path: '/rooms/../users' }), 'non-canonical-path');
    expectError(verify(h, { method: 'post' }), 'bad-request-line');
  });

  it('verifies before the body is read (no body given), and reports the signed digest', () => {
    const h = signed();
    const result = verifySignedRequestHeaders({ ...base, body: undefined, headers: h, now: NOW });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.bodySha256).toBe(bodyDigestHex(body));
      expect(bodyMatchesDigest(body, result.bodySha256)).toBe(true);
      expect(bodyMatchesDigest(new Uint8Array(1), result.bodySha256)).toBe(false);
    }
    expect(h['X-Unibus-Body-Sha256']).toBe(bodyDigestHex(body));
  });

  it('canonical string has six lines and hashes the empty body for GET', () => {
    const text = canonicalRequest({
      nodeId: 'n',
      method: 'GET',
      path: '/healthz',
      ts: 5,
      nonce: base64Encode(new Uint8Array(16)),
      body: new Uint8Array(0),
    });
    expect(text).toBe(
      'n\nGET\n/healthz\n5\nAAAAAAAAAAAAAAAAAAAAAA==\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('refuses to sign malformed input', () => {
    expect(() => signed({ path: '//x' })).toThrow(ProtocolArgumentError);
    expect(() => signed({ nodeId: 'a\nb' })).toThrow(ProtocolArgumentError);
    expect(() => signed({ method: 'GET\n' })).toThrow(ProtocolArgumentError);
    expect(() => signed({ nonce: new Uint8Array(8) })).toThrow(ProtocolArgumentError);
  });

  it('fresh nonces differ', () => {
    expect(signed({ nonce: undefined })['X-Unibus-Nonce']).not.toBe(
      signed({ nonce: undefined })['X-Unibus-Nonce'],
    );
  });
});

describe('error bodies', () => {
  it('formats and reads {"error": ...}', () => {
    expect(errorBody(403, 'not a member')).toBe('{"error":"not a member"}');
    expect(errorBody(500, 'sql: no rows in result set')).toBe('{"error":"internal error"}');
    expect(errorText(403, '{"error":"not a member"}')).toBe('not a member (HTTP 403)');
    expect(errorText(502, '<html>')).toBe('request failed (HTTP 502)');
    expect(errorText(400, '{"error":1}')).toBe('request failed (HTTP 400)');
  });
});
