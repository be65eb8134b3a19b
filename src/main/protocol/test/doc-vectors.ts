/**
 * Test support: parses the ```vector blocks of docs/PROTOCOL.md and recomputes their outputs
 * with the real code, so the document cannot drift from the implementation.
 *
 * Block syntax (inside ```vector name=<name> … ```):
 *   key: value            one line, taken literally
 *   key: |                multi-line: the following lines indented by two spaces, joined by \n
 * Keys ending in `_hex` or `_b64url` ignore all whitespace (long values may wrap).
 */
import { ed25519PublicKey, ed25519Sign, endpointId, x25519PublicKey } from '../../crypto/index.js';
import { base64urlEncode, hexDecode, hexEncode, utf8Encode } from '../encoding.js';
import { fileManifestToJson, sealFileInMemory } from '../file-manifest.js';
import { decodeFrame } from '../frame.js';
import { frameAssociatedData, frameSigningBytes, sealFrame } from '../frame-seal.js';
import { errorBody, type HttpErrorStatus } from '../http-errors.js';
import { encodeIdentityCard } from '../identity-card.js';
import { encodeMessageBody } from '../message-body.js';
import { roomKeyGrantSigningBytes, roomKeyGrantToJson, roomKeyPlaintext } from '../room-key.js';
import { sealRoomMeta } from '../room-meta.js';
import { canonicalRequest, signRequest } from '../signed-request.js';
import { FRAME_TYPES, type FrameType } from '../frame.js';
import { base64Encode, ulidDecode } from '../encoding.js';
import { IDENTITY_VECTORS } from './identity-vectors.js';
import { NATS_VECTORS } from './nats-vectors.js';

export interface VectorBlock {
  readonly name: string;
  readonly fields: ReadonlyMap<string, string>;
}

export function normalizeField(key: string, value: string): string {
  return key.endsWith('_hex') || key.endsWith('_b64url') ? value.replace(/\s+/g, '') : value;
}

