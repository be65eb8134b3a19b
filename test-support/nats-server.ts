/**
 * Test launcher for a real nats-server, in the spirit of nats.js `nst`.
 *
 * - Writes a temp config (its own temp dir), lets the server pick free loopback ports
 *   (`127.0.0.1:-1`) and reads them back from the ports file (`ports_file_dir`): no race
 *   between picking a port and binding it.
 * - Binary: the node's resolver (src/main/node/nats-server/resolve.ts): `$UNIBUS_NATS_SERVER`,
 *   else the cached build of the pinned release, else a `nats-server` on PATH at the pin.
 * - Waits until the server logs "Server is ready" and accepts a TCP connection.
 * - Optional JetStream with a temp store dir, optional loopback monitoring port.
 * - `reload(newConfig?)` sends SIGHUP and waits for "Reloaded server configuration" (rejects on
 *   "Failed to reload …"); `stop()` (SIGTERM → SIGKILL) and `kill(signal)`; `restart()` brings
 *   the same config and store back on the same port; the temp dir is removed by `stop()`.
 *
 * One server per test file:
 *   let ns: TestNatsServer;
 *   beforeAll(async () => { ns = await TestNatsServer.start({ jetstream: true }); });
 *   afterAll(() => ns?.stop());
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveNatsServerBinary } from '../src/main/node/nats-server/binary.js';
import {
  LogWatch,
  READY_RE,
  RELOADED_RE,
  RELOAD_FAILED_RE,
  canConnect,
  hostPortOf,
  portsFilePath,
  readPortsFile,
  sleep,
  waitForExit,
} from '../src/main/node/nats-server/process-io.js';

export interface TestNatsServerOptions {
  /** Enable JetStream with a temp store dir. */
  readonly jetstream?: boolean;
  /** Open the monitoring port on 127.0.0.1 (free port). */
  readonly monitoring?: boolean;
  /**
   * Extra config appended after the launcher's lines (accounts, authorization, …). Must not set
   * `listen`, `port`, `ports_file_dir` or `jetstream`.
   */
  readonly config?: string;
  /**
   * The whole config instead. Receives the paths the launcher manages; it must contain
   * `ports_file_dir: "<portsFileDir>"` and listen on a loopback address.
   */
  readonly fullConfig?: (paths: { dir: string; portsFileDir: string; storeDir: string }) => string;
  /** Extra environment for the server (e.g. an at-rest key referenced as `$VAR`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Binary override (default: resolveNatsServerBinary()). */
  readonly bin?: string;
  readonly readyTimeoutMs?: number;
  /** Print the server log to stderr when it exits unexpectedly. */
  readonly debug?: boolean;
}

export class TestNatsServer {
  readonly log = new LogWatch();
  private child: ChildProcess | undefined;
  private _url = '';
  private _monitorUrl: string | undefined;
  private stopped = false;

  private constructor(
    readonly bin: string,
    readonly dir: string,
    readonly configFile: string,
    readonly storeDir: string | undefined,
    private readonly opts: TestNatsServerOptions,
  ) {}

  static async start(opts: TestNatsServerOptions = {}): Promise<TestNatsServer> {
    const bin = opts.bin ?? resolveNatsServerBinary();
    const dir = mkdtempSync(join(tmpdir(), 'unibus-nst-'));
    const storeDir = opts.jetstream || opts.fullConfig ? join(dir, 'js') : undefined;
    const configFile = join(dir, 'nats-server.conf');
    const ns = new TestNatsServer(bin, dir, configFile, storeDir, opts);
    try {
      writeFileSync(
        configFile,
        ns.renderConfig('127.0.0.1:-1', opts.monitoring ? '127.0.0.1:-1' : undefined),
      );
      await ns.spawn();
    } catch (e) {
      await ns.stop();
      throw e;
    }
    return ns;
  }

