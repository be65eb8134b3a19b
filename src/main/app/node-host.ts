/**
 * Hosting the bus on this computer: runs `unibus node start` in its own process (so a busy node
 * never blocks the peer, and the node's internal NATS credentials never live here), reads its
 * ready and stats lines, and keeps the choice in `hosting.json` so the next start hosts again.
 *
 * The node's secrets are its own (0600 in its data directory): only the very first start needs
 * the host's identity card, to make her admin #0. After that (`seeded`), the node starts from its
 * data directory alone, so the app brings it back before anyone unlocks the identity. A node the
 * host stopped herself (`stopped`) stays down, across restarts too, until she starts it again.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { UnavailableError } from '../../shared/errors';
import type { HostOptions, NodeAddressView, NodeStatusView } from '../../shared/types';
import { saveConnection } from '../profile/connection';
import { JsonFile } from './json-file';
import type { NodeLauncher, NodeProcess } from './types';

export const HOSTING_FILE = 'hosting.json';
/** Covers waiting for a node still stopping from the same folder (node-lock.ts, 30 s). */
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const STATS_INTERVAL_MS = 5_000;

interface HostingChoice extends HostOptions {
  readonly dataDir: string;
  /** Admin #0 is in the node's store: later starts need nothing from the identity. */
  readonly seeded?: boolean;
  /** The host stopped the node: it is not started again until she asks. */
  readonly stopped?: boolean;
}

interface ReadyLine {
  readonly node_id: string;
  readonly control_urls: string[];
  readonly nats_urls: string[];
  readonly ca_fingerprint: string;
  readonly ca_pem: string;
  readonly server_version: string;
  readonly posture: Record<string, string | number | boolean | null>;
}

function fitChoice(raw: unknown): HostingChoice | null {
  const c = raw as Partial<HostingChoice> | null;
  if (typeof c !== 'object' || c === null) return null;
  if (typeof c.bind !== 'string' || typeof c.dataDir !== 'string') return null;
  if (!Number.isInteger(c.httpPort) || !Number.isInteger(c.natsPort)) return null;
  return {
    bind: c.bind,
    httpPort: c.httpPort!,
    natsPort: c.natsPort!,
    dataDir: c.dataDir,
    ...(c.seeded === true ? { seeded: true } : {}),
    ...(c.stopped === true ? { stopped: true } : {}),
  };
}

export class NodeHost {
  private process: NodeProcess | null = null;
  private starting: Promise<ReadyLine> | null = null;
  private ready: ReadyLine | null = null;
  private stats: { peers: number; storeBytes: number } | null = null;
  private error: string | null = null;
  private stopping = false;

  private constructor(
    private readonly profileDir: string,
    private readonly choice: JsonFile<HostingChoice | null>,
    private readonly launch: NodeLauncher,
    private readonly onStatus: (status: NodeStatusView) => void,
  ) {}

  static async open(
    profileDir: string,
    launch: NodeLauncher,
    onStatus: (status: NodeStatusView) => void,
  ): Promise<NodeHost> {
    const choice = await JsonFile.open<HostingChoice | null>(
      profileDir,
      HOSTING_FILE,
      null,
      fitChoice,
    );
    return new NodeHost(profileDir, choice, launch, onStatus);
  }

  /** True when this profile hosts its node (it chose to, earlier or now). */
  get hosting(): boolean {
    return this.choice.current !== null;
  }

  get running(): boolean {
    return this.ready !== null;
  }

  /** Running or on its way up: the team may be using it. */
  get active(): boolean {
    return this.ready !== null || this.starting !== null;
  }

  /** The host stopped the node herself ("Stop node"); it stays down until she starts it. */
  get stoppedByHost(): boolean {
    return this.choice.current?.stopped === true;
  }

  /** Hosting, and it can start without the host's identity (it was seeded, and not stopped). */
  get startsOnItsOwn(): boolean {
    const choice = this.choice.current;
    return choice !== null && choice.seeded === true && choice.stopped !== true;
  }

  /** First hosting: remember the choice, start the node, connect the profile to it. */
  async host(options: HostOptions, adminCard: string): Promise<NodeStatusView> {
    const choice: HostingChoice = {
      bind: options.bind,
      httpPort: options.httpPort,
      natsPort: options.natsPort,
      dataDir: options.dataDir ?? join(this.profileDir, 'node'),
    };
    await this.choice.save(choice);
    const ready = await this.start(adminCard);
    // Port 0 picked free ports: keep the ones in use, so a restart matches the saved connection.
    const current = this.choice.current ?? choice;
    await this.choice.save({
      ...current,
      httpPort: urlPort(ready.control_urls[0]) ?? current.httpPort,
      natsPort: urlPort(ready.nats_urls[0]) ?? current.natsPort,
    });
    await saveConnection(this.profileDir, {
      v: 1,
      node_id: ready.node_id,
      control_urls: ready.control_urls,
      nats_urls: ready.nats_urls,
      ca_fingerprint: ready.ca_fingerprint,
      ca_pem: ready.ca_pem,
    });
    return this.status();
  }