/** Extracts every ```vector block of a Markdown document. */
export function parseVectorBlocks(markdown: string): VectorBlock[] {
  const blocks: VectorBlock[] = [];
  const fence = /^```vector name=([a-z0-9-]+)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    const fields = new Map<string, string>();
    const lines = match[2]!.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const m = /^([a-z0-9_]+): ?(.*)$/.exec(lines[i]!);
      if (!m) throw new Error(`vector ${match[1]}: cannot parse line ${JSON.stringify(lines[i])}`);
      const key = m[1]!;
      let value = m[2]!;
      if (value === '|') {
        const parts: string[] = [];
        while (i + 1 < lines.length && lines[i + 1]!.startsWith('  '))
          parts.push(lines[++i]!.slice(2));
        value = parts.join('\n');
      }
      if (fields.has(key)) throw new Error(`vector ${match[1]}: duplicate key ${key}`);
      fields.set(key, normalizeField(key, value));
    }
    blocks.push({ name: match[1]!, fields });
  }
  return blocks;
}

function hex(fields: ReadonlyMap<string, string>, key: string): Uint8Array {
  const v = hexDecode(get(fields, key));
  if (!v) throw new Error(`${key} is not lowercase hex`);
  return v;
}
function get(fields: ReadonlyMap<string, string>, key: string): string {
  const v = fields.get(key);
  if (v === undefined) throw new Error(`missing input ${key}`);
  return v;
}

export interface VectorResult {
  readonly inputs: readonly string[];
  readonly outputs: Record<string, string>;
}

type Compute = (f: ReadonlyMap<string, string>) => VectorResult;

const VECTORS: Record<string, Compute> = {
  'endpoint-id': (f) => {
    const signPublic = ed25519PublicKey(hex(f, 'sign_seed_hex'));
    return {
      inputs: ['sign_seed_hex'],
      outputs: { sign_pub_hex: hexEncode(signPublic), endpoint_id: endpointId(signPublic) },
    };
  },
  'identity-card': (f) => ({
    inputs: ['sign_seed_hex', 'kex_private_hex', 'handle'],
    outputs: {
      kex_pub_hex: hexEncode(x25519PublicKey(hex(f, 'kex_private_hex'))),
      card: encodeIdentityCard({
        handle: get(f, 'handle'),
        signPublic: ed25519PublicKey(hex(f, 'sign_seed_hex')),
        kexPublic: x25519PublicKey(hex(f, 'kex_private_hex')),
      }),
    },
  }),
  'signed-request': (f) => {
    const body = utf8Encode(get(f, 'body'));
    const ts = Number(get(f, 'ts'));
    const nonce = hex(f, 'nonce_hex');
    const common = { nodeId: get(f, 'node_id'), method: get(f, 'method'), path: get(f, 'path') };
    const headers = signRequest({
      ...common,
      body,
      signSeed: hex(f, 'sign_seed_hex'),
      now: ts * 1000,
      nonce,
    });
    const canonical = canonicalRequest({ ...common, ts, nonce: base64Encode(nonce), body });
    return {
      inputs: ['sign_seed_hex', 'node_id', 'method', 'path', 'ts', 'nonce_hex', 'body'],
      outputs: {
        canonical,
        x_unibus_pub: headers['X-Unibus-Pub'],
        x_unibus_ts: headers['X-Unibus-Ts'],
        x_unibus_nonce: headers['X-Unibus-Nonce'],
        x_unibus_sig: headers['X-Unibus-Sig'],
        x_unibus_body_sha256: headers['X-Unibus-Body-Sha256'],
      },
    };
  },
  frame: (f) => {
    const type = get(f, 'type') as FrameType;
    if (!(type in FRAME_TYPES)) throw new Error('bad type');
    const plaintext = utf8Encode(get(f, 'plaintext'));
    const bytes = sealFrame(
      {
        type,
        roomId: get(f, 'room_id'),
        epoch: Number(get(f, 'epoch')),
        messageId: get(f, 'message_id'),
        timestamp: Number(get(f, 'timestamp')),
        nonce: hex(f, 'nonce_hex'),
        plaintext,
      },
      hex(f, 'room_key_hex'),
      hex(f, 'sign_seed_hex'),
    );
    const frame = decodeFrame(bytes);
    return {
      inputs: [
        'sign_seed_hex',
        'room_key_hex',
        'type',
        'room_id',
        'epoch',
        'message_id',
        'timestamp',
        'nonce_hex',
        'plaintext',
      ],
      outputs: {
        sender: frame.sender,
        room_id_hex: hexEncode(ulidDecode(frame.roomId)!),
        associated_data_hex: hexEncode(frameAssociatedData(frame)),
        signing_bytes_hex: hexEncode(frameSigningBytes(frame, frame.ciphertext)),
        frame_hex: hexEncode(bytes),
      },
    };
  },
  'room-key': (f) => {
    const roomId = get(f, 'room_id');
    const epoch = Number(get(f, 'epoch'));
    const granterSeed = hex(f, 'granter_sign_seed_hex');
    const memberKexPublic = x25519PublicKey(hex(f, 'member_kex_private_hex'));
    const unsigned = {
      roomId,
      epoch,
      endpoint: get(f, 'member_endpoint'),
      granter: endpointId(ed25519PublicKey(granterSeed)),
      sealed: hex(f, 'sealed_hex'),
    };
    const signature = ed25519Sign(granterSeed, roomKeyGrantSigningBytes(unsigned));
    return {
      inputs: [
        'room_id',
        'epoch',
        'room_key_hex',
        'granter_sign_seed_hex',
        'member_kex_private_hex',
        'member_endpoint',
        'sealed_hex',
      ],
      outputs: {
        member_kex_pub_hex: hexEncode(memberKexPublic),
        plaintext_hex: hexEncode(roomKeyPlaintext(roomId, epoch, hex(f, 'room_key_hex'))),
        record: JSON.stringify(roomKeyGrantToJson({ ...unsigned, signature })),
      },
    };
  },
  'room-meta': (f) => {
    const blob = sealRoomMeta(
      {
        roomId: get(f, 'room_id'),
        epoch: Number(get(f, 'epoch')),
        meta: { name: get(f, 'name'), topic: get(f, 'topic') },
        nonce: hex(f, 'nonce_hex'),
      },
      hex(f, 'room_key_hex'),
    );
    return {
      inputs: ['room_id', 'epoch', 'room_key_hex', 'nonce_hex', 'name', 'topic'],
      outputs: { blob_b64url: base64urlEncode(blob) },
    };
  },
  'file-manifest': (f) => {
    const { manifest, sealedChunks } = sealFileInMemory({
      name: get(f, 'name'),
      mime: get(f, 'mime'),
      data: utf8Encode(get(f, 'data')),
      chunkSize: Number(get(f, 'chunk_size')),
      fileKey: hex(f, 'file_key_hex'),
      fileId: hex(f, 'file_id_hex'),
    });
    return {
      inputs: ['file_id_hex', 'file_key_hex', 'name', 'mime', 'chunk_size', 'data'],
      outputs: {
        chunk0_sealed_hex: hexEncode(sealedChunks[0]!),
        message_body: new TextDecoder().decode(
          encodeMessageBody({ type: 'message', file: manifest }),
        ),
        manifest: JSON.stringify(fileManifestToJson(manifest)),
      },
    };
  },
  'error-body': (f) => ({
    inputs: ['status', 'message'],
    outputs: { body: errorBody(Number(get(f, 'status')) as HttpErrorStatus, get(f, 'message')) },
  }),
  ...IDENTITY_VECTORS,
  ...NATS_VECTORS,
};

export const VECTOR_NAMES = Object.keys(VECTORS);

export function computeVector(block: VectorBlock): VectorResult {
  const compute = VECTORS[block.name];
  if (!compute) throw new Error(`unknown vector ${block.name}`);
  return compute(block.fields);
}

/** Renders a computed vector as a block body (used once to write the document). */
export function renderVector(block: VectorBlock): string {
  const { inputs, outputs } = computeVector(block);
  const lines: string[] = [];
  const emit = (key: string, value: string): void => {
    if (value.includes('\n')) lines.push(`${key}: |`, ...value.split('\n').map((l) => `  ${l}`));
    else if ((key.endsWith('_hex') || key.endsWith('_b64url')) && value.length > 96) {
      lines.push(`${key}: |`, ...(value.match(/.{1,96}/g) ?? []).map((l) => `  ${l}`));
    } else lines.push(`${key}: ${value}`);
  };
  for (const k of inputs) emit(k, block.fields.get(k)!);
  for (const [k, v] of Object.entries(outputs)) emit(k, v);
  return '```vector name=' + block.name + '\n' + lines.join('\n') + '\n```';
}
