/**
 * Starts a whole node: lock (one node per data directory, node-lock.ts) → state → nats-server
 * (only the node's identities in its config; every other client goes through the auth callout)
 * → store (migrated to the current format) → membership cache → callout worker and frame
 * ingest → control plane. Stops in the reverse order.
 *
 * A store that was initialized before but whose buckets are now missing means the JetStream
 * at-rest key is wrong (nats-server starts anyway and the streams look missing): the node
 * refuses to start instead of creating empty buckets over the real data.
 */
import type { Server } from 'node:https';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { ed25519PublicKey, nkeyUserPublic, nkeyUserSeed } from '../../crypto';
import { hexEncode, parseIdentityCard } from '../../protocol';
import { activeSignerLookup, buildRoutes, DEFAULT_LIMITS, type Posture } from '../api';
import { InflightLimiter } from '../control-plane/inflight-limiter';
import { RateLimiter } from '../control-plane/rate-limiter';
import { PersistentReplayCache } from '../control-plane/replay-journal';
import { createControlPlaneServer } from '../control-plane/server';
import { formatJoinLink, InviteStore } from '../invites';
import {
  DEFAULT_MAX_PAYLOAD,
  NatsServerSupervisor,
  ensureNatsServer,
  inspectNatsServer,
  renderNatsServerConfig,
  type BuildProgress,
  type NatsServerConfigModel,
  type Port,
} from '../nats-server';
import { BLOB_BUCKETS, BlobRefs } from '../blobs/blob-refs';
import { FileBlobStore } from '../blobs/file-blob-store';
import { BUCKETS, NodeStore } from '../store';
import { migrateStore } from '../store/migrate';
import { INVITES_BUCKET } from '../invites/invite-store';
import { DataPlaneAccess } from '../callout/access';
import { CalloutWorker } from '../callout/callout-worker';
import { MembershipCache } from '../callout/membership-cache';
import { FrameIngest } from '../ingest/frame-ingest';
import { DataPlane } from './data-plane';
import { loadOrCreateDataPlaneKeys } from './data-plane-keys';
import { DataPlaneNames } from '../acl/names';
import { acquireNodeLock, type NodeLock } from './node-lock';
import { formatHost, isWildcard, planAddresses } from './advertised-addresses';
import {
  ensureServerCertificate,
  loadOrCreateNodeState,
  markStoreInitialized,
  nodePaths,
  saveInviteKeys,
  type NodeState,
} from './node-state';

export const DEFAULT_HTTP_PORT = 8470;
export const DEFAULT_NATS_PORT = 4250;
const AT_REST_KEY_ENV = 'UNIBUS_JS_KEY';

export interface NodeOptions {
  readonly dataDir: string;
  /** Listen address of both planes (one bind governs both, as in the seed). Default loopback. */
  readonly bind?: string;
  /** 0 = any free port. */
  readonly httpPort?: number;
  /** 0 = any free port. */
  readonly natsPort?: number;
  /**
   * Host names / addresses teammates reach this computer by: advertised first, before the
   * machine's own addresses (advertised-addresses.ts), and covered by the certificate.
   */
  readonly advertise?: readonly string[];
  /** Identity card of the host: becomes admin #0 of a new node. */
  readonly adminCard?: string;
  /** How long to wait for a node still stopping from the same folder (default 30 s). */
  readonly lockWaitMs?: number;
  /** Dev mode only warns about a known-bad nats-server version instead of refusing. */
  readonly dev?: boolean;
  /** Default: found or built by ensureNatsServer (../nats-server/resolve.ts). */
  readonly natsServerBin?: string;
  /**
   * Control-plane requests per second allowed from one source address (burst: twice as many).
   * Sized for a team behind one NAT; benchmarks raise it to measure the request path itself.
   */
  readonly requestsPerSourcePerSecond?: number;
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
}

export interface RunningNode {
  readonly nodeId: string;
  readonly caFingerprint: string;
  readonly caCertificatePem: string;
  /** What invite links carry and the host is shown: every advertised address, best first. */
  readonly controlUrls: readonly string[];
  readonly natsUrls: readonly string[];
  /** How this computer's own peer reaches the node (loopback first for a wildcard bind). */
  readonly localControlUrls: readonly string[];
  readonly localNatsUrls: readonly string[];
  readonly posture: Posture;
  readonly dataPlane: DataPlane;
  readonly supervisor: NatsServerSupervisor;
  /** Peers connected to the data plane and JetStream bytes stored (from loopback monitoring). */
  stats(): Promise<NodeStats>;
  stop(): Promise<void>;
}

export interface NodeStats {
  readonly peers: number;
  readonly storeBytes: number;
}