  /**
   * Starts the node with the saved choice; resolves once it printed its ready line. The admin
   * card (the unlocked identity's) is needed only until the node was seeded with it. A start
   * while one is under way joins it.
   */
  start(adminCard?: string): Promise<ReadyLine> {
    const choice = this.choice.current;
    if (choice === null)
      return Promise.reject(new UnavailableError('This computer does not host a bus.'));
    if (this.ready !== null) return Promise.resolve(this.ready);
    if (adminCard === undefined && choice.seeded !== true) {
      return Promise.reject(
        new UnavailableError('Unlock your identity to start the node for the first time.'),
      );
    }
    this.starting ??= this.spawnNode(choice, adminCard).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async spawnNode(
    choice: HostingChoice,
    adminCard: string | undefined,
  ): Promise<ReadyLine> {
    if (this.process !== null) await this.stop();
    this.error = null;
    this.stopping = false;
    const child = this.launch(
      [
        'node',
        'start',
        '--data-dir',
        choice.dataDir,
        '--bind',
        choice.bind,
        '--http-port',
        String(choice.httpPort),
        '--nats-port',
        String(choice.natsPort),
        // Never the profile: the node has its own secrets, and the identity may be locked.
        '--no-profile',
        ...(adminCard !== undefined ? ['--admin-card', adminCard] : []),
        '--stats-interval-ms',
        String(STATS_INTERVAL_MS),
      ],
      process.env,
    );
    this.process = child;
    const stderrTail: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    });
    const ready = new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.error = 'The node did not start within 90 seconds.';
        reject(new UnavailableError(this.error));
        this.stopping = true;
        child.stop();
      }, READY_TIMEOUT_MS);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parseLine(line);
        if (event?.['event'] === 'ready') {
          clearTimeout(timer);
          resolve(event as unknown as ReadyLine);
        } else if (event?.['event'] === 'stats') {
          this.stats = { peers: Number(event['peers']), storeBytes: Number(event['store_bytes']) };
          this.onStatus(this.status());
        }
      });
      void child.exited.then((code) => {
        clearTimeout(timer);
        const wasStopping = this.stopping;
        if (this.process === child) this.process = null;
        this.ready = null;
        this.stats = null;
        if (!wasStopping) {
          this.error = `The node stopped (exit code ${String(code)}): ${lastError(stderrTail)}`;
        }
        reject(new UnavailableError(this.error ?? 'The node stopped.'));
        this.onStatus(this.status());
      });
    });
    const line = await ready;
    // Seeded now (admin #0 exists), and running again: remember both for the next app start.
    const current = this.choice.current;
    if (current !== null && (current.seeded !== true || current.stopped === true)) {
      const { stopped: _stopped, ...rest } = current;
      await this.choice.save({
        ...rest,
        seeded: current.seeded === true || adminCard !== undefined,
      });
    }
    this.ready = line;
    this.onStatus(this.status());
    return line;
  }

  /**
   * Stops the node (it stops its nats-server first); resolves when the process is gone.
   * `remember`: the host asked for it, so the node stays down until she starts it again.
   */
  async stop(options: { readonly remember?: boolean } = {}): Promise<NodeStatusView> {
    const current = this.choice.current;
    if (options.remember === true && current !== null && current.stopped !== true) {
      await this.choice.save({ ...current, stopped: true });
    }
    const child = this.process;
    if (child !== null) {
      this.stopping = true;
      child.stop();
      const timeout = new Promise<'timeout'>((r) =>
        setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref(),
      );
      if ((await Promise.race([child.exited, timeout])) === 'timeout') {
        this.error = 'The node did not stop in time.';
      }
    }
    return this.status();
  }

  status(): NodeStatusView {
    const ready = this.ready;
    const address: NodeAddressView | null =
      ready === null
        ? null
        : {
            nodeId: ready.node_id,
            controlUrls: ready.control_urls,
            natsUrls: ready.nats_urls,
            caFingerprint: ready.ca_fingerprint,
          };
    return {
      running: ready !== null,
      hosting: this.hosting,
      address,
      serverVersion: ready?.server_version ?? null,
      posture: ready?.posture ?? null,
      peersConnected: this.stats?.peers ?? null,
      storageBytes: this.stats?.storeBytes ?? null,
      dataDir: this.choice.current?.dataDir ?? null,
      error: this.error,
    };
  }
}

function urlPort(url: string | undefined): number | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const port = Number(new URL(url).port);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The node logs JSON lines on stderr; its last error line tells the user what went wrong. */
function lastError(lines: readonly string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.startsWith('{')) return line;
  }
  return 'see the node log';
}
