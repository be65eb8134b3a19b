#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx unibus` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
// Exit as soon as the command is done: a finished command must not linger on timers left in
// client libraries (stdout and stderr are written synchronously to files and pipes on Linux).
process.exit(await main(process.argv.slice(2)));