export class AtRestKeyError extends Error {
  override readonly name = 'AtRestKeyError';
}

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const log = options.log ?? (() => {});
  const paths = nodePaths(options.dataDir);
  const configFile = join(paths.natsDir, 'nats-server.conf');
  // First of all: a node still stopping from this folder (its app was killed) must be down
  // before this one takes the ports and the store; one that died outright is taken over.
  const lock = await acquireNodeLock(options.dataDir, {
    natsConfigFile: configFile,
    ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
    log,
  });
  try {
    return await startLocked(options, lock, configFile);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startLocked(
  options: NodeOptions,
  lock: NodeLock,
  configFile: string,
): Promise<RunningNode> {
  const log = options.log ?? (() => {});
  const bind = options.bind ?? '127.0.0.1';
  const addresses = planAddresses(bind, options.advertise);
  const certificateNames = addresses.certificateNames;
  let state = await loadOrCreateNodeState(options.dataDir, { subjectAltNames: certificateNames });
  const certificate = await ensureServerCertificate(state, certificateNames);
  state = certificate.state;
  if (certificate.reissued) log('tls-reissued', { names: certificateNames });
  const keys = await loadOrCreateDataPlaneKeys(options.dataDir);
  const paths = nodePaths(options.dataDir);

  const bin =
    options.natsServerBin ?? (await ensureNatsServer({ onProgress: logStages(log) })).path;
  const supervisor = new NatsServerSupervisor({
    configFile,
    bin,
    env: { [AT_REST_KEY_ENV]: state.atRestKey },
    portsFileDir: paths.natsDir,
    onEvent: (event) => {
      if (event.type === 'started') void lock.setNatsServerPid(event.pid).catch(() => {});
      log('nats-server', { ...event });
    },
  });
  const inspection = await inspectNatsServer(supervisor.bin, options.dev ? 'dev' : 'production');
  // "Any free port" is chosen here, not by nats-server (`-1`): a restarted server must come back
  // on the same port for peers and the node's own connections, and nats-server cannot reload a
  // changed port into the config. (Another process could take the port in between: then the
  // start fails loudly.)
  const natsPort: Port =
    options.natsPort === 0 ? await freePort(bind) : (options.natsPort ?? DEFAULT_NATS_PORT);
  // No monitoring endpoint: it would tell any local process (and, through its CORS header, any
  // web page) who is connected to which room. Stats come over the node's own connections.
  const model: NatsServerConfigModel = {
    listen: { host: bind, port: natsPort },
    portsFileDir: paths.natsDir,
    tls: tlsFiles(state),
    maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
    jetstream: {
      storeDir: join(paths.natsDir, 'jetstream'),
      cipher: { algorithm: 'chachapoly', keyEnvVar: AT_REST_KEY_ENV },
    },
    internal: {
      nodeNkey: nkeyUserPublic(publicOf(state.internal.nodeSeed)),
      busNkey: nkeyUserPublic(publicOf(state.internal.busSeed)),
      membersNkey: nkeyUserPublic(publicOf(keys.membersSeed)),
      systemNkey: nkeyUserPublic(publicOf(keys.systemSeed)),
    },
    calloutIssuer: keys.issuer,
  };
  await supervisor.start(renderNatsServerConfig(model, inspection.features));

  const connections: NatsConnection[] = [];
  const workers: { stop(): void }[] = [];
  const closeOnFailure: (() => Promise<void>)[] = [];
  try {
    const natsUrl = loopbackUrl(supervisor.urls[0]!);
    const caPem = state.tls.ca.certificatePem;
    // The node's identities in NODE, BUS and MEMBERS, connected side by side; the system one
    // (CONNZ, KICK) on first use, so a start costs no fourth TLS handshake.
    const opened = await Promise.allSettled([
      connectAs(natsUrl, state.internal.nodeSeed, caPem, 'unibus-node'),
      connectAs(natsUrl, state.internal.busSeed, caPem, 'unibus-node-bus'),
      connectAs(natsUrl, keys.membersSeed, caPem, 'unibus-node-members'),
    ]);
    for (const o of opened) if (o.status === 'fulfilled') connections.push(o.value);
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [nodeConn, busConn, membersConn] = connections as [
      NatsConnection,
      NatsConnection,
      NatsConnection,
    ];
    let systemConn: Promise<NatsConnection> | undefined;
    const system = () =>
      (systemConn ??= connectAs(natsUrl, keys.systemSeed, caPem, 'unibus-node-system').then(
        (nc) => {
          connections.push(nc);
          return nc;
        },
        (error: unknown) => {
          systemConn = undefined;
          throw error;
        },
      ));

    const freshStore = !state.storeInitialized;
    if (state.storeInitialized) await requireExistingStore(nodeConn);
    const store = await NodeStore.open(nodeConn, { replicas: 1 });
    const invites = await InviteStore.open(nodeConn, { replicas: 1, timeoutMs: 5_000 });
    const blobs = await FileBlobStore.open(paths.blobsDir);
    const blobRefs = await BlobRefs.open(nodeConn, store, { replicas: 1 });
    if (!state.storeInitialized) state = await markStoreInitialized(state);

    if (options.adminCard !== undefined) await seedAdmin(store, options.adminCard);

    const names = new DataPlaneNames(state.subjectKey);
    const cache = await MembershipCache.open(nodeConn, { timeoutMs: 5_000, log });
    workers.push(cache);
    const callout = new CalloutWorker({
      nc: nodeConn,
      issuerSeed: keys.issuerSeed,
      names,
      cache,
      store,
      log,
    });
    const ingest = new FrameIngest({
      members: membersConn,
      js: jetstream(busConn),
      names,
      cache,
      store,
      log,
    });
    const access = new DataPlaneAccess({
      system,
      calloutConnection: nodeConn,
      cache,
      callout,
      others: [ingest],
      names,
      log,
    });
    const dataPlane = new DataPlane({
      names,
      bus: busConn,
      members: membersConn,
      access,
      replicas: 1,
      log,
    });
    const migration = await migrateStore(
      options.dataDir,
      nodeConn,
      {
        buckets: [...Object.values(BUCKETS), INVITES_BUCKET, ...Object.values(BLOB_BUCKETS)],
        roomIds: async () => (await store.listRoomsWithMembers()).map((r) => r.room.room_id),
        upgradeRoomStream: (roomId) => dataPlane.upgradeRoomStream(roomId),
      },
      freshStore,
    );
    if (migration.from !== migration.to) log('store.migrated', { ...migration });
    callout.start();
    workers.push(callout);
    ingest.start();
    workers.push(ingest);
    // Sent before members can connect: nats-server processes the subscriptions first.
    await Promise.all([nodeConn.flush(), membersConn.flush()]);

    const posture: Posture = {
      node_id: state.nodeId,
      tls: true,
      auth: 'signed',
      acl: true,
      at_rest: true,
      store: 'jetstream-kv',
      replicas: 1,
      cluster: false,
      server_version: inspection.version.text,
    };
    let controlUrls: string[] = [];
    const perSource = options.requestsPerSourcePerSecond ?? 100;
    // Nonces survive a restart (issue 12, attack 2; docs/DECISIONS.md §17).
    const replayCache = await PersistentReplayCache.open({
      dir: join(options.dataDir, 'replay'),
      ttlMs: 60_000,
      maxEntries: 100_000,
    });
    closeOnFailure.push(() => replayCache.close());
    let rotation: Promise<unknown> = Promise.resolve();
    const rotateInviteKeys = (graceSeconds: number) => {
      const rotated = rotation.then(async () => {
        const nowSeconds = Math.floor(Date.now() / 1000);
        const ring = state.inviteKeys.rotate({ nowSeconds, graceSeconds });
        await saveInviteKeys(state.dataDir, ring); // durable before any link is signed with it
        state = { ...state, inviteKeys: ring };
        log('invites.key-rotated', { kid: ring.primaryKid, grace_seconds: graceSeconds });
        return ring;
      });
      rotation = rotated.catch(() => undefined);
      return rotated;
    };
    const urls = (scheme: string, port: number, hosts: readonly string[]) =>
      [...new Set(hosts)].map((host) => `${scheme}://${formatHost(host)}:${port}`);
    const localHosts = [addresses.local, ...addresses.advertised];
    const natsUrls = urls('tls', natsPort, addresses.advertised);
    const server: Server = createControlPlaneServer({
      nodeId: state.nodeId,
      // The chain includes the CA, so a joiner can fingerprint it and pin it (docs/PROTOCOL.md).
      tls: {
        key: state.tls.server.privateKeyPem,
        cert: `${state.tls.server.certificatePem.trim()}\n${state.tls.ca.certificatePem.trim()}\n`,
      },
      routes: buildRoutes({
        nodeId: state.nodeId,
        store,
        invites,
        inviteKeys: () => state.inviteKeys,
        rotateInviteKeys,
        joinLink: (token) =>
          formatJoinLink({
            nodeId: state.nodeId,
            caFingerprint: state.tls.caFingerprint,
            controlUrls,
            natsUrls,
            token,
          }),
        effects: dataPlane,
        names,
        blobs,
        blobRefs,
        posture: () => posture,
        limits: DEFAULT_LIMITS,
      }),
      lookupSigner: activeSignerLookup(store),
      // Per source address: generous enough for a team behind one NAT, far below a flood.
      rateLimiter: new RateLimiter({
        ratePerSecond: perSource,
        burst: 2 * perSource,
        maxSources: 10_000,
      }),
      inflight: new InflightLimiter(128 * 1024 * 1024),
      replayCache,
      log,
    });
    server.listen(options.httpPort ?? DEFAULT_HTTP_PORT, bind);
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([e]) => Promise.reject(e)),
    ]);
    const httpPort = (server.address() as AddressInfo).port;
    controlUrls = urls('https', httpPort, addresses.advertised);

    return {
      nodeId: state.nodeId,
      caFingerprint: state.tls.caFingerprint,
      caCertificatePem: state.tls.ca.certificatePem,
      controlUrls,
      natsUrls,
      localControlUrls: urls('https', httpPort, localHosts),
      localNatsUrls: urls('tls', natsPort, localHosts),
      posture,
      dataPlane,
      supervisor,
      stats: () => readStats(nodeConn, busConn, membersConn, blobs),
      stop: async () => {
        server.close();
        server.closeAllConnections();
        for (const worker of workers.reverse()) worker.stop();
        await replayCache.close();
        for (const nc of connections) await nc.drain().catch(() => nc.close());
        await supervisor.stop();
        await lock.release();
      },
    };
  } catch (error) {
    for (const worker of workers.reverse()) worker.stop();
    for (const close of closeOnFailure) await close().catch(() => {});
    for (const nc of connections) await nc.close().catch(() => {});
    await supervisor.stop();
    throw error;
  }
}

