/**
 * `npm run web -- --profile DIR [--port N]`: runs the web shell in the foreground. Prints one
 * JSON line `{"event":"web-ready","url":...}` on stdout (the address to open, with the token in
 * its fragment: the only place the token is ever printed), and the bare address on stderr. SIGTERM or
 * Ctrl-C shut down in order (UI clients → peer → hosted node → nats-server).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startWebShell } from './server';

const projectRoot = resolve(import.meta.dirname, '../../..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string' },
      port: { type: 'string' },
      renderer: { type: 'string' },
    },
    strict: true,
  });
  if (values.profile === undefined) {
    throw new Error('usage: npm run web -- --profile DIR [--port N]');
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error('--port must be a port number');
  const rendererDir = values.renderer ?? join(projectRoot, 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`no built renderer in ${rendererDir}: run npm run build first`);
  }
  const shell = await startWebShell({ profileDir: values.profile, rendererDir, port });
  // The link with its access token is printed once, on stdout, for the one who started the shell;
  // the log (stderr) gets the address only (issue 12, attack 7).
  process.stdout.write(`${JSON.stringify({ event: 'web-ready', url: shell.url })}\n`);
  process.stderr.write(
    `unibus web shell: listening on ${shell.origin}; open the link printed on stdout (it carries the access token)\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void shell.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`unibus web: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
