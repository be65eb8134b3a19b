/**
 * Test harness for the blob routes (used only by `api/blob-routes*.test.ts`): a real
 * nats-server with JetStream, the real store, blob references and a blob backend, the real
 * control-plane pipeline over TLS, and a raw signed HTTPS client that sends exact URIs.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { TestNatsServer } from '../../../../../test-support/nats-server';
import { generateIdentityKeyPairs, type IdentityKeyPairs } from '../../../crypto';
import {
  base64urlEncode,
  encodeIdentityCard,
  hexEncode,
  isCanonicalRequestPath,
  newUlid,
  signRequest,
} from '../../../protocol';
import { DataPlaneNames } from '../../acl/names';
import { activeSignerLookup, buildRoutes, DEFAULT_LIMITS, type Limits } from '../../api';
import { InflightLimiter } from '../../control-plane/inflight-limiter';
import { RateLimiter } from '../../control-plane/rate-limiter';
import { ReplayCache } from '../../control-plane/replay-cache';
import { createControlPlaneServer } from '../../control-plane/server';
import { InviteKeyRing, InviteStore } from '../../invites';
import { NodeStore } from '../../store';
import { generateNodeTlsMaterial, type NodeTlsMaterial } from '../../tls/certificates';
import { BlobRefs } from '../blob-refs';
import type { BlobStore } from '../blob-store';
import { FileBlobStore } from '../file-blob-store';
import { ObjectBlobStore } from '../object-blob-store';

export const NODE_ID = 'node-blob-test';

export interface Person {
  readonly keys: IdentityKeyPairs;
  readonly handle: string;
  readonly endpoint: string;
  readonly signPubHex: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: Buffer;
  readonly text: string;
}

export class BlobApiHarness {
  private constructor(
    readonly nats: TestNatsServer,
    readonly nc: NatsConnection,
    readonly store: NodeStore,
    readonly blobs: BlobStore,
    readonly blobRefs: BlobRefs,
    readonly tls: NodeTlsMaterial,
    readonly server: Server,
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(options: {
    backend: 'file' | 'object-store';
    limits?: Partial<Limits>;
  }): Promise<BlobApiHarness> {
    const nats = await TestNatsServer.start({ jetstream: true });
    const nc = await connect({ servers: nats.url });
    const dir = await mkdtemp(join(tmpdir(), 'unibus-blob-api-'));
    const store = await NodeStore.open(nc, { replicas: 1, timeoutMs: 5_000 });
    const invites = await InviteStore.open(nc, { replicas: 1, timeoutMs: 5_000 });
    const blobRefs = await BlobRefs.open(nc, store, { replicas: 1, timeoutMs: 5_000 });
    const blobs =
      options.backend === 'file'
        ? await FileBlobStore.open(join(dir, 'blobs'))
        : await ObjectBlobStore.open(nc, { replicas: 1 });
    let ring = InviteKeyRing.generate();
    const tls = await generateNodeTlsMaterial({ subjectAltNames: [] });
    const server = createControlPlaneServer({
      nodeId: NODE_ID,
      tls: { key: tls.server.privateKeyPem, cert: tls.server.certificatePem },
      routes: buildRoutes({
        nodeId: NODE_ID,
        store,
        invites,
        inviteKeys: () => ring,
        rotateInviteKeys: async (graceSeconds) => {
          ring = ring.rotate({ nowSeconds: Math.floor(Date.now() / 1000), graceSeconds });
          return ring;
        },
        joinLink: (token) => `unibus://join?v=1&t=${token}`,
        effects: {
          syncAccess: async () => {},
          disconnect: async () => Date.now(),
          ensureRoomStream: async () => {},
          publishEvent: async () => {},
          readMessages: async () => ({ messages: [], last_seq: 0 }),
        },
        posture: () => ({
          node_id: NODE_ID,
          tls: true,
          auth: 'signed',
          acl: true,
          at_rest: true,
          store: 'jetstream-kv',
          replicas: 1,
          cluster: false,
          server_version: 'test',
        }),
        limits: { ...DEFAULT_LIMITS, ...options.limits },
        names: new DataPlaneNames(new Uint8Array(32)),
        blobs,
        blobRefs,
      }),
      lookupSigner: activeSignerLookup(store),
      // Only failures are logged; a test that hits one shows why.
      log: (event, detail) => process.stderr.write(`${event} ${JSON.stringify(detail)}\n`),
      rateLimiter: new RateLimiter({ ratePerSecond: 1000, burst: 1000, maxSources: 100 }),
      inflight: new InflightLimiter(64 * 1024 * 1024),
      replayCache: new ReplayCache({ ttlMs: 60_000, maxEntries: 100_000 }),
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    return new BlobApiHarness(nats, nc, store, blobs, blobRefs, tls, server, port, dir);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.nc.close().catch(() => {});
    await this.nats.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** A registered, active member identity. */
  async user(handle: string): Promise<Person> {
    const keys = generateIdentityKeyPairs();
    const card = encodeIdentityCard({
      handle,
      signPublic: keys.signPublic,
      kexPublic: keys.kexPublic,
    });
    const person = {
      keys,
      handle,
      endpoint: JSON.parse(card).id as string,
      signPubHex: hexEncode(keys.signPublic),
    };
    await this.store.addUser({
      signPubHex: person.signPubHex,
      endpoint: person.endpoint,
      kexPub: base64urlEncode(keys.kexPublic),
      handle,
      role: 'member',
    });
    return person;
  }

  /** A room owned by `owner` with `members`, written straight to the store. */
  async room(owner: Person, members: readonly Person[] = []): Promise<string> {
    const roomId = newUlid();
    const sealed = (p: Person) => ({
      room_id: roomId,
      epoch: 1,
      endpoint: p.endpoint,
      granter: owner.endpoint,
      sealed: 'c2VhbGVk',
      sig: 'c2ln',
    });
    await this.store.createRoom(
      {
        room_id: roomId,
        owner: owner.endpoint,
        policy: { persist: true, history: 'all' },
        epoch: 1,
        members_rev: 0,
        meta: 'bWV0YQ',
        created_at: Date.now(),
      },
      sealed(owner),
    );
    for (const member of members) {
      const current = await this.store.getRoomVersioned(roomId);
      if (current === null) throw new Error('room vanished');
      await this.store.addMember(
        current.room,
        current.revision,
        {
          room_id: roomId,
          endpoint: member.endpoint,
          role: 'member',
          since_epoch: 1,
          added_at: Date.now(),
        },
        [sealed(member)],
      );
    }
    return roomId;
  }

  /** A signed request for the exact `path` (no normalization by the client either). */
  call(
    who: Person,
    method: string,
    path: string,
    body: Uint8Array = new Uint8Array(0),
    contentType = 'application/octet-stream',
  ): Promise<Reply> {
    return signedCall({ port: this.port, ca: this.tls.ca.certificatePem }, who.keys.signSeed, {
      method,
      path,
      body,
      contentType,
    });
  }

  json(who: Person, method: string, path: string, value: unknown): Promise<Reply> {
    return this.call(
      who,
      method,
      path,
      new TextEncoder().encode(JSON.stringify(value)),
      'application/json',
    );
  }
}

/** A raw HTTPS request to the node on loopback, signed by `signSeed` when the URI allows it. */
export function signedCall(
  target: { readonly port: number; readonly ca: string },
  signSeed: Uint8Array,
  input: {
    readonly method: string;
    readonly path: string;
    readonly body?: Uint8Array;
    readonly contentType?: string;
  },
): Promise<Reply> {
  const { method, path } = input;
  const body = input.body ?? new Uint8Array(0);
  // A non-canonical URI cannot be signed (the protocol refuses it); it is sent unsigned and
  // the node must refuse it before authentication anyway.
  const headers = isCanonicalRequestPath(path)
    ? signRequest({ nodeId: NODE_ID, method, path, body, signSeed })
    : {};
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method,
        path,
        ca: target.ca,
        agent: false,
        headers: {
          ...headers,
          'Content-Type': input.contentType ?? 'application/octet-stream',
          'Content-Length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            bytes,
            text: bytes.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