/** A nats-server build as log events: one per stage, not one per second. */
function logStages(log: NonNullable<NodeOptions['log']>): (progress: BuildProgress) => void {
  let stage: BuildProgress['stage'] | null = null;
  return (progress) => {
    if (progress.stage === stage) return;
    stage = progress.stage;
    log('nats-server-build', { ...progress });
  };
}

async function freePort(host: string): Promise<number> {
  const probe = createServer();
  probe.listen(0, isWildcard(host) ? undefined : host.replace(/^\[|\]$/g, ''));
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Peers on the data plane (the MEMBERS account's connections, asked of the server from inside
 * the account, minus the node's own) and bytes stored: both JetStream accounts plus chunks.
 */
async function readStats(
  nodeConn: NatsConnection,
  busConn: NatsConnection,
  membersConn: NatsConnection,
  blobs: FileBlobStore,
): Promise<NodeStats> {
  const [connz, busInfo, nodeInfo, blobBytes] = await Promise.all([
    membersConn.request('$SYS.REQ.ACCOUNT.PING.CONNZ', '{}', { timeout: 2_000 }),
    jetstreamManager(busConn).then((jsm) => jsm.getAccountInfo()),
    jetstreamManager(nodeConn).then((jsm) => jsm.getAccountInfo()),
    blobs.size(),
  ]);
  const total = (connz.json() as { data?: { total?: unknown } }).data?.total;
  const jetStreamBytes = busInfo.storage + busInfo.memory + nodeInfo.storage + nodeInfo.memory;
  return {
    peers: typeof total === 'number' ? Math.max(0, total - 1) : 0,
    storeBytes: jetStreamBytes + blobBytes,
  };
}

async function requireExistingStore(nc: NatsConnection): Promise<void> {
  const kvm = new Kvm(nc);
  for (const bucket of Object.values(BUCKETS)) {
    try {
      const kv = await kvm.open(bucket);
      await kv.status();
    } catch {
      throw new AtRestKeyError(
        `the store was initialized but bucket ${bucket} is missing: the JetStream at-rest key is wrong or the store was damaged; refusing to start rather than create an empty store`,
      );
    }
  }
}

async function seedAdmin(store: NodeStore, cardText: string): Promise<void> {
  const card = parseIdentityCard(cardText);
  const signPubHex = hexEncode(card.signPublic);
  if ((await store.getUser(signPubHex)) !== null) return;
  if ((await store.listUsers()).length > 0) return; // admin #0 exists already
  await store.addUser({
    signPubHex,
    endpoint: card.id,
    kexPub: Buffer.from(card.kexPublic).toString('base64url'),
    handle: card.handle,
    role: 'admin',
  });
}

async function connectAs(
  url: string,
  seed: Uint8Array,
  caPem: string,
  name: string,
): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    tls: { ca: caPem },
    authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeyUserSeed(seed))),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
}

function tlsFiles(state: NodeState) {
  const dir = join(state.dataDir, 'tls');
  return { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

/** The internal identities are Ed25519 keys like every other nkey. */
function publicOf(seed: Uint8Array): Uint8Array {
  return ed25519PublicKey(seed);
}

function loopbackUrl(url: string): string {
  const parsed = new URL(url);
  if (isWildcard(parsed.hostname.replace(/^\[|\]$/g, ''))) parsed.hostname = '127.0.0.1';
  return parsed.toString().replace(/\/$/, '');
}