  private renderConfig(listen: string, http: string | undefined): string {
    if (this.opts.fullConfig) {
      return this.opts.fullConfig({
        dir: this.dir,
        portsFileDir: this.dir,
        storeDir: this.storeDir ?? join(this.dir, 'js'),
      });
    }
    const lines = [`listen: "${listen}"`, `ports_file_dir: "${this.dir}"`, 'logtime: true'];
    if (http) lines.push(`http: "${http}"`);
    if (this.storeDir) lines.push(`jetstream { store_dir: "${this.storeDir}" }`);
    if (this.opts.config) lines.push(this.opts.config);
    return lines.join('\n') + '\n';
  }

  private async spawn(): Promise<void> {
    const mark = this.log.mark();
    const child = spawn(this.bin, ['-c', this.configFile], {
      env: { ...process.env, ...this.opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.log.push(d));
    child.stderr?.on('data', (d: Buffer) => this.log.push(d));
    child.once('exit', () => {
      this.log.poke();
      if (!this.stopped && this.opts.debug) process.stderr.write(this.log.text());
    });
    const timeout = this.opts.readyTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeout;
    const exited = (): string | undefined =>
      child.exitCode !== null || child.signalCode !== null
        ? `nats-server exited during start:\n${this.log.text().slice(-2000)}`
        : undefined;
    await this.log.waitFor(mark, [READY_RE], timeout, exited);
    const pf = portsFilePath(this.dir, this.bin, child.pid!);
    for (;;) {
      const ports = await readPortsFile(pf);
      if (ports) {
        this._url = ports.nats[0]!;
        this._monitorUrl = ports.monitoring?.[0];
        break;
      }
      if (Date.now() > deadline) throw new Error(`no ports file ${pf}`);
      await sleep(20);
    }
    const { host, port } = hostPortOf(this._url);
    if (!/^(127\.|::1$|localhost$)/.test(host)) {
      throw new Error(`test server must listen on loopback, got ${host}`);
    }
    while (!(await canConnect(host, port, 500))) {
      const why = exited();
      if (why) throw new Error(why);
      if (Date.now() > deadline) throw new Error(`no TCP connection to ${host}:${port}`);
      await sleep(20);
    }
  }

  /** `nats://127.0.0.1:<port>` */
  get url(): string {
    return this._url;
  }
  get port(): number {
    return hostPortOf(this._url).port;
  }
  get hostname(): string {
    return hostPortOf(this._url).host;
  }
  /** `http://127.0.0.1:<port>` when started with `monitoring: true`. */
  get monitorUrl(): string | undefined {
    return this._monitorUrl;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Optionally replace the config text, then SIGHUP; resolves with the ms from signal to the
   * server's "Reloaded server configuration" line; rejects on a failed reload.
   */
  async reload(newConfig?: string, timeoutMs = 10_000): Promise<number> {
    const child = this.child;
    if (!child || !this.running) throw new Error('server is not running');
    if (newConfig !== undefined) writeFileSync(this.configFile, newConfig);
    const mark = this.log.mark();
    const t0 = performance.now();
    child.kill('SIGHUP');
    const found = await this.log.waitFor(mark, [RELOADED_RE, RELOAD_FAILED_RE], timeoutMs, () =>
      this.running ? undefined : 'server exited',
    );
    if (found.index === 1) throw new Error(`reload failed: ${found.match[1]}`);
    return performance.now() - t0;
  }

  /** Send a signal (default SIGKILL) and wait for the process to exit. Keeps the temp dir. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(signal);
    await waitForExit(child);
  }

  /**
   * Start again with the same config and store, on the same port(s) (with `fullConfig`, on
   * whatever the config says: `-1` picks a new port; `url` is updated).
   */
  async restart(): Promise<void> {
    if (this.running) await this.kill('SIGTERM');
    if (!this.opts.fullConfig) {
      const http = this._monitorUrl ? this._monitorUrl.replace(/^https?:\/\//, '') : undefined;
      writeFileSync(this.configFile, this.renderConfig(`127.0.0.1:${this.port}`, http));
    }
    await this.spawn();
  }

  /** SIGTERM, SIGKILL after `timeoutMs`, then remove the temp dir. Idempotent. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (child && this.running) {
      child.kill('SIGTERM');
      const exited = await Promise.race([
        waitForExit(child).then(() => true),
        sleep(timeoutMs).then(() => false),
      ]);
      if (!exited) {
        child.kill('SIGKILL');
        await waitForExit(child);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
