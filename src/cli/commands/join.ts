/** `unibus join LINK --handle NAME` and `unibus whoami`. */
import { parseArgs } from 'node:util';
import { joinWithLink } from '../../main/bus';
import { ControlPlaneClient } from '../../main/control-plane';
import { loadConnection } from '../../main/profile/connection';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';

export async function joinCommand(args: string[], profileDir: string, out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { handle: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [link, ...extra] = positionals;
  if (link === undefined || extra.length > 0) {
    throw new UsageError('usage: unibus join LINK [--handle NAME]');
  }
  const identity = await openProfileIdentity(profileDir, {
    ...(values.handle !== undefined ? { handle: values.handle } : {}),
  });
  const joined = await joinWithLink(link, { profileDir, identity });
  const endpoint = String(joined.user['endpoint'] ?? '');
  out.result(
    {
      id: endpoint,
      handle: identity.record.handle,
      role: joined.user['role'],
      node_id: joined.connection.node_id,
    },
    `joined node ${joined.connection.node_id} as ${identity.record.handle} (${endpoint})`,
  );
}

export async function whoamiCommand(
  args: string[],
  profileDir: string,
  out: Output,
): Promise<void> {
  if (args.length > 0) throw new UsageError('usage: unibus whoami');
  const [identity, connection] = await Promise.all([
    openProfileIdentity(profileDir),
    loadConnection(profileDir),
  ]);
  const client = new ControlPlaneClient({
    nodeId: connection.node_id,
    urls: connection.control_urls,
    caPem: connection.ca_pem,
    signSeed: identity.keys.signSeed,
  });
  const me = await client.get<{ endpoint: string; handle: string; role: string; card: string }>(
    '/v1/me',
  );
  out.result(
    {
      id: me.endpoint,
      handle: me.handle,
      role: me.role,
      node_id: connection.node_id,
      card: me.card,
    },
    `${me.handle} (${me.endpoint}), ${me.role} on node ${connection.node_id}`,
  );
}
