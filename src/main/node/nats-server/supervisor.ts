/**
 * Spawn and supervise one nats-server child.
 *
 * - `start()`: validate (`nats-server -t -c`), write the config atomically, spawn
 *   `nats-server -c FILE` (secrets such as the at-rest key only through the child's
 *   environment), wait until it logs "Server is ready" and accepts TCP connections.
 * - A crash (exit not requested) restarts it with exponential backoff.
 * - `reload(text)`: bursts are coalesced (the newest text wins, every caller gets the result
 *   of the apply that included its request). Each apply validates the new text with
 *   `nats-server -t -c`, writes it atomically, sends SIGHUP and resolves only when the server
 *   logs "Reloaded server configuration" (matching the file's sha256 where the server prints
 *   it), or rejects on "Failed to reload server configuration" (and restores the previous
 *   file, so the file on disk is always the configuration in force).
 * - `stop()`: SIGTERM, then SIGKILL after `stopTimeoutMs`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, unlink } from 'node:fs/promises';
import { checkNatsServerConfig, resolveNatsServerBinary } from './binary.js';
import { commitTempFile, writeFileAtomic, writeTempFile } from './atomic-file.js';
import {
  LogWatch,
  READY_RE,
  RELOADED_RE,
  RELOAD_FAILED_RE,
  canConnect,
  hostPortOf,
  portsFilePath,
  readPortsFile,
  sha256Hex,
  sleep,
  waitForExit,
} from './process-io.js';

export interface RestartPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** A run longer than this resets the backoff. */
  readonly resetAfterMs: number;
}

export interface SupervisorOptions {
  readonly configFile: string;
  /** Binary; default resolveNatsServerBinary(). */
  readonly bin?: string;
  /** Environment of the child (and of `-t` validation). Default: process.env. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Extra environment, e.g. `{ UNIBUS_JS_KEY: … }`. Never put secrets in argv or the file. */
  readonly env?: Readonly<Record<string, string>>;
  /** The config's `ports_file_dir`, if any: used to learn the listen URL with port 'auto'. */
  readonly portsFileDir?: string;
  readonly readyTimeoutMs?: number;
  readonly reloadTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
  readonly restart?: Partial<RestartPolicy>;
  readonly onEvent?: (e: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { type: 'started'; pid: number; urls: readonly string[]; restarts: number }
  | { type: 'exited'; pid: number; code: number | null; signal: string | null; expected: boolean }
  | { type: 'restart-scheduled'; delayMs: number; attempt: number }
  | { type: 'restart-failed'; error: string }
  | { type: 'reloaded'; ms: number; digest: string; coalesced: number }
  | { type: 'reload-failed'; error: string; stage: ReloadErrorStage };

export type ReloadErrorStage = 'validate' | 'server' | 'timeout' | 'not-running';

export class ReloadError extends Error {
  override readonly name = 'ReloadError';
  constructor(
    readonly stage: ReloadErrorStage,
    message: string,
  ) {
    super(message);
  }
}

export class StartError extends Error {
  override readonly name = 'StartError';
}

export interface ReloadResult {
  /** SIGHUP → confirmation, ms. */
  readonly signalToConfirmMs: number;
  /** Whole apply (validate + write + signal + confirm), ms. */
  readonly totalMs: number;
  readonly digest: string;
  /** How many reload() calls this apply served. */
  readonly coalesced: number;
}

const DEFAULT_RESTART: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
  resetAfterMs: 30_000,
};

interface Pending {
  text: string;
  waiters: { resolve: (r: ReloadResult) => void; reject: (e: Error) => void }[];
}

export class NatsServerSupervisor {
  readonly bin: string;
  readonly log = new LogWatch();
  private child: ChildProcess | undefined;
  private stopping = false;
  private startedAt = 0;
  private delayMs: number;
  private readonly policy: RestartPolicy;
  private restartTimer: NodeJS.Timeout | undefined;
  private ready: Promise<void> | undefined;
  private pending: Pending | undefined;
  private draining = false;
  private _urls: readonly string[] = [];
  private _monitoringUrls: readonly string[] = [];
  private readyChild: ChildProcess | undefined;
  private _restarts = 0;
  private currentText = '';

