/**
 * docs/PROTOCOL.md is executable: every ```vector block is recomputed here with the real code
 * (outputs must match byte for byte), then checked once more against independent
 * implementations (libsodium, node:crypto) so a shared bug in our code and our document cannot
 * hide.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoBackend, useCryptoBackend } from '../crypto/index.js';
import { base64Decode, base64urlDecode, hexDecode, hexEncode } from './encoding.js';
import { decodeFrame } from './frame.js';
import { openFrame } from './frame-seal.js';
import { parseIdentityCard } from './identity-card.js';
import { openManifestChunk } from './file-manifest.js';
import { parseMessageBody } from './message-body.js';
import { openRoomKeyGrant, parseRoomKeyGrant } from './room-key.js';
import { openRoomMeta } from './room-meta.js';
import { verifySignedRequestHeaders } from './signed-request.js';
import {
  VECTOR_NAMES,
  computeVector,
  parseVectorBlocks,
  type VectorBlock,
} from './test/doc-vectors.js';

const DOC = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
const blocks = parseVectorBlocks(DOC);
const byName = new Map(blocks.map((b) => [b.name, b.fields]));

function field(name: string, key: string): string {
  const value = byName.get(name)?.get(key);
  if (value === undefined) throw new Error(`PROTOCOL.md vector ${name} has no ${key}`);
  return value;
}
const bytes = (name: string, key: string): Uint8Array => {
  const v = hexDecode(field(name, key));
  if (!v) throw new Error(`${name}.${key} is not hex`);
  return v;
};
const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Differences between the document and the code, as readable strings. */
function drift(block: VectorBlock): string[] {
  const { inputs, outputs } = computeVector(block);
  const problems: string[] = [];
  const expectedKeys = new Set([...inputs, ...Object.keys(outputs)]);
  for (const key of block.fields.keys()) {
    if (!expectedKeys.has(key)) problems.push(`${block.name}: unexpected key ${key}`);
  }
  for (const [key, value] of Object.entries(outputs)) {
    const documented = block.fields.get(key);
    if (documented === undefined) problems.push(`${block.name}: output ${key} missing`);
    else if (documented !== value) {
      problems.push(`${block.name}.${key}: document says ${documented}, code gives ${value}`);
    }
  }
  return problems;
}

beforeAll(async () => {
  await sodium.ready;
});

describe('docs/PROTOCOL.md vectors', () => {
  it('contains every vector exactly once', () => {
    expect(blocks.map((b) => b.name).sort()).toEqual([...VECTOR_NAMES].sort());
  });

  describe.each(['native', 'noble'] as const)('on the %s crypto backend', (backend) => {
    beforeAll(() => useCryptoBackend(backend));
    afterAll(() => useCryptoBackend('auto'));

    it('the backend is in force', () => {
      expect(cryptoBackend()).toBe(backend);
    });

    it.each(blocks.map((b) => [b.name, b] as const))(
      '%s: the code reproduces the document',
      (_, block) => {
        expect(drift(block)).toEqual([]);
      },
    );
  });

  it('a one-character change in the document is detected', () => {
    const tampered = DOC.replace(
      `x_unibus_ts: ${field('signed-request', 'x_unibus_ts')}`,
      `x_unibus_ts: ${Number(field('signed-request', 'x_unibus_ts')) + 1}`,
    );
    const block = parseVectorBlocks(tampered).find((b) => b.name === 'signed-request')!;
    expect(drift(block)).toHaveLength(1);
  });
});

