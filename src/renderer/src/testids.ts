/**
 * Every `data-testid` the end-to-end tests rely on. Components import these constants; Playwright
 * tests use the same strings (`page.getByTestId(TID.composer)`). Items that repeat carry extra
 * data attributes (noted beside them) so a test can pick one without relying on order.
 */
export const TID = {
  // App shell
  appLoading: 'app-loading',
  appLoadError: 'app-load-error',
  bridgeDisconnected: 'bridge-disconnected',
  errorMessage: 'error-message',
  dialog: 'dialog',
  dialogCancel: 'dialog-cancel',

  // First run: identity
  firstRun: 'first-run',
  createIdentityTab: 'create-identity-tab',
  importBackupTab: 'import-backup-tab',
  createIdentityHandle: 'create-identity-handle',
  keyProtection: 'key-protection',
  createIdentityPassphrase: 'create-identity-passphrase',
  createIdentityPassphraseRepeat: 'create-identity-passphrase-repeat',
  createIdentitySubmit: 'create-identity-submit',
  unlockPassphrase: 'unlock-passphrase',
  unlockSubmit: 'unlock-submit',
  importBackupFile: 'import-backup-file',
  importBackupPassphrase: 'import-backup-passphrase',
  importBackupStorePassphrase: 'import-backup-store-passphrase',
  importBackupSubmit: 'import-backup-submit',

  // First run: connect
  connectChoice: 'connect-choice',
  hostChoice: 'host-choice',
  joinChoice: 'join-choice',
  hostBind: 'host-bind',
  hostHttpPort: 'host-http-port',
  hostNatsPort: 'host-nats-port',
  hostDataDir: 'host-data-dir',
  hostButton: 'host-button',
  hostResult: 'host-result',
  hostCaFingerprint: 'host-ca-fingerprint',
  hostAddresses: 'host-addresses',
  hostContinue: 'host-continue',
  joinLinkInput: 'join-link-input',
  joinPreviewButton: 'join-preview-button',
  joinPreview: 'join-preview',
  joinNodeId: 'join-node-id',
  joinCaFingerprint: 'join-ca-fingerprint',
  joinConfirm: 'join-confirm',
  joinCancel: 'join-cancel',

  // Sidebar
  sidebar: 'sidebar',
  currentUser: 'current-user',
  connectionState: 'connection-state', // data-status: offline | connecting | online | reconnecting
  roomFilter: 'room-filter',
  roomList: 'room-list',
  roomListItem: 'room-list-item', // data-room-name, data-room-id, data-removed
  roomUnread: 'room-unread',
  createRoomButton: 'create-room-button',
  createRoomDialog: 'create-room-dialog',
  createRoomName: 'create-room-name',
  createRoomTopic: 'create-room-topic',
  createRoomPersist: 'create-room-persist',
  createRoomHistory: 'create-room-history',
  createRoomSubmit: 'create-room-submit',
  adminNav: 'admin-nav',
  settingsNav: 'settings-nav',

  // Room
  roomView: 'room-view', // data-room-id
  noRoomSelected: 'no-room-selected',
  roomName: 'room-name',
  roomTopic: 'room-topic',
  roomEpoch: 'room-epoch',
  messageList: 'message-list',
  messageItem: 'message-item', // data-message-id, data-kind, data-state, data-from-me
  messageSender: 'message-sender',
  messageTime: 'message-time',
  messageVerified: 'message-verified', // data-verified: true | false
  messageText: 'message-text',
  messageLink: 'message-link',
  messageState: 'message-state', // data-state: sending | stored | failed
  messageDropped: 'message-dropped',
  composer: 'composer',
  sendButton: 'send-button',
  composerError: 'composer-error',
  removedBanner: 'removed-banner',
  removedDismiss: 'removed-dismiss',
  dropZone: 'drop-zone',

  // Files
  attachButton: 'attach-button',
  attachInput: 'attach-input',
  transferList: 'transfer-list',
  transferItem: 'transfer-item', // data-transfer-id, data-direction, data-state
  progressBar: 'progress-bar',
  transferRate: 'transfer-rate',
  transferCancel: 'transfer-cancel',
  transferResume: 'transfer-resume',
  transferHide: 'transfer-hide',
  fileCard: 'file-card', // data-file-name
  downloadButton: 'download-button',
  saveButton: 'save-button',
  imagePreview: 'image-preview',

  // Members
  membersButton: 'members-button',
  membersPanel: 'members-panel',
  memberItem: 'member-item', // data-handle, data-endpoint, data-status
  inviteInput: 'invite-input',
  inviteSearchResult: 'invite-search-result', // data-handle
  inviteSubmit: 'invite-submit',
  inviteCardSubmit: 'invite-card-submit',
  kickButton: 'kick-button', // data-handle
  kickConfirm: 'kick-confirm',
  kickReceipt: 'kick-receipt',
  leaveRoomButton: 'leave-room-button',
  leaveConfirm: 'leave-confirm',

  // Admin
  adminScreen: 'admin-screen',
  userItem: 'user-item', // data-handle, data-status
  userRevoke: 'user-revoke', // data-handle
  userRevokeConfirm: 'user-revoke-confirm',
  addUserCard: 'add-user-card',
  addUserRole: 'add-user-role',
  addUserSubmit: 'add-user-submit',
  inviteRole: 'invite-role',
  inviteExpiry: 'invite-expiry',
  inviteUses: 'invite-uses',
  inviteCreate: 'invite-create',
  inviteLink: 'invite-link',
  inviteLinkCopy: 'invite-link-copy',
  inviteLinkDone: 'invite-link-done',
  inviteItem: 'invite-item', // data-invite-id, data-revoked
  inviteRevoke: 'invite-revoke',
  inviteRevokeConfirm: 'invite-revoke-confirm',
  inviteKeys: 'invite-keys', // data-retiring: number of replaced keys whose links still work
  inviteKeyRotate: 'invite-key-rotate',
  inviteKeyGrace: 'invite-key-grace',
  inviteKeyRotateConfirm: 'invite-key-rotate-confirm',
  nodeStatus: 'node-status', // data-running: true | false
  nodeStop: 'node-stop',
  nodeStopWarning: 'node-stop-warning',
  nodePeers: 'node-peers',
  nodeStopConfirm: 'node-stop-confirm',
  nodeStart: 'node-start',
  nodeRefresh: 'node-refresh',

  // Settings
  settingsScreen: 'settings-screen',
  identityCard: 'identity-card',
  copyCard: 'copy-card',
  exportPassphrase: 'export-passphrase',
  exportPassphraseRepeat: 'export-passphrase-repeat',
  exportSubmit: 'export-submit',
  themeDark: 'theme-dark',
  themeLight: 'theme-light',
  notificationsToggle: 'notifications-toggle',
  startHiddenToggle: 'start-hidden-toggle',
} as const;

export type TestId = (typeof TID)[keyof typeof TID];
