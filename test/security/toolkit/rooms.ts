/**
 * What an attacker needs to create rooms and grant keys, built from docs/PROTOCOL.md:
 * ULIDs (§1), libsodium-compatible sealed boxes and signed room-key grants (§7), encrypted room
 * metadata (§9) and the POST /v1/rooms body (§11.6).
 */
import { randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { hsalsa, xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { b64url, concat, fromB64url, label, u32, utf8 } from './bytes';
import { ed25519Sign, type Identity } from './identity';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 48-bit unix ms || 80 random bits, 26 Crockford base32 characters. */
export function newUlid(ms = Date.now()): string {
  let value = BigInt(ms) << 80n;
  value |= BigInt(`0x${randomBytes(10).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = CROCKFORD[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

export function ulidBytes(ulid: string): Uint8Array {
  let value = 0n;
  for (const char of ulid) value = (value << 5n) | BigInt(CROCKFORD.indexOf(char));
  return new Uint8Array(Buffer.from(value.toString(16).padStart(32, '0'), 'hex'));
}

// "expand 32-byte k" as little-endian words: HSalsa20's constant.
const SIGMA = new Uint32Array(new Uint8Array(utf8('expand 32-byte k')).buffer);
const words = (bytes: Uint8Array) => new Uint32Array(new Uint8Array(bytes).buffer);

/** crypto_box_beforenm: HSalsa20(key = X25519 shared secret, input = 16 zero bytes). */
function boxKey(shared: Uint8Array): Uint8Array {
  const out = new Uint32Array(8);
  hsalsa(SIGMA, words(shared), new Uint32Array(4), out);
  return new Uint8Array(out.buffer);
}

/** libsodium crypto_box_seal: epk || XSalsa20-Poly1305(tag || ct), nonce = BLAKE2b-192(epk || pk). */
export function sealBox(message: Uint8Array, recipientPub: Uint8Array): Uint8Array {
  const ephemeralPrivate = new Uint8Array(randomBytes(32));
  const ephemeralPub = x25519.getPublicKey(ephemeralPrivate);
  const nonce = blake2b(concat(ephemeralPub, recipientPub), { dkLen: 24 });
  const key = boxKey(x25519.getSharedSecret(ephemeralPrivate, recipientPub));
  return concat(ephemeralPub, xsalsa20poly1305(key, nonce).encrypt(message));
}

export function openBox(sealed: Uint8Array, recipientPrivate: Uint8Array): Uint8Array {
  const ephemeralPub = sealed.slice(0, 32);
  const recipientPub = x25519.getPublicKey(recipientPrivate);
  const nonce = blake2b(concat(ephemeralPub, recipientPub), { dkLen: 24 });
  const key = boxKey(x25519.getSharedSecret(recipientPrivate, ephemeralPub));
  return xsalsa20poly1305(key, nonce).decrypt(sealed.slice(32));
}

export interface GrantRecord {
  readonly room_id: string;
  readonly epoch: number;
  readonly endpoint: string;
  readonly granter: string;
  readonly sealed: string;
  readonly sig: string;
}

type Member = Pick<Identity, 'endpoint' | 'kexPub'>;
type Granter = Pick<Identity, 'endpoint' | 'signSeed'>;

/** §7 grant signature input, over an already sealed box. */
export function grantSigningBytes(
  roomId: string,
  epoch: number,
  member: string,
  granter: string,
  sealed: Uint8Array,
): Uint8Array {
  return concat(
    label('unibus:v1:roomkey-grant'),
    ulidBytes(roomId),
    u32(epoch),
    fromB64url(member),
    fromB64url(granter),
    sealed,
  );
}

/** A room key sealed to `member` and signed by `granter`, as the node stores it (§7 record). */
export function grant(
  granter: Granter,
  roomId: string,
  epoch: number,
  roomKey: Uint8Array,
  member: Member,
): GrantRecord {
  const plaintext = concat(label('unibus:v1:roomkey'), ulidBytes(roomId), u32(epoch), roomKey);
  const sealed = sealBox(plaintext, member.kexPub);
  const sig = ed25519Sign(
    granter.signSeed,
    grantSigningBytes(roomId, epoch, member.endpoint, granter.endpoint, sealed),
  );
  return {
    room_id: roomId,
    epoch,
    endpoint: member.endpoint,
    granter: granter.endpoint,
    sealed: b64url(sealed),
    sig: b64url(sig),
  };
}

/** §9: 0x01 || uint32(epoch) || nonce || XChaCha20-Poly1305 under the room key. */
export function sealMeta(
  roomId: string,
  epoch: number,
  roomKey: Uint8Array,
  meta: { name: string; topic: string },
  nonce: Uint8Array = new Uint8Array(randomBytes(24)),
): Uint8Array {
  const header = concat(new Uint8Array([1]), u32(epoch));
  const ad = concat(label('unibus:v1:meta'), ulidBytes(roomId), header);
  const sealed = xchacha20poly1305(roomKey, nonce, ad).encrypt(utf8(JSON.stringify(meta)));
  return concat(header, nonce, sealed);
}

export interface NewRoom {
  readonly roomId: string;
  readonly roomKey: Uint8Array;
  readonly body: {
    room_id: string;
    policy: { persist: boolean; history: 'all' | 'since-join' };
    meta: string;
    owner_key: GrantRecord;
  };
}

/** A fresh room and the POST /v1/rooms body that creates it with `owner` (§11.6). */
export function newRoom(
  owner: Granter & Member,
  options: { persist?: boolean; history?: 'all' | 'since-join'; name?: string } = {},
): NewRoom {
  const roomId = newUlid();
  const roomKey = new Uint8Array(randomBytes(32));
  return {
    roomId,
    roomKey,
    body: {
      room_id: roomId,
      policy: { persist: options.persist ?? true, history: options.history ?? 'all' },
      meta: b64url(sealMeta(roomId, 1, roomKey, { name: options.name ?? 'room', topic: '' })),
      owner_key: grant(owner, roomId, 1, roomKey, owner),
    },
  };
}
