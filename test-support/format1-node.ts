/**
 * A node data directory as the release before auth callout wrote it (store format 1), made
 * without that release's code: the same node state files (node-state.ts is unchanged), the
 * nats-server config shape it rendered (members as nkey users with consumer grants and
 * `allow_responses`), KV records as JSON without a `v` field in the record shapes of
 * store/records.ts, invite and blob-reference records, a room stream without direct reads,
 * frames published by a member straight into JetStream, and that member's pinned consumer.
 */
import { join } from 'node:path';
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { ed25519PublicKey, nkeyUserPublic, nkeyUserSeed } from '../src/main/crypto';
import { base64urlEncode, encodeMessageBody, sealFrame, decodeFrame } from '../src/main/protocol';
import { DataPlaneNames } from '../src/main/node/acl/names';
import { FileBlobStore } from '../src/main/node/blobs/file-blob-store';
import { inviteTokenHash, mintInviteToken } from '../src/main/node/invites/token';
import { NatsServerSupervisor } from '../src/main/node/nats-server/supervisor';
import {
  loadOrCreateNodeState,
  markStoreInitialized,
  nodePaths,
} from '../src/main/node/runtime/node-state';
import { grant, newRoomRequest, type Person } from './node-fixtures';

export interface Format1Contents {
  readonly roomId: string;
  readonly roomKey: Uint8Array;
  /** Message ids of the frames stored in the room stream, in order. */
  readonly messageIds: readonly string[];
  readonly blobHash: string;
  readonly blob: Uint8Array;
  /** An unused invite token minted by the old node. */
  readonly inviteToken: string;
  /** Every KV key written, by bucket (to check each is migrated). */
  readonly keys: Readonly<Record<string, readonly string[]>>;
  /** The legacy pinned consumer of bob on the room stream. */
  readonly legacyConsumer: string;
  readonly stream: string;
}

