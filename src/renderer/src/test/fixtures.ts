/** Small builders for the view types, with defaults a test can override. */
import type {
  AppState,
  IdentityView,
  MemberView,
  MessageView,
  NodeStatusView,
  RoomView,
  TransferView,
} from '../../../shared/types/app';

export const ME: IdentityView = {
  handle: 'alice',
  endpoint: 'ep-alice',
  card: '{"v":1,"id":"ep-alice","handle":"alice","sign_pub":"AAA","kex_pub":"BBB"}',
  protection: 'os-keychain',
};

export function appState(overrides: Partial<AppState> = {}): AppState {
  return {
    phase: 'ready',
    identity: ME,
    availableProtections: ['os-keychain'],
    connection: { status: 'online', since: 1 },
    node: null,
    role: 'member',
    hosting: false,
    host: 'web',
    ...overrides,
  };
}

export function room(overrides: Partial<RoomView> = {}): RoomView {
  return {
    id: 'room-1',
    name: 'general',
    topic: 'Everything',
    metaError: null,
    role: 'owner',
    epoch: 1,
    policy: { persist: true, history: 'all' },
    createdAt: 1_767_225_600_000,
    unread: 0,
    removed: null,
    ...overrides,
  };
}

export function message(overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm-1',
    roomId: 'room-1',
    kind: 'text',
    sender: 'ep-bob',
    senderHandle: 'bob',
    fromMe: false,
    text: 'hello',
    file: null,
    timestamp: 1_767_225_600_000,
    signed: true,
    trust: 'unverified',
    state: null,
    reason: null,
    ...overrides,
  };
}

export function member(overrides: Partial<MemberView> = {}): MemberView {
  return {
    endpoint: 'ep-bob',
    handle: 'bob',
    role: 'member',
    status: 'active',
    sinceEpoch: 1,
    isMe: false,
    fingerprint: '12345 67890 13579 24680',
    trust: 'unverified',
    ...overrides,
  };
}

export function transfer(overrides: Partial<TransferView> = {}): TransferView {
  return {
    id: 't-1',
    direction: 'download',
    roomId: 'room-1',
    messageId: 'm-1',
    name: 'photo.png',
    size: 10,
    mime: 'image/png',
    bytesDone: 0,
    bytesPerSecond: 0,
    etaSeconds: null,
    state: 'running',
    error: null,
    ready: false,
    ...overrides,
  };
}

export function nodeStatus(overrides: Partial<NodeStatusView> = {}): NodeStatusView {
  return {
    running: true,
    hosting: true,
    address: {
      nodeId: 'node-1',
      controlUrls: ['https://127.0.0.1:7443'],
      natsUrls: ['tls://127.0.0.1:4222'],
      caFingerprint: 'ab'.repeat(32),
    },
    serverVersion: '2.14.9',
    posture: { tls: true, signedAuth: true },
    peersConnected: 2,
    storageBytes: 2048,
    dataDir: '/data/node',
    error: null,
    ...overrides,
  };
}
