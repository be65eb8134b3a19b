/**
 * The node's data-plane authorization keys, in their own secret file (0600, beside
 * `internal.json`): the MEMBERS identity (frame ingest, events), the SYS identity (CONNZ,
 * KICK) and the account key that signs the user JWTs the auth callout issues.
 *
 *   <data>/secrets/data-plane.json   { "v": 1, "members": b64url, "system": b64url, "issuer": b64url }
 *
 * A data directory made before auth callout has no such file: it is created on the first start
 * under this code (an upgrade step that loses nothing). A damaged file is never regenerated.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519PublicKey, nkeyPublic, randomBytes } from '../../crypto';
import { base64urlDecode, base64urlEncode } from '../../protocol';
import { writeSecretFileAtomic } from '../../base/atomic-file';
import { NodeStateError } from './node-state';

export interface DataPlaneKeys {
  /** Seed of the node's identity in the MEMBERS account. */
  readonly membersSeed: Uint8Array;
  /** Seed of the node's identity in the system account. */
  readonly systemSeed: Uint8Array;
  /** Seed of the account key that issues user JWTs (`auth_callout.issuer`). */
  readonly issuerSeed: Uint8Array;
  /** `A…`: the issuer's public account nkey. */
  readonly issuer: string;
}

export async function loadOrCreateDataPlaneKeys(dataDir: string): Promise<DataPlaneKeys> {
  const file = join(dataDir, 'secrets', 'data-plane.json');
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === null) {
    const keys = { members: randomBytes(32), system: randomBytes(32), issuer: randomBytes(32) };
    await writeSecretFileAtomic(
      file,
      JSON.stringify({
        v: 1,
        members: base64urlEncode(keys.members),
        system: base64urlEncode(keys.system),
        issuer: base64urlEncode(keys.issuer),
      }),
    );
    return toKeys(keys.members, keys.system, keys.issuer);
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new NodeStateError(
      'secrets/data-plane.json is not valid JSON; the node will not recreate it',
    );
  }
  const seed = (key: string) =>
    typeof value[key] === 'string' ? base64urlDecode(value[key]) : undefined;
  const [members, system, issuer] = [seed('members'), seed('system'), seed('issuer')];
  if (value.v !== 1 || members?.length !== 32 || system?.length !== 32 || issuer?.length !== 32) {
    throw new NodeStateError('secrets/data-plane.json is damaged');
  }
  return toKeys(members, system, issuer);
}

function toKeys(membersSeed: Uint8Array, systemSeed: Uint8Array, issuerSeed: Uint8Array) {
  return {
    membersSeed,
    systemSeed,
    issuerSeed,
    issuer: nkeyPublic('account', ed25519PublicKey(issuerSeed)),
  };
}
