/**
 * The attacker toolkit is only as good as its reading of the spec: it must reproduce every
 * documented vector of docs/PROTOCOL.md byte for byte, from the document alone. Otherwise a
 * "refused" in the other files might mean "the toolkit sent garbage" instead of "the node
 * defended itself".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { fromSeed } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import {
  b64url,
  canonicalString,
  ed25519Public,
  ed25519Sign,
  endpointIdOf,
  frameBody,
  fromHex,
  grantSigningBytes,
  hex,
  identityCard,
  newIdentity,
  openBox,
  sealMeta,
  signFrame,
  signHeaders,
  textBody,
  utf8,
} from './toolkit';

const DOC = readFileSync(join(__dirname, '../../docs/PROTOCOL.md'), 'utf8');

/** ```vector name=… blocks: `key: value`, or `key: |` with two-space-indented lines. */
function vector(name: string): (key: string) => string {
  const block = new RegExp(`^\`\`\`vector name=${name}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(DOC);
  if (!block) throw new Error(`PROTOCOL.md has no vector ${name}`);
  const fields = new Map<string, string>();
  const lines = block[1]!.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([a-z0-9_]+): ?(.*)$/.exec(lines[i]!);
    if (!m) continue;
    let value = m[2]!;
    if (value === '|') {
      const parts: string[] = [];
      while (lines[i + 1]?.startsWith('  ')) parts.push(lines[++i]!.slice(2));
      value = parts.join('\n');
    }
    fields.set(m[1]!, /_(hex|b64url)$/.test(m[1]!) ? value.replace(/\s+/g, '') : value);
  }
  return (key) => {
    const value = fields.get(key);
    if (value === undefined) throw new Error(`vector ${name} has no ${key}`);
    return value;
  };
}

describe('toolkit reproduces the PROTOCOL.md vectors', () => {
  it('endpoint id and identity card (§2, §3)', () => {
    const e = vector('endpoint-id');
    const pub = ed25519Public(fromHex(e('sign_seed_hex')));
    expect(hex(pub)).toBe(e('sign_pub_hex'));
    expect(endpointIdOf(pub)).toBe(e('endpoint_id'));
    const c = vector('identity-card');
    const kexPub = x25519.getPublicKey(fromHex(c('kex_private_hex')));
    expect(hex(kexPub)).toBe(c('kex_pub_hex'));
    expect(identityCard(c('handle'), pub, kexPub)).toBe(c('card'));
  });

  it('signed request canonical string and headers (§4)', () => {
    const v = vector('signed-request');
    const seed = fromHex(v('sign_seed_hex'));
    const input = {
      nodeId: v('node_id'),
      method: v('method'),
      path: v('path'),
      ts: Number(v('ts')),
      nonce: Buffer.from(fromHex(v('nonce_hex'))).toString('base64'),
      body: utf8(v('body')),
    };
    expect(canonicalString(input)).toBe(v('canonical'));
    const headers = signHeaders({ signSeed: seed, signPubHex: hex(ed25519Public(seed)) }, input);
    expect(headers).toEqual({
      'X-Unibus-Pub': v('x_unibus_pub'),
      'X-Unibus-Ts': v('x_unibus_ts'),
      'X-Unibus-Nonce': v('x_unibus_nonce'),
      'X-Unibus-Sig': v('x_unibus_sig'),
      'X-Unibus-Body-Sha256': v('x_unibus_body_sha256'),
    });
  });

  it('sealed room key opens and its grant signature matches (§7)', () => {
    const v = vector('room-key');
    const sealed = fromHex(v('sealed_hex'));
    expect(hex(openBox(sealed, fromHex(v('member_kex_private_hex'))))).toBe(v('plaintext_hex'));
    const granterSeed = fromHex(v('granter_sign_seed_hex'));
    const record = JSON.parse(v('record'));
    const signing = grantSigningBytes(
      v('room_id'),
      Number(v('epoch')),
      v('member_endpoint'),
      endpointIdOf(ed25519Public(granterSeed)),
      sealed,
    );
    expect(record.granter).toBe(endpointIdOf(ed25519Public(granterSeed)));
    expect(record.sealed).toBe(b64url(sealed));
    expect(b64url(ed25519Sign(granterSeed, signing))).toBe(record.sig);
  });

  it('message frame, byte for byte (§5)', () => {
    const v = vector('frame');
    const seed = fromHex(v('sign_seed_hex'));
    const parts = frameBody({
      roomId: v('room_id'),
      epoch: Number(v('epoch')),
      sender: v('sender'),
      roomKey: fromHex(v('room_key_hex')),
      plaintext: textBody(JSON.parse(v('plaintext')).text),
      messageId: v('message_id'),
      timestamp: Number(v('timestamp')),
      nonce: fromHex(v('nonce_hex')),
    });
    expect(hex(signFrame(parts, seed))).toBe(v('frame_hex'));
  });

  it('room metadata blob (§9)', () => {
    const v = vector('room-meta');
    const blob = sealMeta(
      v('room_id'),
      Number(v('epoch')),
      fromHex(v('room_key_hex')),
      { name: v('name'), topic: v('topic') },
      fromHex(v('nonce_hex')),
    );
    expect(b64url(blob)).toBe(v('blob_b64url'));
  });

  it('B-NKEY-02: one key serves both planes: the nkey signature is the raw Ed25519 signature', () => {
    const who = newIdentity('x');
    const message = utf8('nonce from the server');
    expect(hex(fromSeed(who.nkeySeed).sign(message))).toBe(hex(ed25519Sign(who.signSeed, message)));
    expect(who.nkey).toMatch(/^U[A-Z2-7]{55}$/);
    expect(() => fromSeed(utf8('SUAGARBAGE'))).toThrow();
  });
});
