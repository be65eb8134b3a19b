/**
 * The web shell's bridge wire format: the IPC contract carried as JSON text over a loopback
 * WebSocket. JSON has no bytes, so a Uint8Array travels as `{"$bytes": "<base64>"}` and is
 * rebuilt on arrival; nothing else is special. Process-neutral (browser and Node).
 */
import type { IpcReply } from './contract';

export type WireClientMessage = {
  readonly t: 'call';
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
};

export type WireServerMessage =
  | { readonly t: 'reply'; readonly id: number; readonly reply: IpcReply<unknown> }
  | { readonly t: 'event'; readonly name: string; readonly payload: unknown };

/** Fragment parameter carrying the per-run token in the page address (`/#token=…`). */
export const WIRE_TOKEN_PARAM = 'token';
/**
 * The bridge's WebSocket subprotocol (RFC 6455 §1.9). The client offers it together with
 * `WIRE_TOKEN_PROTOCOL_PREFIX + token`; the server answers with this one only. The token travels
 * in the `Sec-WebSocket-Protocol` request header, never in the URL, so a browser that prints a
 * failed socket's URL to its console (it does, on every failed reconnect) never prints the token
 * (issue 12, attack 7).
 */
export const WIRE_PROTOCOL = 'unibus-bridge.v1';
export const WIRE_TOKEN_PROTOCOL_PREFIX = 'unibus-token.';

/** The subprotocols a client offers: the bridge's, and the token (base64url, a valid token char set). */
export function bridgeProtocols(token: string): string[] {
  return [WIRE_PROTOCOL, `${WIRE_TOKEN_PROTOCOL_PREFIX}${token}`];
}
/** Path of the WebSocket endpoint. */
export const WIRE_PATH = '/bridge';

// Browsers and Node (≥ 16) both have these globals; src/shared is typed without DOM or Node libs.
declare function btoa(data: string): string;
declare function atob(data: string): string;

const BYTES_TAG = '$bytes';
const BASE64_CHUNK = 0x8000;

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + BASE64_CHUNK));
  }
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodeWire(message: WireClientMessage | WireServerMessage): string {
  return JSON.stringify(message, (_key, value: unknown) =>
    value instanceof Uint8Array ? { [BYTES_TAG]: bytesToBase64(value) } : value,
  );
}

/** Parses wire text; throws on malformed JSON or a malformed bytes tag. Shape is checked by the caller. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && BYTES_TAG in value) {
      const tagged = value as Record<string, unknown>;
      const encoded = tagged[BYTES_TAG];
      if (Object.keys(tagged).length !== 1 || typeof encoded !== 'string') {
        throw new SyntaxError('malformed bytes value');
      }
      return base64ToBytes(encoded);
    }
    return value;
  });
}
