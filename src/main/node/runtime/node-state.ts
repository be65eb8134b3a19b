/**
 * The node's data directory: identity, TLS material, internal NATS identities, the JetStream
 * at-rest key and the invite signing keys. Secrets are files created 0600 by the atomic writer
 * (never argv, never the nats-server config). `node.json` is written last, so an interrupted
 * first start leaves no half-made node behind: the next start simply makes everything anew.
 *
 *   <data>/node.json                  { v, node_id, created_at, store_initialized }
 *   <data>/tls/{ca,server}.{crt,key}  EC P-256 (keys 0600)
 *   <data>/secrets/internal.json      nkey seeds of the NODE and BUS identities, subject key (0600)
 *   <data>/secrets/jetstream.key      at-rest key, hex (0600)
 *   <data>/secrets/invite-keys.json   invite signing keys with rotation (0600): { primary, keys:
 *                                     [{ kid, seed, retires_at? }] }
 *   <data>/replay/                    journal of recently seen request nonces (replay-journal.ts)
 *   <data>/node.lock                  { pid, nats_pid } of the node running from here (node-lock.ts)
 *   <data>/nats/                      nats-server config, ports file and JetStream store
 *   <data>/blobs/                     content-addressed ciphertext chunks
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from '../../crypto';
import { base64urlDecode, base64urlEncode, hexEncode } from '../../protocol';
import { writeFileAtomic, writeSecretFileAtomic } from '../../base/atomic-file';
import { InviteKeyRing } from '../invites';
import {
  certificateFingerprint,
  generateNodeTlsMaterial,
  type NodeTlsMaterial,
} from '../tls/certificates';

export interface NodeState {
  readonly dataDir: string;
  readonly nodeId: string;
  readonly createdAt: number;
  readonly storeInitialized: boolean;
  readonly tls: NodeTlsMaterial;
  readonly internal: { readonly nodeSeed: Uint8Array; readonly busSeed: Uint8Array };
  /** Key of the opaque data-plane names (see data-plane-names.ts). */
  readonly subjectKey: Uint8Array;
  /** 32 random bytes, hex, handed to nats-server through its environment. */
  readonly atRestKey: string;
  readonly inviteKeys: InviteKeyRing;
}

export class NodeStateError extends Error {
  override readonly name = 'NodeStateError';
}

const paths = (dataDir: string) => ({
  nodeJson: join(dataDir, 'node.json'),
  tlsDir: join(dataDir, 'tls'),
  secretsDir: join(dataDir, 'secrets'),
  internal: join(dataDir, 'secrets', 'internal.json'),
  atRestKey: join(dataDir, 'secrets', 'jetstream.key'),
  inviteKeys: join(dataDir, 'secrets', 'invite-keys.json'),
  natsDir: join(dataDir, 'nats'),
  blobsDir: join(dataDir, 'blobs'),
});

export function nodePaths(dataDir: string): ReturnType<typeof paths> {
  return paths(dataDir);
}

/** Loads the node's state, creating it on the very first start. Never regenerates on a parse error. */
export async function loadOrCreateNodeState(
  dataDir: string,
  options: { readonly subjectAltNames: readonly string[] },
): Promise<NodeState> {
  const p = paths(dataDir);
  const existing = await readOptional(p.nodeJson);
  if (existing === null) return createNodeState(dataDir, options);
  const meta = parseJson(existing, 'node.json') as Record<string, unknown>;
  if (meta.v !== 1 || typeof meta.node_id !== 'string' || !Number.isSafeInteger(meta.created_at)) {
    throw new NodeStateError('node.json is damaged; restore it from a backup');
  }
  const internal = parseJson(await readRequired(p.internal), 'internal.json') as Record<
    string,
    unknown
  >;
  const nodeSeed = typeof internal.node === 'string' ? base64urlDecode(internal.node) : undefined;
  const busSeed = typeof internal.bus === 'string' ? base64urlDecode(internal.bus) : undefined;
  const subjectKey =
    typeof internal.subjects === 'string' ? base64urlDecode(internal.subjects) : undefined;
  if (nodeSeed?.length !== 32 || busSeed?.length !== 32 || subjectKey?.length !== 32) {
    throw new NodeStateError('secrets/internal.json is damaged');
  }
  const atRestKey = (await readRequired(p.atRestKey)).trim();
  if (!/^[0-9a-f]{64}$/.test(atRestKey))
    throw new NodeStateError('secrets/jetstream.key is damaged');
  return {
    dataDir,
    nodeId: meta.node_id,
    createdAt: meta.created_at as number,
    storeInitialized: meta.store_initialized === true,
    tls: {
      ca: {
        certificatePem: await readRequired(join(p.tlsDir, 'ca.crt')),
        privateKeyPem: await readRequired(join(p.tlsDir, 'ca.key')),
      },
      server: {
        certificatePem: await readRequired(join(p.tlsDir, 'server.crt')),
        privateKeyPem: await readRequired(join(p.tlsDir, 'server.key')),
      },
      caFingerprint: certificateFingerprint(await readRequired(join(p.tlsDir, 'ca.crt'))),
    },
    internal: { nodeSeed, busSeed },
    subjectKey,
    atRestKey,
    inviteKeys: parseInviteKeys(await readRequired(p.inviteKeys)),
  };
}

