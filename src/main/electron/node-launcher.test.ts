import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliArgsFromArgv, NODE_ARGS_MARKER, NODE_STOP_MESSAGE } from './node-args';
import { createUtilityNodeLauncher, STOP_GRACE_MS } from './node-launcher';
import { FakeUtilityProcess, utilityProcess } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const ARGS = ['node', 'start', '--data-dir', '/d', '--admin-card', 'card'];

function lastChild(): FakeUtilityProcess {
  const child = utilityProcess.fork.mock.results.at(-1)?.value as FakeUtilityProcess | undefined;
  if (child === undefined) throw new Error('nothing forked');
  return child;
}

describe('embedded node in a utilityProcess', () => {
  beforeEach(() => utilityProcess.fork.mockClear());
  afterEach(() => vi.useRealTimers());

  it('forks the built CLI with the arguments after the marker, piped output, bundled nats-server', () => {
    const launch = createUtilityNodeLauncher({
      entry: '/app/out/main/cli.js',
      natsServer: '/app/resources/nats-server/linux-x64/nats-server',
    });
    launch(ARGS, { PATH: '/bin' });
    const child = lastChild();
    expect(child.modulePath).toBe('/app/out/main/cli.js');
    // A utility process has no stdin: the stdin-close watch would stop the node at once.
    expect(child.args).toEqual([NODE_ARGS_MARKER, ...ARGS]);
    expect(child.options).toMatchObject({
      stdio: 'pipe',
      env: { PATH: '/bin', UNIBUS_NATS_SERVER: '/app/resources/nats-server/linux-x64/nats-server' },
    });
  });

  it('keeps a nats-server named by the environment, and sets none when nothing is bundled', () => {
    createUtilityNodeLauncher({ entry: '/e', natsServer: '/bundled' })(ARGS, {
      UNIBUS_NATS_SERVER: '/mine',
    });
    expect(lastChild().options['env']).toEqual({ UNIBUS_NATS_SERVER: '/mine' });
    createUtilityNodeLauncher({ entry: '/e', natsServer: null })(ARGS, {});
    expect(lastChild().options['env']).toEqual({});
  });

  it('streams stdout/stderr and reports the exit code', async () => {
    const node = createUtilityNodeLauncher({ entry: '/e', natsServer: null })(ARGS, {});
    const child = lastChild();
    const lines: string[] = [];
    node.stdout.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    child.stdout.write('{"event":"ready"}\n');
    await vi.waitFor(() => expect(lines.join('')).toBe('{"event":"ready"}\n'));
    child.emit('exit', 3);
    await expect(node.exited).resolves.toBe(3);
  });

  it('stop: SIGTERM (kill) on POSIX', () => {
    const node = createUtilityNodeLauncher({ entry: '/e', natsServer: null, platform: 'linux' })(
      ARGS,
      {},
    );
    node.stop();
    expect(lastChild().kill).toHaveBeenCalledTimes(1);
    expect(lastChild().postMessage).not.toHaveBeenCalled();
  });

  it('stop on Windows: asks for an ordered stop, terminates only after the grace period', async () => {
    vi.useFakeTimers();
    const node = createUtilityNodeLauncher({ entry: '/e', natsServer: null, platform: 'win32' })(
      ARGS,
      {},
    );
    const child = lastChild();
    node.stop();
    expect(child.postMessage).toHaveBeenCalledWith(NODE_STOP_MESSAGE);
    await vi.advanceTimersByTimeAsync(STOP_GRACE_MS - 1);
    expect(child.kill).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(child.kill).toHaveBeenCalledTimes(1);
  });

  it('stop on Windows: no kill when the node stopped in time', async () => {
    vi.useFakeTimers();
    const node = createUtilityNodeLauncher({ entry: '/e', natsServer: null, platform: 'win32' })(
      ARGS,
      {},
    );
    const child = lastChild();
    node.stop();
    child.emit('exit', 0);
    await vi.advanceTimersByTimeAsync(STOP_GRACE_MS * 2);
    expect(child.kill).not.toHaveBeenCalled();
  });

  it('the entry takes exactly the arguments after the marker', () => {
    expect(
      cliArgsFromArgv(['/electron', '/app/out/main/cli.js', NODE_ARGS_MARKER, 'a', '--b']),
    ).toEqual(['a', '--b']);
    expect(cliArgsFromArgv([NODE_ARGS_MARKER])).toEqual([]);
    expect(cliArgsFromArgv(['/electron', 'a'])).toEqual([]);
  });
});
