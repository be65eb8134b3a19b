/**
 * How a profile reaches its node: written when the profile hosts a node or joins one with an
 * invite link. Not secret (addresses, the node id and the CA certificate to pin), but written
 * atomically like everything else in the profile.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../base/atomic-file';

export const CONNECTION_FILE = 'connection.json';

export interface NodeConnection {
  readonly v: 1;
  readonly node_id: string;
  readonly control_urls: readonly string[];
  readonly nats_urls: readonly string[];
  readonly ca_fingerprint: string;
  readonly ca_pem: string;
}

export class ConnectionProfileError extends Error {
  override readonly name = 'ConnectionProfileError';
}

export async function saveConnection(
  profileDir: string,
  connection: NodeConnection,
): Promise<void> {
  await writeFileAtomic(
    join(profileDir, CONNECTION_FILE),
    `${JSON.stringify(connection, null, 2)}\n`,
  );
}

export async function loadConnection(profileDir: string): Promise<NodeConnection> {
  let text: string;
  try {
    text = await readFile(join(profileDir, CONNECTION_FILE), 'utf8');
  } catch {
    throw new ConnectionProfileError(
      'this profile is not connected to a node yet: host one or join with an invite link',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConnectionProfileError(`${CONNECTION_FILE} is damaged; join the node again`);
  }
  if (!isConnection(value))
    throw new ConnectionProfileError(`${CONNECTION_FILE} is damaged; join the node again`);
  return value;
}

function isConnection(value: unknown): value is NodeConnection {
  const c = value as Partial<NodeConnection> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    c.v === 1 &&
    typeof c.node_id === 'string' &&
    Array.isArray(c.control_urls) &&
    c.control_urls.every((u) => typeof u === 'string') &&
    Array.isArray(c.nats_urls) &&
    c.nats_urls.every((u) => typeof u === 'string') &&
    typeof c.ca_fingerprint === 'string' &&
    typeof c.ca_pem === 'string'
  );
}