describe('document vectors, read back and checked independently', () => {
  it('endpoint id = base64url(SHA-256(label || 0 || sign_pub)) by node:crypto', () => {
    const signPub = Buffer.from(field('endpoint-id', 'sign_pub_hex'), 'hex');
    const digest = createHash('sha256')
      .update(Buffer.concat([Buffer.from('unibus:v1:endpoint\0'), signPub]))
      .digest('base64url');
    expect(digest).toBe(field('endpoint-id', 'endpoint_id'));
    const keyPair = sodium.crypto_sign_seed_keypair(bytes('endpoint-id', 'sign_seed_hex'));
    expect(hexEncode(keyPair.publicKey)).toBe(field('endpoint-id', 'sign_pub_hex'));
  });

  it('identity card parses to the documented endpoint id and keys', () => {
    const card = parseIdentityCard(field('identity-card', 'card'));
    expect(card.id).toBe(field('endpoint-id', 'endpoint_id'));
    expect(hexEncode(card.kexPublic)).toBe(field('identity-card', 'kex_pub_hex'));
    expect(
      hexEncode(sodium.crypto_scalarmult_base(bytes('identity-card', 'kex_private_hex'))),
    ).toBe(field('identity-card', 'kex_pub_hex'));
  });

  it('signed request: the node accepts it, libsodium verifies it, another node refuses it', () => {
    const v = (key: string): string => field('signed-request', key);
    const headers = {
      'x-unibus-pub': v('x_unibus_pub'),
      'x-unibus-ts': v('x_unibus_ts'),
      'x-unibus-nonce': v('x_unibus_nonce'),
      'x-unibus-sig': v('x_unibus_sig'),
      'x-unibus-body-sha256': v('x_unibus_body_sha256'),
    };
    const input = {
      nodeId: v('node_id'),
      method: v('method'),
      path: v('path'),
      body: new TextEncoder().encode(v('body')),
      headers,
      now: Number(v('ts')) * 1000 + 999,
    };
    expect(verifySignedRequestHeaders(input).ok).toBe(true);
    // The node verifies before it reads the body: the declared digest alone carries the signature.
    expect(verifySignedRequestHeaders({ ...input, body: undefined }).ok).toBe(true);
    expect(v('x_unibus_body_sha256')).toBe(createHash('sha256').update(v('body')).digest('hex'));
    expect(verifySignedRequestHeaders({ ...input, body: new Uint8Array(0) })).toMatchObject({
      ok: false,
      error: 'body-digest-mismatch',
    });
    expect(verifySignedRequestHeaders({ ...input, nodeId: 'node-b' })).toMatchObject({
      ok: false,
      error: 'invalid-signature',
    });
    const canonical = v('canonical');
    expect(canonical.split('\n')).toHaveLength(6);
    expect(canonical.split('\n')[5]).toBe(createHash('sha256').update(v('body')).digest('hex'));
    expect(
      sodium.crypto_sign_verify_detached(
        base64Decode(v('x_unibus_sig'))!,
        new TextEncoder().encode(canonical),
        hexDecode(v('x_unibus_pub'))!,
      ),
    ).toBe(true);
  });

  it('frame: opens to the plaintext; libsodium verifies the signature and decrypts with the AD', () => {
    const wire = bytes('frame', 'frame_hex');
    const frame = decodeFrame(wire);
    const signPublic = hexDecode(field('endpoint-id', 'sign_pub_hex'))!;
    const opened = openFrame(wire, {
      expectedRoomId: field('frame', 'room_id'),
      roomKeysByEpoch: new Map([[1, bytes('frame', 'room_key_hex')]]),
      senderSignPublic: signPublic,
    });
    expect(opened.ok && utf8(opened.plaintext)).toBe(field('frame', 'plaintext'));
    expect(opened.ok && parseMessageBody(frame.type, opened.plaintext)).toEqual({
      type: 'message',
      text: 'hello',
    });
    const signing = bytes('frame', 'signing_bytes_hex');
    expect(sodium.crypto_sign_verify_detached(frame.signature!, signing, signPublic)).toBe(true);
    expect(utf8(signing.subarray(0, 16))).toBe('unibus:v1:frame\0');
    expect(signing.subarray(16)).toEqual(wire.subarray(0, wire.length - 65));
    const ad = bytes('frame', 'associated_data_hex');
    expect(ad.subarray(19)).toEqual(wire.subarray(0, 78));
    const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      frame.ciphertext,
      ad,
      frame.nonce,
      bytes('frame', 'room_key_hex'),
    );
    expect(utf8(plain)).toBe(field('frame', 'plaintext'));
  });

  it('room key: libsodium opens the sealed box; the record opens to the key', () => {
    const r = (key: string): string => field('room-key', key);
    const kexPrivate = bytes('room-key', 'member_kex_private_hex');
    const kexPublic = bytes('room-key', 'member_kex_pub_hex');
    const opened = sodium.crypto_box_seal_open(
      bytes('room-key', 'sealed_hex'),
      kexPublic,
      kexPrivate,
    );
    expect(hexEncode(opened)).toBe(r('plaintext_hex'));
    const grant = parseRoomKeyGrant(JSON.parse(r('record')));
    const key = openRoomKeyGrant(
      grant,
      { roomId: r('room_id'), epoch: Number(r('epoch')) },
      { kexPublic, kexPrivate },
      hexDecode(field('endpoint-id', 'sign_pub_hex'))!,
    );
    expect(hexEncode(key)).toBe(r('room_key_hex'));
  });

  it('room metadata opens to the documented name and topic (libsodium too)', () => {
    const m = (key: string): string => field('room-meta', key);
    const blob = base64urlDecode(m('blob_b64url'))!;
    const key = bytes('room-meta', 'room_key_hex');
    expect(openRoomMeta(blob, m('room_id'), new Map([[1, key]]))).toEqual({
      name: m('name'),
      topic: m('topic'),
      epoch: 1,
    });
    const ad = new Uint8Array([
      ...new TextEncoder().encode('unibus:v1:meta\0'),
      ...hexDecode(field('frame', 'room_id_hex'))!,
      ...blob.subarray(0, 5),
    ]);
    const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      blob.subarray(29),
      ad,
      blob.subarray(5, 29),
      key,
    );
    expect(JSON.parse(utf8(plain))).toEqual({ name: m('name'), topic: m('topic') });
  });

  it('file chunk: node:crypto AES-256-GCM opens it with the documented nonce and AAD', () => {
    const f = (key: string): string => field('file-manifest', key);
    const sealed = bytes('file-manifest', 'chunk0_sealed_hex');
    const fileId = bytes('file-manifest', 'file_id_hex');
    const nonce = new Uint8Array(12); // 00000000 || uint64be(0)
    const aad = Buffer.concat([
      Buffer.from('unibus:v1:chunk\0'),
      fileId,
      Buffer.alloc(8), // uint64be(0)
      Buffer.from([1]), // last
    ]);
    const decipher = createDecipheriv('aes-256-gcm', bytes('file-manifest', 'file_key_hex'), nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - 16)),
      decipher.final(),
    ]);
    expect(plain.toString('utf8')).toBe(f('data'));
    const body = parseMessageBody('message', new TextEncoder().encode(f('message_body')));
    if (!('file' in body)) throw new Error('expected a file body');
    expect(body.file.chunks[0]).toBe(createHash('sha256').update(sealed).digest('hex'));
    expect(body.file.digest).toBe(createHash('sha256').update(f('data')).digest('hex'));
    expect(utf8(openManifestChunk(body.file, 0, sealed))).toBe(f('data'));
  });
});