/** Writes the data directory; `admin` and `bob` are its users, bob a member of one room. */
export async function writeFormat1DataDir(
  dataDir: string,
  admin: Person,
  bob: Person,
): Promise<Format1Contents> {
  const state = await loadOrCreateNodeState(dataDir, { subjectAltNames: ['127.0.0.1'] });
  const paths = nodePaths(dataDir);
  const names = new DataPlaneNames(state.subjectKey);
  const nkeyOf = (seed: Uint8Array) => nkeyUserPublic(ed25519PublicKey(seed));
  const { roomId, roomKey, body } = newRoomRequest(admin, { persist: true });
  const room = names.room(roomId);
  const stream = names.roomStream(roomId);
  const legacyConsumer = `c_${names.userToken(bob.endpoint)}`;
  const member = (p: Person) => {
    const uid = names.userToken(p.endpoint);
    const s = stream;
    const c = `c_${uid}`;
    return `{ nkey: "${nkeyUserPublic(p.keys.signPublic)}", allowed_connection_types: ["STANDARD"], permissions: {
        publish: { allow: ["${room.subjects}", "$JS.API.CONSUMER.CREATE.${s}.${c}", "$JS.API.CONSUMER.CREATE.${s}.${c}.>", "$JS.API.CONSUMER.DURABLE.CREATE.${s}.${c}", "$JS.API.CONSUMER.INFO.${s}.${c}", "$JS.API.CONSUMER.MSG.NEXT.${s}.${c}", "$JS.ACK.${s}.${c}.>"], deny: ["$JS.API.STREAM.>", "$KV.>", "$SYS.>", "_INBOX.>", "unibus.user.>"] }
        subscribe: { allow: ["_INBOX_${uid}.>", "unibus.user.${uid}.events", "${room.subjects}"], deny: ["$JS.>", "_INBOX.>"] }
        allow_responses: { max: 1, expires: "1m" } } }`;
  };
  // The shape the old renderer wrote (nats-server/config.ts before auth callout).
  const config = `listen: "127.0.0.1:-1"
ports_file_dir: "${paths.natsDir}"
max_payload: 8388608
tls { cert_file: "${join(dataDir, 'tls', 'server.crt')}", key_file: "${join(dataDir, 'tls', 'server.key')}", timeout: 2 }
jetstream { store_dir: "${join(paths.natsDir, 'jetstream')}", cipher: chachapoly, key: $UNIBUS_JS_KEY, sync_interval: always }
accounts {
  NODE { jetstream: enabled, users: [ { nkey: "${nkeyOf(state.internal.nodeSeed)}" } ] }
  BUS { jetstream: enabled, users: [
    { nkey: "${nkeyOf(state.internal.busSeed)}" }
    ${member(admin)}
    ${member(bob)}
  ] }
}
`;
  const supervisor = new NatsServerSupervisor({
    configFile: join(paths.natsDir, 'nats-server.conf'),
    env: { UNIBUS_JS_KEY: state.atRestKey },
    portsFileDir: paths.natsDir,
  });
  await supervisor.start(config);
  const conns: NatsConnection[] = [];
  const open = async (seed: Uint8Array, inboxPrefix?: string) => {
    const nc = await connect({
      servers: supervisor.urls[0],
      tls: { ca: state.tls.ca.certificatePem },
      authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeyUserSeed(seed))),
      ...(inboxPrefix ? { inboxPrefix } : {}),
    });
    conns.push(nc);
    return nc;
  };
  try {
    const nodeNc = await open(state.internal.nodeSeed);
    const kvm = new Kvm(nodeNc);
    const keys: Record<string, string[]> = {};
    const put = async (bucket: string, key: string, value: unknown) => {
      const kv = await kvm.create(bucket, { replicas: 1, history: 1 });
      await kv.put(key, JSON.stringify(value)); // format 1: no "v"
      (keys[bucket] ??= []).push(key);
    };
    const now = Date.now();
    const user = (p: Person, role: 'admin' | 'member') => ({
      sign_pub: p.signPubHex,
      endpoint: p.endpoint,
      kex_pub: base64urlEncode(p.keys.kexPublic),
      handle: p.handle,
      role,
      status: 'active',
      created_at: now,
      revoked_at: null,
    });
    await put('UNIBUS_users', admin.signPubHex, user(admin, 'admin'));
    await put('UNIBUS_users', bob.signPubHex, user(bob, 'member'));
    await put('UNIBUS_endpoints', admin.endpoint, { sign_pub: admin.signPubHex });
    await put('UNIBUS_endpoints', bob.endpoint, { sign_pub: bob.signPubHex });
    await put('UNIBUS_rooms', roomId, {
      room_id: roomId,
      owner: admin.endpoint,
      policy: body.policy,
      epoch: 1,
      members_rev: 1,
      meta: body.meta,
      created_at: now,
    });
    for (const [p, role] of [
      [admin, 'owner'],
      [bob, 'member'],
    ] as const) {
      await put('UNIBUS_members', `${roomId}.${p.endpoint}`, {
        room_id: roomId,
        endpoint: p.endpoint,
        role,
        since_epoch: 1,
        added_at: now,
      });
      await put('UNIBUS_rooms_by_member', `${p.endpoint}.${roomId}`, { role });
      await put(
        'UNIBUS_room_keys',
        `${roomId}.1.${p.endpoint}`,
        grant(admin, roomId, 1, roomKey, p),
      );
    }
    const { token, payload } = mintInviteToken(state.inviteKeys.primary, {
      nodeId: state.nodeId,
      role: 'member',
      expiresAt: Math.floor(now / 1000) + 3600,
    });
    await put('UNIBUS_invites', payload.id, {
      id: payload.id,
      kid: payload.kid,
      role: payload.role,
      created_at: now,
      expires_at: payload.exp,
      max_uses: 1,
      used: 0,
      created_by: admin.endpoint,
      revoked_at: null,
      token_sha256: inviteTokenHash(token),
    });
    const blob = new TextEncoder().encode('a sealed chunk, as the old node stored it');
    const blobHash = createHash('sha256').update(blob).digest('hex');
    await (await FileBlobStore.open(paths.blobsDir)).put(blobHash, blob);
    await put('UNIBUS_blob_refs', `${roomId}.${blobHash}`, {
      room_id: roomId,
      hash: blobHash,
      size: blob.length,
      uploader: bob.endpoint,
      created_at: now,
    });
    await put('UNIBUS_blob_usage', bob.endpoint, { bytes: blob.length, count: 1 });

    // The room stream as the old node created it (no direct reads), frames published by a
    // member straight into JetStream, and the member's pinned consumer.
    const busNc = await open(state.internal.busSeed);
    await (
      await jetstreamManager(busNc)
    ).streams.add({
      name: stream,
      subjects: [room.subjects],
      duplicate_window: 120_000_000_000,
      deny_delete: true,
      deny_purge: true,
    });
    const bobNc = await open(bob.keys.signSeed, names.user(bob.endpoint).inbox_prefix);
    const js = jetstream(bobNc);
    const messageIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const frame = sealFrame(
        {
          type: 'message',
          roomId,
          epoch: 1,
          plaintext: encodeMessageBody({ type: 'message', text: `before the upgrade ${i}` }),
        },
        roomKey,
        bob.keys.signSeed,
      );
      const id = decodeFrame(frame).messageId;
      await js.publish(room.subject, frame, { msgID: id });
      messageIds.push(id);
    }
    await (
      await jetstreamManager(bobNc, { checkAPI: false })
    ).consumers.add(stream, {
      durable_name: legacyConsumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    await markStoreInitialized(state);
    return {
      roomId,
      roomKey,
      messageIds,
      blobHash,
      blob,
      inviteToken: token,
      keys,
      legacyConsumer,
      stream,
    };
  } finally {
    for (const nc of conns) await nc.close().catch(() => {});
    await supervisor.stop();
  }
}