/** Records that the store buckets exist, so a later start can tell a wrong at-rest key. */
export async function markStoreInitialized(state: NodeState): Promise<NodeState> {
  await writeFileAtomic(
    paths(state.dataDir).nodeJson,
    nodeJson(state.nodeId, state.createdAt, true),
  );
  return { ...state, storeInitialized: true };
}

async function createNodeState(
  dataDir: string,
  options: { readonly subjectAltNames: readonly string[] },
): Promise<NodeState> {
  const p = paths(dataDir);
  for (const dir of [dataDir, p.tlsDir, p.secretsDir, p.natsDir, p.blobsDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  const nodeId = `N${base64urlEncode(randomBytes(12))}`;
  const createdAt = Date.now();
  const tls = await generateNodeTlsMaterial({
    subjectAltNames: options.subjectAltNames,
    commonName: 'unibus',
  });
  const internal = { nodeSeed: randomBytes(32), busSeed: randomBytes(32) };
  const subjectKey = randomBytes(32);
  const atRestKey = hexEncode(randomBytes(32));
  const inviteKeys = InviteKeyRing.generate();

  await writeFileAtomic(join(p.tlsDir, 'ca.crt'), tls.ca.certificatePem);
  await writeSecretFileAtomic(join(p.tlsDir, 'ca.key'), tls.ca.privateKeyPem);
  await writeFileAtomic(join(p.tlsDir, 'server.crt'), tls.server.certificatePem);
  await writeSecretFileAtomic(join(p.tlsDir, 'server.key'), tls.server.privateKeyPem);
  await writeSecretFileAtomic(
    p.internal,
    JSON.stringify({
      node: base64urlEncode(internal.nodeSeed),
      bus: base64urlEncode(internal.busSeed),
      subjects: base64urlEncode(subjectKey),
    }),
  );
  await writeSecretFileAtomic(p.atRestKey, `${atRestKey}\n`);
  await writeSecretFileAtomic(p.inviteKeys, serializeInviteKeys(inviteKeys));
  await writeFileAtomic(p.nodeJson, nodeJson(nodeId, createdAt, false));
  return {
    dataDir,
    nodeId,
    createdAt,
    storeInitialized: false,
    tls,
    internal,
    subjectKey,
    atRestKey,
    inviteKeys,
  };
}

function nodeJson(nodeId: string, createdAt: number, storeInitialized: boolean): string {
  return `${JSON.stringify({ v: 1, node_id: nodeId, created_at: createdAt, store_initialized: storeInitialized }, null, 2)}\n`;
}

/** Replaces the invite key ring on disk (atomic, 0600): a rotation is durable before it is used. */
export async function saveInviteKeys(dataDir: string, ring: InviteKeyRing): Promise<void> {
  await writeSecretFileAtomic(paths(dataDir).inviteKeys, serializeInviteKeys(ring));
}

function serializeInviteKeys(ring: InviteKeyRing): string {
  return JSON.stringify({
    primary: ring.primaryKid,
    keys: ring.allKeys.map((key) => ({
      kid: key.kid,
      seed: base64urlEncode(key.seed),
      ...(key.retiresAt === undefined ? {} : { retires_at: key.retiresAt }),
    })),
  });
}

function parseInviteKeys(text: string): InviteKeyRing {
  const value = parseJson(text, 'invite-keys.json') as { primary?: unknown; keys?: unknown };
  if (typeof value.primary !== 'string' || !Array.isArray(value.keys)) {
    throw new NodeStateError('secrets/invite-keys.json is damaged');
  }
  const keys = value.keys.map((key: { kid?: unknown; seed?: unknown; retires_at?: unknown }) => {
    const seed = typeof key.seed === 'string' ? base64urlDecode(key.seed) : undefined;
    const retiresAt = key.retires_at;
    if (
      typeof key.kid !== 'string' ||
      seed?.length !== 32 ||
      (retiresAt !== undefined && !Number.isSafeInteger(retiresAt))
    ) {
      throw new NodeStateError('secrets/invite-keys.json is damaged');
    }
    return {
      kid: key.kid,
      seed,
      ...(retiresAt === undefined ? {} : { retiresAt: retiresAt as number }),
    };
  });
  return new InviteKeyRing(keys, value.primary);
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new NodeStateError(`${name} is not valid JSON; the node will not recreate it`);
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function readRequired(path: string): Promise<string> {
  const text = await readOptional(path);
  if (text === null) throw new NodeStateError(`${path} is missing; the node will not recreate it`);
  return text;
}
