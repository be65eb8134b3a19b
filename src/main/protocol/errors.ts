/**
 * Typed protocol errors. Each carries a stable machine `code`; messages never contain key
 * material or attacker-supplied bytes beyond short field names.
 */

export abstract class ProtocolError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string) {
    super(message);
    this.code = code;
  }
}

export type FrameDecodeErrorCode =
  | 'too-short'
  | 'too-long'
  | 'bad-version'
  | 'bad-type'
  | 'bad-epoch'
  | 'bad-timestamp'
  | 'bad-length'
  | 'bad-signature-length'
  | 'trailing-bytes';

/** `decodeFrame` throws only this. */
export class FrameDecodeError extends ProtocolError<FrameDecodeErrorCode> {
  override readonly name = 'FrameDecodeError';
}

export type IdentityCardErrorCode =
  'too-long' | 'bad-json' | 'bad-shape' | 'bad-version' | 'bad-handle' | 'bad-key' | 'id-mismatch';

export class IdentityCardError extends ProtocolError<IdentityCardErrorCode> {
  override readonly name = 'IdentityCardError';
}

/** Thrown for programmer errors: arguments the sender itself must never produce. */
export class ProtocolArgumentError extends ProtocolError<'invalid-argument'> {
  override readonly name = 'ProtocolArgumentError';
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

export type MessageBodyErrorCode = 'bad-utf8' | 'bad-json' | 'bad-shape' | 'too-long' | 'bad-file';

export class MessageBodyError extends ProtocolError<MessageBodyErrorCode> {
  override readonly name = 'MessageBodyError';
}

export type ManifestErrorCode =
  | 'bad-shape'
  | 'bad-file-id'
  | 'bad-name'
  | 'bad-mime'
  | 'bad-size'
  | 'bad-chunk-size'
  | 'bad-chunks'
  | 'bad-digest'
  | 'bad-key'
  | 'bad-index'
  | 'chunk-hash-mismatch'
  | 'chunk-length-mismatch'
  | 'decrypt-failed'
  | 'digest-mismatch';

export class ManifestError extends ProtocolError<ManifestErrorCode> {
  override readonly name = 'ManifestError';
}

export type RoomKeyErrorCode =
  'bad-record' | 'bad-signature' | 'decrypt-failed' | 'bad-binding' | 'wrong-room' | 'wrong-epoch';

export class RoomKeyError extends ProtocolError<RoomKeyErrorCode> {
  override readonly name = 'RoomKeyError';
}

export type RoomMetaErrorCode =
  | 'malformed'
  | 'unknown-epoch'
  | 'decrypt-failed'
  | 'bad-json'
  | 'bad-shape'
  | 'bad-name'
  | 'bad-topic';

export class RoomMetaError extends ProtocolError<RoomMetaErrorCode> {
  override readonly name = 'RoomMetaError';
}
