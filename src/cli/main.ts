/**
 * The `unibus` command line: the same peer and node code the desktop app runs, for servers,
 * bots and tests. Global options: `--profile DIR` (default ./unibus-profile), `--json`.
 * Errors are one line on stderr and a non-zero exit code, never a stack trace.
 */
import { resolve } from 'node:path';
import { fetchFileCommand, sendFileCommand } from './commands/files';
import { identityCommand } from './commands/identity';
import { invitesCommand } from './commands/invites';
import { joinCommand, whoamiCommand } from './commands/join';
import { historyCommand, listenCommand, sendCommand } from './commands/messages';
import { nodeCommand } from './commands/node';
import { roomsCommand } from './commands/rooms';
import { UsageError } from './errors';
import { createOutput } from './output';

const USAGE = `usage: unibus [--profile DIR] [--json] <command>
commands:
  node start --data-dir DIR [--bind ADDR] [--http-port N] [--nats-port N] [--handle NAME]
  invites create [--role member|admin] [--ttl DURATION] [--uses N]
  invites keys | invites rotate-key [--grace DURATION]
  join - [--handle NAME]   (reads the link from stdin)
  join --link-file FILE [--handle NAME]
  whoami
  rooms list | create NAME [--topic T] [--no-persist] [--since-join] | invite ROOM HANDLE
        | kick ROOM HANDLE | leave ROOM
  send ROOM TEXT
  history ROOM
  listen ROOM
  send-file ROOM PATH [--name NAME] [--mime TYPE]
  fetch-file ROOM MSGID OUTPATH
  identity export FILE | identity import FILE [--replace]   (UNIBUS_BACKUP_PASSPHRASE)`;

export async function main(argv: string[]): Promise<number> {
  let profileDir = resolve(process.env.UNIBUS_PROFILE ?? 'unibus-profile');
  let json = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--profile') {
      const value = argv[++i];
      if (value === undefined) return fail(new UsageError('--profile needs a directory'));
      profileDir = resolve(value);
    } else if (arg.startsWith('--profile=')) {
      profileDir = resolve(arg.slice('--profile='.length));
    } else if (arg === '--json') {
      json = true;
    } else {
      rest.push(arg);
    }
  }
  const out = createOutput(json);
  const [command, ...args] = rest;
  try {
    switch (command) {
      case 'node':
        await nodeCommand(args, profileDir, out);
        return 0;
      case 'invites':
        await invitesCommand(args, profileDir, out);
        return 0;
      case 'send-file':
        await sendFileCommand(args, profileDir, out);
        return 0;
      case 'fetch-file':
        await fetchFileCommand(args, profileDir, out);
        return 0;
      case 'identity':
        await identityCommand(args, profileDir, out);
        return 0;
      case 'join':
        await joinCommand(args, profileDir, out);
        return 0;
      case 'whoami':
        await whoamiCommand(args, profileDir, out);
        return 0;
      case 'rooms':
        await roomsCommand(args, profileDir, out);
        return 0;
      case 'send':
        await sendCommand(args, profileDir, out);
        return 0;
      case 'history':
        await historyCommand(args, profileDir, out);
        return 0;
      case 'listen':
        await listenCommand(args, profileDir, out);
        return 0;
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    return fail(error);
  }
}

function fail(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`unibus: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`unibus: ${message.split('\n')[0]}\n`);
  return 1;
}