  constructor(private readonly opts: SupervisorOptions) {
    this.bin = opts.bin ?? resolveNatsServerBinary();
    this.policy = { ...DEFAULT_RESTART, ...opts.restart };
    this.delayMs = this.policy.initialDelayMs;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
  get urls(): readonly string[] {
    return this._urls;
  }
  /** Monitoring URL(s) from the ports file (loopback only by config). */
  get monitoringUrls(): readonly string[] {
    return this._monitoringUrls;
  }
  get restarts(): number {
    return this._restarts;
  }
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...(this.opts.baseEnv ?? process.env), ...this.opts.env };
  }

  private emit(e: SupervisorEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // listeners never break supervision
    }
  }

  /** Validate and write `configText`, spawn, wait until ready. */
  async start(configText: string): Promise<void> {
    if (this.child) throw new StartError('already started');
    this.stopping = false;
    const tmp = await writeTempFile(this.opts.configFile, configText);
    const check = await checkNatsServerConfig(this.bin, tmp, this.env());
    if (!check.ok) {
      await unlink(tmp).catch(() => undefined);
      throw new StartError(`invalid nats-server config: ${check.error}`);
    }
    await commitTempFile(tmp, this.opts.configFile);
    this.currentText = configText;
    try {
      await this.spawnAndWait();
    } catch (error) {
      // A first start that fails is over: no crash restart in the background, and the process
      // has exited when this rejects (the caller may remove its folders).
      await this.stop();
      throw error;
    }
  }

  private spawnAndWait(): Promise<void> {
    const mark = this.log.mark();
    const child = spawn(this.bin, ['-c', this.opts.configFile], {
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.startedAt = Date.now();
    child.stdout?.on('data', (d: Buffer) => this.log.push(d));
    child.stderr?.on('data', (d: Buffer) => this.log.push(d));
    child.on('error', () => this.log.poke());
    child.once('exit', (code, signal) => {
      this.log.poke();
      this.onExit(child, code, signal);
    });
    const ready = this.waitReady(child, mark);
    this.ready = ready.catch(() => undefined);
    return ready;
  }

  private async waitReady(child: ChildProcess, mark: number): Promise<void> {
    const timeout = this.opts.readyTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeout;
    const exited = (): string | undefined =>
      child.exitCode !== null || child.signalCode !== null
        ? `nats-server exited during start (code ${child.exitCode}, signal ${child.signalCode}):\n${this.log.text().slice(-2000)}`
        : undefined;
    try {
      await this.log.waitFor(mark, [READY_RE], timeout, exited);
      let urls: readonly string[] = [];
      if (this.opts.portsFileDir && child.pid) {
        const pf = portsFilePath(this.opts.portsFileDir, this.bin, child.pid);
        while (Date.now() < deadline) {
          const ports = await readPortsFile(pf);
          if (ports) {
            urls = ports.nats;
            this._monitoringUrls = ports.monitoring ?? [];
            break;
          }
          await sleep(20);
        }
      }
      if (urls.length === 0) {
        const m = this.log.find(mark, [/Listening for client connections on (\S+)/]);
        const addr = m?.match[1];
        if (addr) urls = [`nats://${addr}`];
      }
      if (urls.length === 0) throw new Error('cannot learn the client URL');
      const { host, port } = hostPortOf(urls[0]!);
      const probeHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
      while (!(await canConnect(probeHost, port, 500))) {
        const why = exited();
        if (why) throw new Error(why);
        if (Date.now() > deadline) throw new Error(`no TCP connection to ${probeHost}:${port}`);
        await sleep(20);
      }
      this._urls = urls;
      this.readyChild = child;
      this.emit({ type: 'started', pid: child.pid!, urls, restarts: this._restarts });
    } catch (e) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw new StartError((e as Error).message);
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const expected = this.stopping;
    this.emit({ type: 'exited', pid: child.pid ?? -1, code, signal, expected });
    if (expected) return;
    if (Date.now() - this.startedAt > this.policy.resetAfterMs) {
      this.delayMs = this.policy.initialDelayMs;
    }
    const delay = this.delayMs;
    this.delayMs = Math.min(this.policy.maxDelayMs, this.delayMs * this.policy.factor);
    this._restarts++;
    this.emit({ type: 'restart-scheduled', delayMs: delay, attempt: this._restarts });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.spawnAndWait().catch((e: Error) => {
        this.emit({ type: 'restart-failed', error: e.message });
        // spawnAndWait killed the child; its exit schedules the next attempt.
      });
    }, delay);
  }

  /**
   * Apply a new config. Coalesces: while one apply runs, later calls are merged and applied
   * once, with the newest text.
   */
  reload(configText: string): Promise<ReloadResult> {
    return new Promise((resolve, reject) => {
      if (this.pending) {
        this.pending.text = configText;
        this.pending.waiters.push({ resolve, reject });
      } else {
        this.pending = { text: configText, waiters: [{ resolve, reject }] };
      }
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      // Let a synchronous burst of reload() calls land in one batch.
      await sleep(0);
      while (this.pending) {
        const batch = this.pending;
        this.pending = undefined;
        try {
          const r = await this.apply(batch.text, batch.waiters.length);
          for (const w of batch.waiters) w.resolve(r);
        } catch (e) {
          const err = e instanceof ReloadError ? e : new ReloadError('server', String(e));
          this.emit({ type: 'reload-failed', error: err.message, stage: err.stage });
          for (const w of batch.waiters) w.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async apply(text: string, coalesced: number): Promise<ReloadResult> {
    const t0 = performance.now();
    if (this.stopping || !this.child) {
      throw new ReloadError('not-running', 'nats-server is not started or is stopping');
    }
    const file = this.opts.configFile;
    const tmp = await writeTempFile(file, text);
    const check = await checkNatsServerConfig(this.bin, tmp, this.env());
    if (!check.ok) {
      await unlink(tmp).catch(() => undefined);
      throw new ReloadError('validate', `config rejected by nats-server -t: ${check.error}`);
    }
    const previous = this.currentText || (await readFile(file, 'utf8').catch(() => ''));
    await commitTempFile(tmp, file);
    const digest = check.digest ?? sha256Hex(text);
    // During a crash restart the file is already in place for the next spawn; still wait for
    // it and confirm with a SIGHUP (reloading the same file is harmless).
    const timeoutMs = this.opts.reloadTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let found;
    let t1 = 0;
    for (;;) {
      const child = await this.waitRunning(Math.max(0, deadline - Date.now()));
      const mark = this.log.mark();
      t1 = performance.now();
      child.kill('SIGHUP');
      try {
        found = await this.log.waitFor(
          mark,
          [RELOADED_RE, RELOAD_FAILED_RE],
          Math.max(1, deadline - Date.now()),
          () =>
            child.exitCode !== null || child.signalCode !== null ? 'nats-server exited' : undefined,
        );
        break;
      } catch (e) {
        // Crashed between signal and confirmation: the restart reads the new file; confirm
        // again against the new process.
        if (!this.stopping && this.child !== undefined && Date.now() < deadline) {
          if (child.exitCode !== null || child.signalCode !== null) continue;
        }
        throw new ReloadError('timeout', `reload not confirmed: ${(e as Error).message}`);
      }
    }
    const t2 = performance.now();
    if (found.index === 1) {
      await writeFileAtomic(file, previous).catch(() => undefined);
      throw new ReloadError('server', `nats-server refused the reload: ${found.match[1]}`);
    }
    // The server's sha256 is over the parsed config (comments do not count); `-t` printed
    // the same digest for the text we validated, so a mismatch means someone else's file.
    const reported = found.match[1];
    if (reported && check.digest && reported !== check.digest) {
      throw new ReloadError(
        'server',
        `server reloaded sha256 ${reported}, expected ${check.digest}`,
      );
    }
    this.currentText = text;
    const result: ReloadResult = {
      signalToConfirmMs: t2 - t1,
      totalMs: t2 - t0,
      digest,
      coalesced,
    };
    this.emit({ type: 'reloaded', ms: result.signalToConfirmMs, digest, coalesced });
    return result;
  }

  private async waitRunning(timeoutMs: number): Promise<ChildProcess> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopping) throw new ReloadError('not-running', 'supervisor is stopping');
      if (this.ready) await this.ready;
      const child = this.child;
      if (child && this.running && this.readyChild === child) return child;
      if (Date.now() > deadline) {
        throw new ReloadError('not-running', 'nats-server did not come back in time');
      }
      await sleep(20);
    }
  }

  /** Ordered stop: SIGTERM, SIGKILL after `stopTimeoutMs`. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = this.opts.stopTimeoutMs ?? 5_000;
      const exited = await Promise.race([
        waitForExit(child).then(() => true),
        sleep(timeout).then(() => false),
      ]);
      if (!exited) {
        child.kill('SIGKILL');
        await waitForExit(child);
      }
    }
  }
}
