/**
 * What the launcher (main) and the embedded node's utility process (out/main/cli.js) agree on.
 * Electron decides what `process.argv` of a utility process holds before the arguments passed to
 * `fork`, so the arguments follow a marker and the entry takes everything after it.
 */
export const NODE_ARGS_MARKER = '--unibus-cli-args';
/** Posted to the utility process to stop it in order where there is no SIGTERM (Windows). */
export const NODE_STOP_MESSAGE = 'unibus:stop';

export function withArgsMarker(args: readonly string[]): string[] {
  return [NODE_ARGS_MARKER, ...args];
}

/** The CLI arguments in a utility process's `process.argv` (empty when the marker is missing). */
export function cliArgsFromArgv(argv: readonly string[]): string[] {
  const at = argv.indexOf(NODE_ARGS_MARKER);
  return at === -1 ? [] : argv.slice(at + 1);
}
