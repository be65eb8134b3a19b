/**
 * Invite tokens of docs/PROTOCOL.md §11.9, parsed and (for tests that act as the node's
 * operator, holding its key file) minted from the spec:
 *   "ubi1." base64url(payload JSON) "." base64url(Ed25519("unibus:v1:invite" || 0x00 || payload))
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { b64url, concat, fromB64url, label, text, utf8 } from './bytes';
import { ed25519Sign } from './identity';

export interface InvitePayload {
  v: number;
  kid: string;
  id: string;
  node: string;
  role: string;
  exp: number;
  s: string;
}

export function parseToken(token: string): { payload: InvitePayload; signature: string } {
  const [, payload, signature] = token.split('.');
  return {
    payload: JSON.parse(text(fromB64url(payload!))) as InvitePayload,
    signature: signature!,
  };
}

/** Re-encodes a payload and keeps the given signature (a tampered token). */
export function withPayload(payload: unknown, signature: string): string {
  return `ubi1.${b64url(utf8(JSON.stringify(payload)))}.${signature}`;
}

export function signToken(payload: unknown, seed: Uint8Array): string {
  const bytes = utf8(JSON.stringify(payload));
  const signature = ed25519Sign(seed, concat(label('unibus:v1:invite'), bytes));
  return `ubi1.${b64url(bytes)}.${b64url(signature)}`;
}

export interface InviteKeyFile {
  primary: string;
  keys: { kid: string; seed: string }[];
}

const keyFile = (dataDir: string) => join(dataDir, 'secrets', 'invite-keys.json');

export const readInviteKeys = (dataDir: string): InviteKeyFile =>
  JSON.parse(readFileSync(keyFile(dataDir), 'utf8')) as InviteKeyFile;

export function writeInviteKeys(dataDir: string, keys: InviteKeyFile): void {
  writeFileSync(keyFile(dataDir), JSON.stringify(keys), { mode: 0o600 });
}
