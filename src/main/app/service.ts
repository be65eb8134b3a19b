/**
 * The app behind the bridge: one object that answers every contract call, for any host (the
 * Electron main process, the web shell). It owns the identity session, the hosted node, the
 * peer session, transfers, admin calls and settings, and pushes events through `emit`.
 */
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { ConflictError, UnavailableError } from '../../shared/errors';
import type { AppState, ConnectionState, ConnectionStatus } from '../../shared/types';
import { joinWithLink } from '../bus';
import { ControlPlaneClient, ControlPlaneError } from '../control-plane';
import { BlobClient } from '../files';
import type { IpcHandlers } from '../ipc';
import { parseJoinLink } from '../node/invites/join-link';
import { loadConnection, type NodeConnection } from '../profile/connection';
import { Admin } from './admin';
import { kickReceiptView } from './views';
import { typed } from './errors';
import { IdentitySession, identityCard } from './identity-session';
import { launchNodeChild } from './launch-node';
import { NodeHost } from './node-host';
import { People } from './people';
import { directoryEntry, peopleCalls } from './people-calls';
import { PeerSession } from './peer-session';
import { hexEncode } from '../protocol';
import { openSettings, settingsView, updateSettings } from './settings';
import { Transfers } from './transfers';
import type { AppService, AppServiceOptions } from './types';

