/**
 * `unibus join - | --link-file FILE [--handle NAME]` and `unibus whoami`.
 *
 * The invite link is read from stdin or a file, never from argv: every local user can read
 * `/proc/<pid>/cmdline`, so a link argument would hand the invite to anyone on the machine for as
 * long as the redeem runs (issue 12, attack 6). A link given as an argument is refused before it
 * is used.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { joinWithLink } from '../../main/bus';
import { ControlPlaneClient } from '../../main/control-plane';
import { loadConnection } from '../../main/profile/connection';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';

const JOIN_USAGE =
  'usage: unibus join - [--handle NAME]   (the link on stdin)\n' +
  '       unibus join --link-file FILE [--handle NAME]';
/** A join link is a few hundred bytes; more is not a link. */
const LINK_MAX_BYTES = 16 * 1024;

export async function joinCommand(args: string[], profileDir: string, out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { handle: { type: 'string' }, 'link-file': { type: 'string' } },
    allowPositionals: true,
    strict: false,
  });
  const unknown = Object.keys(values).find((k) => k !== 'handle' && k !== 'link-file');
  if (unknown !== undefined) throw new UsageError(`unknown option --${unknown}\n${JOIN_USAGE}`);
  const handle = typeof values.handle === 'string' ? values.handle : undefined;
  const linkFileValue = values['link-file'];
  if (typeof linkFileValue === 'boolean') {
    throw new UsageError(`--link-file needs a file\n${JOIN_USAGE}`);
  }
  const linkFile = linkFileValue;
  if (positionals.some((p) => p !== '-')) {
    // Never echo it: the argument may be the link itself.
    throw new UsageError(
      'a join link on the command line can be read by every user of this computer. ' +
        'Pipe it in with `unibus join -` (e.g. unibus join - < link.txt) or pass a file ' +
        `with \`unibus join --link-file FILE\`\n${JOIN_USAGE}`,
    );
  }
  const fromStdin = positionals.length === 1;
  if (positionals.length > 1 || fromStdin === (linkFile !== undefined)) {
    throw new UsageError(JOIN_USAGE);
  }
  const link = linkFile === undefined ? await readLinkFromStdin() : await readLinkFile(linkFile);
  if (link === '') throw new UsageError(`no join link was given\n${JOIN_USAGE}`);
  const identity = await openProfileIdentity(profileDir, {
    ...(handle !== undefined ? { handle } : {}),
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

/** The first line of stdin (a pasted link ends with Enter; a piped one at end of input). */
async function readLinkFromStdin(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) process.stderr.write('Paste the invite link, then press Enter: ');
  let text = '';
  for await (const chunk of stdin as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > LINK_MAX_BYTES) throw new UsageError('stdin does not hold a join link');
    if (text.includes('\n')) break;
  }
  stdin.pause();
  return text.split('\n')[0]!.trim();
}

async function readLinkFile(path: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`cannot read the link file ${path}`);
  }
  if (!info.isFile() || info.size > LINK_MAX_BYTES) {
    throw new UsageError(`${path} does not hold a join link`);
  }
  if ((info.mode & 0o077) !== 0) {
    process.stderr.write(
      `unibus: warning: ${path} can be read by other users of this computer; delete it once you joined\n`,
    );
  }
  return (await readFile(path, 'utf8')).trim();
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
