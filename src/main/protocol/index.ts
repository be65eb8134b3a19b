/**
 * @module protocol — unibus wire v1 (docs/PROTOCOL.md), the one public entry.
 *
 * Pure functions over Uint8Array and strings: no I/O, no `node:` imports. Imports only the
 * crypto module. Decoders of attacker-controlled input throw only their typed error (or
 * return a typed drop reason); ProtocolArgumentError marks a caller bug.
 */
export {
  ProtocolError,
  ProtocolArgumentError,
  FrameDecodeError,
  IdentityCardError,
  ManifestError,
  MessageBodyError,
  RoomKeyError,
  RoomMetaError,
  type FrameDecodeErrorCode,
  type IdentityCardErrorCode,
  type ManifestErrorCode,
  type MessageBodyErrorCode,
  type RoomKeyErrorCode,
  type RoomMetaErrorCode,
} from './errors.js';
export {
  base64Decode,
  base64Encode,
  base64urlDecode,
  base64urlEncode,
  hexDecode,
  hexEncode,
} from './encoding.js';
export {
  ENDPOINT_ID_LENGTH,
  endpointIdFromBytes,
  endpointIdToBytes,
  isEndpointId,
  isMessageId,
  isRoomId,
  isUlid,
  newUlid,
  ulidTime,
} from './ids.js';
export {
  HANDLE_MAX_CODE_POINTS,
  IDENTITY_CARD_MAX_BYTES,
  encodeIdentityCard,
  handleProblem,
  isValidHandle,
  parseIdentityCard,
  type IdentityCard,
} from './identity-card.js';
export { REQUEST_PATH_MAX_LENGTH, isCanonicalRequestPath } from './request-path.js';
export {
  HEADER_NONCE,
  HEADER_BODY_SHA256,
  HEADER_PUB,
  HEADER_SIG,
  HEADER_TS,
  REQUEST_CLOCK_SKEW_SECONDS,
  REQUEST_NONCE_BYTES,
  REQUEST_NONCE_TTL_SECONDS,
  SIGNED_REQUEST_ERRORS,
  bodyDigestHex,
  bodyMatchesDigest,
  canonicalRequest,
  signRequest,
  verifySignedRequestHeaders,
  type CanonicalRequestInput,
  type HeaderBag,
  type RejectedRequest,
  type SignRequestInput,
  type SignedRequestErrorCode,
  type SignedRequestHeaders,
  type VerifiedRequest,
  type VerifyRequestInput,
} from './signed-request.js';
export {
  EPOCH_MAX,
  FRAME_MAX_BYTES,
  FRAME_MAX_PLAINTEXT,
  FRAME_TYPES,
  decodeFrame,
  encodeFrame,
  isValidEpoch,
  type Frame,
  type FrameHeader,
  type FrameType,
} from './frame.js';
export {
  ROOM_KEY_BYTES,
  checkFrameSignature,
  frameAssociatedData,
  frameSigningBytes,
  openFrame,
  sealFrame,
  type FrameDropReason,
  type OpenFrameOptions,
  type OpenedFrame,
  type SealFrameInput,
} from './frame-seal.js';
export {
  MESSAGE_TEXT_MAX_BYTES,
  encodeMessageBody,
  parseMessageBody,
  type MessageBody,
} from './message-body.js';
export {
  FILE_CHUNK_DEFAULT_SIZE,
  FILE_CHUNK_MAX_SIZE,
  FILE_CHUNK_MIN_SIZE,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  FILE_MAX_CHUNKS,
  fileChunkCount,
  fileChunkLength,
  fileManifestToJson,
  isValidFileName,
  openFileInMemory,
  openManifestChunk,
  parseFileManifest,
  sealFileInMemory,
  sealManifestChunk,
  type FileManifest,
} from './file-manifest.js';
export {
  SEALED_ROOM_KEY_BYTES,
  createRoomKeyGrant,
  newRoomKey,
  openRoomKeyGrant,
  parseRoomKeyGrant,
  roomKeyGrantToJson,
  roomKeyPlaintext,
  verifyRoomKeyGrant,
  type RoomKeyGrant,
} from './room-key.js';
export {
  ROOM_META_MAX_BYTES,
  ROOM_NAME_MAX_CODE_POINTS,
  ROOM_TOPIC_MAX_CODE_POINTS,
  openRoomMeta,
  roomMetaEpoch,
  roomMetaProblem,
  sealRoomMeta,
  type RoomMeta,
} from './room-meta.js';
export {
  GENERIC_SERVER_ERROR,
  HTTP_STATUS,
  errorBody,
  errorText,
  type HttpErrorStatus,
} from './http-errors.js';
export {
  NATS_JWT_HEADER,
  NatsJwtError,
  authorizationResponseClaims,
  parseAuthorizationRequest,
  signNatsJwt,
  userJwtClaims,
  verifyNatsJwt,
  verifyNonceSignature,
  type AuthorizationRequest,
  type NatsPermission,
  type UserGrant,
} from './nats-jwt.js';
export {
  findDuplicateKey,
  parseJsonBytes,
  parseStrictJson,
  type StrictJsonResult,
} from './json.js';
export {
  confusableSkeleton,
  handlesLookAlike,
  lookAlikeKeys,
  type LookAlikeKeys,
} from './handle-skeleton.js';
export {
  FINGERPRINT_DIGITS,
  SAFETY_NUMBER_DIGITS,
  SAFETY_NUMBER_ITERATIONS,
  SAFETY_NUMBER_WORDS,
  SHORT_FINGERPRINT_GROUPS,
  digitGroups,
  identityFingerprint,
  safetyNumber,
  safetyNumberWords,
  shortFingerprint,
} from './safety-number.js';
