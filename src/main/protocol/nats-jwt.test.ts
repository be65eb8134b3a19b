/**
 * The auth callout's JWT code (nats-jwt.ts). The formats are also checked end to end by the
 * real nats-server, which accepts the user JWTs we sign (callout.integration.test.ts).
 */
import { fromPublic } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, ed25519Sign, nkeyPublic } from '../crypto/index.js';
import { base64Encode, base64urlEncode, utf8Encode } from './encoding.js';
import {
  NatsJwtError,
  authorizationResponseClaims,
  parseAuthorizationRequest,
  signNatsJwt,
  userJwtClaims,
  verifyNatsJwt,
  verifyNonceSignature,
} from './nats-jwt.js';

const seed = (b: number) => new Uint8Array(32).fill(b);
const issuerSeed = seed(3);
const serverSeed = seed(5);
const serverId = nkeyPublic('server', ed25519PublicKey(serverSeed));
const userNkey = nkeyPublic('user', ed25519PublicKey(seed(4)));
const grant = {
  userNkey,
  name: 'uid',
  account: 'MEMBERS',
  pub: { allow: ['unibus.room.R.>'], deny: ['$JS.>'] },
  sub: { allow: ['_INBOX_uid.>'], deny: [] },
  issuedAt: 1767225600,
  expiresAt: 1767227400,
};

function request(overrides: Record<string, unknown> = {}, signer = serverSeed) {
  const id = nkeyPublic('server', ed25519PublicKey(signer));
  return signNatsJwt(
    {
      aud: 'nats-authorization-request',
      sub: 'AISSUER',
      exp: 1767225602,
      nats: {
        server_id: { id },
        user_nkey: userNkey,
        client_info: { id: 9, nonce: 'nonce-1' },
        connect_opts: { nkey: nkeyPublic('user', ed25519PublicKey(seed(1))), sig: 'c2ln' },
        type: 'authorization_request',
        version: 2,
      },
      ...overrides,
    },
    signer,
    'server',
  );
}

describe('NATS JWTs', () => {
  it('sign and verify: the issuer key signs header.claims, any other key or byte fails', () => {
    const token = signNatsJwt(userJwtClaims(grant), issuerSeed, 'account');
    const claims = verifyNatsJwt(token, 'account');
    expect(claims).toMatchObject({
      sub: userNkey,
      aud: 'MEMBERS',
      name: 'uid',
      iat: grant.issuedAt,
    });
    expect(claims.iss).toBe(nkeyPublic('account', ed25519PublicKey(issuerSeed)));
    expect(claims.jti).toMatch(/^[A-Z2-7]{52}$/);
    // The signature is plain Ed25519 over the first two parts: @nats-io/nkeys agrees.
    const [h, p, sig] = token.split('.') as [string, string, string];
    const raw = Buffer.from(sig, 'base64url');
    expect(fromPublic(claims.iss as string).verify(utf8Encode(`${h}.${p}`), raw)).toBe(true);
    expect(() => verifyNatsJwt(token, 'server')).toThrow(NatsJwtError);
    const flipped = `${h}.${p.slice(0, -2)}${p.at(-2) === 'A' ? 'B' : 'A'}${p.at(-1)}.${sig}`;
    expect(() => verifyNatsJwt(flipped, 'account')).toThrow(NatsJwtError);
    expect(() => verifyNatsJwt(`${h}.${p}`, 'account')).toThrow(/not a JWT/);
    expect(() => verifyNatsJwt('x.y.z', 'account')).toThrow(NatsJwtError);
  });

  it('a user JWT never has an empty allow list without deny ">"', () => {
    const open = { ...grant, pub: { allow: [], deny: ['$JS.>'] } };
    expect(() => userJwtClaims(open)).toThrow(/allow everything/);
    const closed = userJwtClaims({ ...grant, pub: { allow: [], deny: ['>'] } });
    expect((closed.nats as { pub: unknown }).pub).toEqual({ deny: ['>'] });
  });

  it('the response carries either the JWT or the error', () => {
    const base = { userNkey, serverId, issuedAt: 1 };
    expect(authorizationResponseClaims({ ...base, jwt: 'j' }).nats).toEqual({
      jwt: 'j',
      type: 'authorization_response',
      version: 2,
    });
    expect(authorizationResponseClaims({ ...base, error: 'no' }).nats).toEqual({
      error: 'no',
      type: 'authorization_response',
      version: 2,
    });
  });

  it('parses a server-signed request; refuses other signers, types and audiences', () => {
    const parsed = parseAuthorizationRequest(request());
    expect(parsed).toMatchObject({ serverId, userNkey, nonce: 'nonce-1', clientId: 9 });
    expect(() =>
      parseAuthorizationRequest(signNatsJwt({ nats: {} }, issuerSeed, 'account')),
    ).toThrow(NatsJwtError);
    expect(() => parseAuthorizationRequest(request({ aud: 'other' }))).toThrow(NatsJwtError);
    // server_id must be the signer
    const forged = request(
      { nats: { server_id: { id: serverId }, user_nkey: userNkey, type: 'authorization_request' } },
      seed(6),
    );
    expect(() => parseAuthorizationRequest(forged)).toThrow(/server/);
  });

  it('nonce signatures: base64url (nats.js) and padded base64 both verify; others do not', () => {
    const client = seed(1);
    const nkey = nkeyPublic('user', ed25519PublicKey(client));
    const sig = ed25519Sign(client, utf8Encode('n0nce'));
    expect(verifyNonceSignature(nkey, 'n0nce', base64urlEncode(sig))).toBe(true);
    expect(verifyNonceSignature(nkey, 'n0nce', base64Encode(sig))).toBe(true);
    expect(verifyNonceSignature(nkey, 'other', base64urlEncode(sig))).toBe(false);
    expect(verifyNonceSignature(serverId, 'n0nce', base64urlEncode(sig))).toBe(false);
    expect(verifyNonceSignature(nkey, 'n0nce', '***')).toBe(false);
  });
});
