/**
 * Entry of the embedded node's utility process (built to out/main/cli.js): the `unibus` CLI, run
 * the way bin/unibus.mjs runs it, with the arguments the launcher put after the marker.
 */
import { main } from '../../cli/main';
import { cliArgsFromArgv, NODE_STOP_MESSAGE } from './node-args';

// Windows has no SIGTERM: the launcher posts a stop message instead, handled like the signal
// (`unibus node start` stops in order on SIGTERM).
const parentPort = (process as { parentPort?: Electron.ParentPort }).parentPort;
parentPort?.on('message', (event) => {
  if (event.data === NODE_STOP_MESSAGE) process.emit('SIGTERM', 'SIGTERM');
});

// Exit as soon as the command is done, like bin/unibus.mjs: a finished command must not linger
// on timers left in client libraries.
process.exit(await main(cliArgsFromArgv(process.argv)));
