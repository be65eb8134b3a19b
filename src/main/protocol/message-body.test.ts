import { describe, expect, it } from 'vitest';
import { MessageBodyError } from './errors.js';
import {
  FILE_CHUNK_MAX_SIZE,
  FILE_MAX_CHUNKS,
  sealFileInMemory,
  type FileManifest,
} from './file-manifest.js';
import { FRAME_MAX_PLAINTEXT } from './frame.js';
import {
  MESSAGE_TEXT_MAX_BYTES,
  encodeMessageBody,
  parseMessageBody,
  type MessageBody,
} from './message-body.js';
import type { FrameType } from './frame.js';
import { MESSAGE_ID } from './test/fixtures.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
function codeOf(type: FrameType, text: string | Uint8Array): string | undefined {
  try {
    parseMessageBody(type, typeof text === 'string' ? enc(text) : text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(MessageBodyError);
    return (error as MessageBodyError).code;
  }
}

describe('message bodies', () => {
  it('round-trips every body kind', () => {
    const { manifest } = sealFileInMemory({ name: 'a.txt', mime: 'text/plain', data: enc('abc') });
    const bodies: MessageBody[] = [
      { type: 'message', text: 'hello 👋' },
      { type: 'message', file: manifest },
      { type: 'edit', target: MESSAGE_ID, text: 'fixed' },
      { type: 'redact', target: MESSAGE_ID },
    ];
    for (const body of bodies)
      expect(parseMessageBody(body.type, encodeMessageBody(body))).toEqual(body);
    expect(new TextDecoder().decode(encodeMessageBody(bodies[0]!))).toBe('{"text":"hello 👋"}');
  });

  it('rejects malformed bodies', () => {
    expect(codeOf('message', new Uint8Array([0xc3]))).toBe('bad-utf8');
    expect(codeOf('message', '{')).toBe('bad-json');
    expect(codeOf('message', '"hi"')).toBe('bad-shape');
    expect(codeOf('message', '{}')).toBe('bad-shape');
    expect(codeOf('message', '{"text":""}')).toBe('bad-shape');
    expect(codeOf('message', '{"text":"\\ud800"}')).toBe('bad-shape');
    expect(codeOf('message', '{"text":"a","file":{}}')).toBe('bad-shape');
    expect(codeOf('message', '{"text":"a","x":1}')).toBe('bad-shape');
    expect(codeOf('message', '{"file":{"name":"x"}}')).toBe('bad-file');
    expect(
      codeOf('message', JSON.stringify({ text: 'a'.repeat(MESSAGE_TEXT_MAX_BYTES + 1) })),
    ).toBe('too-long');
    expect(
      codeOf('message', JSON.stringify({ text: 'a'.repeat(MESSAGE_TEXT_MAX_BYTES) })),
    ).toBeUndefined();
    expect(codeOf('edit', '{"target":"x","text":"a"}')).toBe('bad-shape');
    expect(codeOf('edit', `{"target":"${MESSAGE_ID}"}`)).toBe('bad-shape');
    expect(codeOf('redact', `{"target":"${MESSAGE_ID}","text":"a"}`)).toBe('bad-shape');
    expect(codeOf('redact', `{"target":"${MESSAGE_ID.toLowerCase()}"}`)).toBe('bad-shape');
  });

  it('refuses to encode invalid bodies', () => {
    expect(() => encodeMessageBody({ type: 'message', text: '' })).toThrow();
    expect(() => encodeMessageBody({ type: 'redact', target: 'nope' })).toThrow();
  });

  it('the largest valid file manifest still fits in one frame', () => {
    const largest: FileManifest = {
      fileId: new Uint8Array(16),
      name: '\u{1F600}'.repeat(255), // 255 code points of 4 UTF-8 bytes
      mime: `application/${'x'.repeat(127)}`,
      size: FILE_CHUNK_MAX_SIZE * FILE_MAX_CHUNKS,
      chunkSize: FILE_CHUNK_MAX_SIZE,
      chunks: Array.from({ length: FILE_MAX_CHUNKS }, () => 'f'.repeat(64)),
      digest: '0'.repeat(64),
      key: new Uint8Array(32),
    };
    const encoded = encodeMessageBody({ type: 'message', file: largest });
    expect(encoded.length).toBeLessThan(FRAME_MAX_PLAINTEXT);
    expect(parseMessageBody('message', encoded)).toEqual({ type: 'message', file: largest });
  });
});