const RECONNECT_DELAY_MS = 3_000;
/** A hosted node that failed to start is tried again, less often each time. */
const NODE_RETRY_FIRST_MS = 3_000;
const NODE_RETRY_MAX_MS = 60_000;
const APP_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export async function createAppService(options: AppServiceOptions): Promise<AppService> {
  const { profileDir, emit } = options;
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  // Hosting comes first: the team's node serves them while the host's identity is still locked
  // (the node's secrets are its own). Only a node never started yet waits for the identity. A
  // node that stops by itself (crash) is brought back, less often each time it fails.
  let closed = false;
  let nodeRetryTimer: NodeJS.Timeout | undefined;
  let nodeRetryMs = NODE_RETRY_FIRST_MS;
  const nodeHost = await NodeHost.open(profileDir, options.launchNode ?? launchNodeChild, (s) => {
    emit('node.status', s);
    if (!s.running) scheduleNodeStart();
  });
  function scheduleNodeStart(): void {
    if (closed || nodeRetryTimer !== undefined || !nodeHost.startsOnItsOwn) return;
    nodeRetryTimer = setTimeout(() => {
      nodeRetryTimer = undefined;
      startNodeOnItsOwn();
    }, nodeRetryMs);
    nodeRetryMs = Math.min(NODE_RETRY_MAX_MS, nodeRetryMs * 2);
  }
  function startNodeOnItsOwn(): void {
    if (closed || !nodeHost.startsOnItsOwn || nodeHost.active) return;
    nodeHost.start().then(
      () => (nodeRetryMs = NODE_RETRY_FIRST_MS),
      () => scheduleNodeStart(), // why it failed is in the node status
    );
  }
  function cancelNodeStart(): void {
    clearTimeout(nodeRetryTimer);
    nodeRetryTimer = undefined;
  }
  startNodeOnItsOwn();

  const identity = new IdentitySession(profileDir, options.safeStorage);
  await identity.init();
  const settings = await openSettings(profileDir);
  const people = await People.open(profileDir);

  let connection: NodeConnection | null = await loadConnection(profileDir).catch(() => null);
  let session: PeerSession | null = null;
  let role: AppState['role'] = null;
  let connecting: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let connectionState: ConnectionState = { status: 'offline', since: Date.now() };

  // Built on first use, dropped when the profile connects to another node.
  let controlClient: ControlPlaneClient | null = null;
  let blobClient: BlobClient | null = null;
  const forgetClients = () => {
    controlClient = null;
    blobClient = null;
  };
  function clientOptions() {
    if (connection === null) throw new ConflictError('Host a bus or join one first.');
    return {
      nodeId: connection.node_id,
      urls: connection.control_urls,
      caPem: connection.ca_pem,
      signSeed: identity.require().keys.signSeed,
    };
  }
  const control = (): ControlPlaneClient =>
    (controlClient ??= new ControlPlaneClient(clientOptions()));
  const blobs = (): BlobClient => (blobClient ??= new BlobClient(clientOptions()));
  const requireSession = (): PeerSession => {
    if (session === null) {
      throw new UnavailableError('Not connected to the bus yet; it reconnects by itself.');
    }
    return session;
  };
  const admin = new Admin(control);
  const transfers = await Transfers.open(profileDir, blobs, requireSession, (view) =>
    emit('transfers.changed', view),
  );

  function state(): AppState {
    const phase =
      identity.phase !== 'ready' ? identity.phase : connection === null ? 'no-connection' : 'ready';
    return {
      phase,
      identity: identity.view(),
      availableProtections: identity.availableProtections,
      connection: connectionState,
      node:
        connection === null
          ? null
          : {
              nodeId: connection.node_id,
              controlUrls: connection.control_urls,
              natsUrls: connection.nats_urls,
              caFingerprint: connection.ca_fingerprint,
            },
      role,
      hosting: nodeHost.hosting,
      host: options.host,
    };
  }

  function setConnection(status: ConnectionStatus): void {
    if (status === connectionState.status) return;
    connectionState = { status, since: Date.now() };
    emit('app.connectionState', connectionState);
    emit('app.state', state());
  }

  function peerStatus(peer: PeerSession): ConnectionStatus {
    switch (peer.peer.connectionState) {
      case 'connected':
        return 'online';
      case 'connecting':
        return 'connecting';
      case 'reconnecting':
        return 'reconnecting';
      case 'removed':
        return 'removed';
      default:
        return 'offline';
    }
  }

  /** Connects the peer (starting the hosted node first); retries in the background on failure. */
  function connect(): Promise<void> {
    if (connecting !== null) return connecting;
    connecting = (async () => {
      if (closed || session !== null || connection === null || identity.identity === null) return;
      // The host stopped her node: nothing to connect to until she starts it again.
      if (nodeHost.stoppedByHost) return;
      setConnection('connecting');
      try {
        if (nodeHost.hosting && !nodeHost.running)
          await nodeHost.start(identityCard(identity.require()));
        const opened = await PeerSession.open(profileDir, identity.require(), {
          emit,
          settings: () => settings.current,
          ...(options.notify ? { notify: options.notify } : {}),
          ...(options.onUnreadTotal ? { onUnreadTotal: options.onUnreadTotal } : {}),
          onConnection: () => session !== null && setConnection(peerStatus(session)),
          people,
        });
        if (closed) {
          await opened.close(); // the app closed while connecting
          return;
        }
        session = opened;
        role = (await control().get<{ role: 'admin' | 'member' }>('/v1/me')).role;
        setConnection(peerStatus(opened));
        emit('app.state', state());
      } catch (error) {
        // The node no longer lets this identity in (revoked): final, and said so.
        if (error instanceof ControlPlaneError && error.status === 401) {
          setConnection('removed');
          return;
        }
        setConnection('offline');
        retryTimer = setTimeout(() => void connect(), RECONNECT_DELAY_MS);
      }
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  }

  async function afterIdentity() {
    emit('app.state', state());
    await connect();
    return identity.view()!;
  }

  const handlers: IpcHandlers = {
    'app.getVersion': async () => APP_VERSION,
    'app.getState': async () => state(),
    'app.takeJoinLink': async () => ({ link: options.takeJoinLink?.() ?? null }),
    'app.openExternal': async ({ url }) => {
      if (options.openExternal === undefined) return { opened: false };
      return { opened: await options.openExternal(url) };
    },

    'identity.create': ({ handle, passphrase }) =>
      typed(async () => {
        await identity.create(handle, passphrase);
        return afterIdentity();
      }),
    'identity.unlock': ({ passphrase }) =>
      typed(async () => {
        await identity.unlock(passphrase);
        return afterIdentity();
      }),
    'identity.exportBackup': ({ passphrase }) =>
      typed(async () => ({ backup: await identity.exportBackup(passphrase) })),
    'identity.importBackup': ({ backup, passphrase, storePassphrase }) =>
      typed(async () => {
        await identity.importBackup(backup, passphrase, storePassphrase);
        return afterIdentity();
      }),

    'node.host': (hostOptions) =>
      typed(async () => {
        if (connection !== null)
          throw new ConflictError('This profile is already connected to a bus.');
        const status = await nodeHost.host(hostOptions, identityCard(identity.require()));
        connection = await loadConnection(profileDir);
        forgetClients();
        emit('app.state', state());
        await connect();
        return status;
      }),
    'node.status': async () => nodeHost.status(),
    'node.stop': () =>
      typed(async () => {
        clearTimeout(retryTimer);
        cancelNodeStart();
        const current = session;
        session = null;
        await current?.close();
        setConnection('offline');
        return nodeHost.stop({ remember: true });
      }),
    'node.start': () =>
      typed(async () => {
        const card = identity.identity === null ? undefined : identityCard(identity.identity);
        await nodeHost.start(card);
        await connect();
        return nodeHost.status();
      }),

    'join.preview': ({ link }) =>
      typed(async () => {
        const parsed = parseJoinLink(link);
        return {
          nodeId: parsed.nodeId,
          caFingerprint: parsed.caFingerprint,
          controlUrls: [...parsed.controlUrls],
          natsUrls: [...parsed.natsUrls],
        };
      }),
    'join.accept': ({ link, caFingerprint }) =>
      typed(async () => {
        if (connection !== null)
          throw new ConflictError('This profile is already connected to a bus.');
        const parsed = parseJoinLink(link);
        if (parsed.caFingerprint !== caFingerprint.toLowerCase()) {
          throw new ConflictError('The link changed since you confirmed its fingerprint.');
        }
        const joined = await joinWithLink(link, { profileDir, identity: identity.require() });
        connection = joined.connection;
        forgetClients();
        await connect();
        return state();
      }),

    'rooms.list': async () => (session === null ? [] : session.rooms()),
    'rooms.create': ({ name, topic, persist, history }) =>
      typed(async () => {
        const s = requireSession();
        const room = await s.peer.createRoom(name, { topic, policy: { persist, history } });
        const view = s.rooms().find((r) => r.id === room.id);
        if (view === undefined)
          throw new UnavailableError('The room was created but is not open yet.');
        return view;
      }),
    'rooms.leave': ({ roomId }) => typed(async () => (await requireSession().leave(roomId), null)),
    'rooms.markRead': ({ roomId }) =>
      typed(async () => (await requireSession().markRead(roomId), null)),
    'rooms.dismiss': ({ roomId }) =>
      typed(async () => (await requireSession().dismiss(roomId), null)),

    'members.list': ({ roomId }) => typed(() => requireSession().members(roomId)),
    'members.invite': ({ roomId, who }) =>
      typed(async () => {
        const s = requireSession();
        s.requireOpen(roomId);
        await s.peer.invite(roomId, who);
        return s.members(roomId);
      }),
    'members.kick': ({ roomId, endpoint }) =>
      typed(async () => {
        const s = requireSession();
        s.requireOpen(roomId);
        return kickReceiptView(await s.peer.kick(roomId, endpoint));
      }),
    'directory.search': ({ query }) =>
      typed(async () => {
        const needle = query.trim().toLowerCase();
        const all =
          await control().get<{ handle: string; endpoint: string; card: string }[]>(
            '/v1/directory',
          );
        const me = identity.require().record.endpointId;
        return all
          .filter((u) => needle === '' || u.handle.toLowerCase().includes(needle))
          .slice(0, 50)
          .flatMap((u) => directoryEntry(u, people, me) ?? []);
      }),

    'messages.list': ({ roomId }) => typed(async () => requireSession().roomMessages(roomId)),
    'messages.send': ({ roomId, text }) =>
      typed(() => requireSession().send(roomId, { type: 'message', text }, null)),

    'files.beginUpload': ({ roomId, name, size, mime }) =>
      typed(async () => ({ transferId: await transfers.beginUpload(roomId, name, size, mime) })),
    'files.writePiece': ({ transferId, offset, data }) =>
      typed(async () => (await transfers.writePiece(transferId, offset, data), null)),
    'files.commitUpload': ({ transferId }) => typed(() => transfers.commitUpload(transferId)),
    'files.download': ({ roomId, messageId }) => typed(() => transfers.download(roomId, messageId)),
    'files.readPiece': ({ transferId, offset, length }) =>
      typed(() => transfers.readPiece(transferId, offset, length)),
    'files.save': ({ transferId }) =>
      typed(async () => {
        const { path, name, mime } = transfers.finished(transferId);
        if (options.saveFile !== undefined) {
          return { savedTo: await options.saveFile(path, name), url: null };
        }
        if (options.offerDownload !== undefined) {
          return { savedTo: null, url: options.offerDownload(path, name, mime) };
        }
        throw new ConflictError('Saving files is not available here.');
      }),
    'files.cancel': ({ transferId }) =>
      typed(async () => (await transfers.cancel(transferId), null)),
    'files.resume': ({ transferId }) => typed(() => transfers.resume(transferId)),
    'files.transfers': async () => transfers.list(),

    'admin.listUsers': () => typed(() => admin.users()),
    'admin.addUser': ({ card, role: newRole }) => typed(() => admin.addUser(card, newRole)),
    'admin.revokeUser': ({ endpoint }) => typed(() => admin.revokeUser(endpoint)),
    'admin.listInvites': () => typed(() => admin.invites()),
    'admin.createInvite': ({ role: inviteRole, ttlSeconds, maxUses }) =>
      typed(() => admin.createInvite(inviteRole, ttlSeconds, maxUses)),
    'admin.revokeInvite': ({ id }) => typed(() => admin.revokeInvite(id)),
    'admin.listInviteKeys': () => typed(() => admin.inviteKeys()),
    'admin.rotateInviteKey': ({ graceSeconds }) => typed(() => admin.rotateInviteKey(graceSeconds)),

    ...peopleCalls({
      people,
      me: () => {
        const self = identity.require();
        return { endpoint: self.record.endpointId, signPub: hexEncode(self.keys.signPublic) };
      },
      session: () => session,
      directory: () =>
        control().get<{ handle: string; endpoint: string; card: string }[]>('/v1/directory'),
      emit,
    }),

    'settings.get': async () => settingsView(settings.current, options.loginItem),
    'settings.update': (change) => typed(() => updateSettings(settings, change, options.loginItem)),
  };

  void connect();

  return {
    handlers,
    keepsHosting: () => nodeHost.hosting && !nodeHost.stoppedByHost,
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      cancelNodeStart();
      await connecting?.catch(() => {});
      await transfers.close();
      const current = session;
      session = null;
      await current?.close().catch(() => {});
      await nodeHost.stop();
    },
  };
}
