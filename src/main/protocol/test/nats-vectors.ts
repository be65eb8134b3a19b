/**
 * The data-plane authorization vectors of docs/PROTOCOL.md §12.5 (nkeys, the nonce challenge,
 * the auth callout's JWTs), recomputed with the real code. Lists are comma-separated.
 */
import { ed25519PublicKey, ed25519Sign, nkeyPublic } from '../../crypto/index.js';
import { base64urlEncode, hexDecode, utf8Encode } from '../encoding.js';
import { authorizationResponseClaims, signNatsJwt, userJwtClaims } from '../nats-jwt.js';

type Fields = ReadonlyMap<string, string>;
interface Result {
  readonly inputs: readonly string[];
  readonly outputs: Record<string, string>;
}

function get(f: Fields, key: string): string {
  const v = f.get(key);
  if (v === undefined) throw new Error(`missing input ${key}`);
  return v;
}
function hex(f: Fields, key: string): Uint8Array {
  const v = hexDecode(get(f, key));
  if (!v) throw new Error(`${key} is not lowercase hex`);
  return v;
}
const list = (f: Fields, key: string) => (get(f, key) === '' ? [] : get(f, key).split(','));

export const NATS_VECTORS: Record<string, (f: Fields) => Result> = {
  'nkey-login': (f) => {
    const seed = hex(f, 'seed_hex');
    const pub = ed25519PublicKey(seed);
    return {
      inputs: ['seed_hex', 'nonce'],
      outputs: {
        user_nkey: nkeyPublic('user', pub),
        account_nkey: nkeyPublic('account', pub),
        server_nkey: nkeyPublic('server', pub),
        nonce_sig_b64url: base64urlEncode(ed25519Sign(seed, utf8Encode(get(f, 'nonce')))),
      },
    };
  },
  'nats-user-jwt': (f) => {
    const issuerSeed = hex(f, 'issuer_seed_hex');
    const claims = userJwtClaims({
      userNkey: get(f, 'user_nkey'),
      name: get(f, 'name'),
      account: get(f, 'account'),
      pub: { allow: list(f, 'pub_allow'), deny: list(f, 'pub_deny') },
      sub: { allow: list(f, 'sub_allow'), deny: list(f, 'sub_deny') },
      issuedAt: Number(get(f, 'iat')),
      expiresAt: Number(get(f, 'exp')),
    });
    return {
      inputs: [
        'issuer_seed_hex',
        'user_nkey',
        'name',
        'account',
        'iat',
        'exp',
        'pub_allow',
        'pub_deny',
        'sub_allow',
        'sub_deny',
      ],
      outputs: {
        issuer: nkeyPublic('account', ed25519PublicKey(issuerSeed)),
        jwt_b64url: signNatsJwt(claims, issuerSeed, 'account'),
      },
    };
  },
  'nats-auth-response': (f) => {
    const issuerSeed = hex(f, 'issuer_seed_hex');
    const base = {
      userNkey: get(f, 'user_nkey'),
      serverId: get(f, 'server_id'),
      issuedAt: Number(get(f, 'iat')),
    };
    return {
      inputs: ['issuer_seed_hex', 'user_nkey', 'server_id', 'iat', 'user_jwt_b64url', 'error'],
      outputs: {
        granted_b64url: signNatsJwt(
          authorizationResponseClaims({ ...base, jwt: get(f, 'user_jwt_b64url') }),
          issuerSeed,
          'account',
        ),
        refused_b64url: signNatsJwt(
          authorizationResponseClaims({ ...base, error: get(f, 'error') }),
          issuerSeed,
          'account',
        ),
      },
    };
  },
  'nats-auth-request': (f) => {
    const serverSeed = hex(f, 'server_seed_hex');
    const serverId = nkeyPublic('server', ed25519PublicKey(serverSeed));
    const claims = {
      iat: Number(get(f, 'iat')),
      exp: Number(get(f, 'exp')),
      aud: 'nats-authorization-request',
      sub: get(f, 'issuer'),
      nats: {
        server_id: { name: serverId, host: '127.0.0.1', id: serverId, version: '2.14.9' },
        user_nkey: get(f, 'user_nkey'),
        client_info: { host: '127.0.0.1', id: 7, nonce: get(f, 'nonce'), kind: 'Client' },
        connect_opts: { nkey: get(f, 'client_nkey'), sig: get(f, 'client_sig'), protocol: 1 },
        type: 'authorization_request',
        version: 2,
      },
    };
    return {
      inputs: [
        'server_seed_hex',
        'issuer',
        'user_nkey',
        'client_nkey',
        'nonce',
        'client_sig',
        'iat',
        'exp',
      ],
      outputs: { server_id: serverId, jwt_b64url: signNatsJwt(claims, serverSeed, 'server') },
    };
  },
};
