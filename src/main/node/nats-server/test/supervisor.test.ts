import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, type KeyPair } from '@nats-io/nkeys';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nkeyPublic } from '../../../crypto';
import { readNatsServerVersion, resolveNatsServerBinary } from '../binary.js';
import {
  DEFAULT_MAX_PAYLOAD,
  renderNatsServerConfig,
  type NatsServerConfigModel,
} from '../config.js';
import { sleep } from '../process-io.js';
import {
  NatsServerSupervisor,
  ReloadError,
  StartError,
  type SupervisorEvent,
} from '../supervisor.js';
import { natsServerFeatures } from '../version.js';

const seedOf = (k: KeyPair): Uint8Array => k.getSeed();

describe('NatsServerSupervisor (real nats-server)', () => {
  const bin = resolveNatsServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'unibus-sup-'));
  const node = createUser();
  const bus = createUser();
  const system = createUser();
  const members = createUser();
  // Never in the file: anyone but the node's identities goes through the auth callout, which
  // is not answered here, so `alice` is always refused.
  const alice = createUser();
  const events: SupervisorEvent[] = [];
  let features = { syncAlways: true, authCallout: true };
  let sup: NatsServerSupervisor;

  // The setting a reload changes: max_payload (the auth_callout block cannot be reloaded; it
  // never changes: members are not in the file).
  const BIG = 2 * DEFAULT_MAX_PAYLOAD;
  const model = (maxPayloadBytes: number, storeDir = join(dir, 'js')) =>
    ({
      listen: { host: '127.0.0.1', port: 'auto' },
      portsFileDir: dir,
      maxPayloadBytes,
      jetstream: { storeDir, cipher: { algorithm: 'chachapoly', keyEnvVar: 'UNIBUS_TEST_JS_KEY' } },
      internal: {
        nodeNkey: node.getPublicKey(),
        busNkey: bus.getPublicKey(),
        membersNkey: members.getPublicKey(),
        systemNkey: system.getPublicKey(),
      },
      calloutIssuer: nkeyPublic('account', new Uint8Array(32).fill(3)),
    }) satisfies NatsServerConfigModel;
  const render = (maxPayloadBytes = DEFAULT_MAX_PAYLOAD, storeDir?: string): string =>
    renderNatsServerConfig(model(maxPayloadBytes, storeDir), features);
  /** max_payload as a new connection of the node's BUS identity is told it. */
  const payloadSeen = async (): Promise<number> => {
    const nc = await connect({
      servers: sup.urls[0],
      authenticator: nkeyAuthenticator(seedOf(bus)),
      reconnect: false,
    });
    const seen = nc.info!.max_payload;
    await nc.close();
    return seen;
  };

  const canConnectAs = async (kp: KeyPair): Promise<boolean> => {
    try {
      // Anyone else goes to the auth callout, which nobody answers here: refused at timeout.
      const nc = await connect({
        servers: sup.urls[0],
        authenticator: nkeyAuthenticator(seedOf(kp)),
        reconnect: false,
        timeout: 5_000,
      });
      await nc.close();
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    features = natsServerFeatures(await readNatsServerVersion(bin));
    sup = new NatsServerSupervisor({
      bin,
      configFile: join(dir, 'nats-server.conf'),
      env: { UNIBUS_TEST_JS_KEY: 'a'.repeat(32) },
      portsFileDir: dir,
      restart: { initialDelayMs: 50 },
      onEvent: (e) => events.push(e),
    });
    await sup.start(render());
  });
  afterAll(async () => {
    await sup?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, is reachable by the internal identity, key only in the environment', async () => {
    expect(sup.running).toBe(true);
    expect(sup.urls[0]).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(await canConnectAs(bus)).toBe(true);
    expect(await canConnectAs(alice)).toBe(false);
    const conf = readFileSync(join(dir, 'nats-server.conf'), 'utf8');
    expect(conf).not.toContain('a'.repeat(32));
    expect(conf).toContain('key: $UNIBUS_TEST_JS_KEY');
    expect(readFileSync(`/proc/${sup.pid}/cmdline`, 'utf8')).not.toContain('a'.repeat(32));
    expect(sup.log.text()).toContain('Encryption:      ChaCha20-Poly1305');
  });

  it('reload is confirmed by the server and applies a change live', async () => {
    const r = await sup.reload(render(BIG));
    expect(r.signalToConfirmMs).toBeGreaterThan(0);
    expect(r.signalToConfirmMs).toBeLessThan(5_000);
    expect(sup.log.text()).toContain(`Reloaded server configuration (sha256:${r.digest})`);
    expect(await payloadSeen()).toBe(BIG);
  });

  it('coalesces a burst of reloads into fewer applies, newest text wins', async () => {
    const before = (sup.log.text().match(/Reloaded server configuration/g) ?? []).length;
    const texts = Array.from({ length: 6 }, (_, i) =>
      render(BIG).replace('logtime: true', `logtime: true\n# burst ${i}`),
    );
    const results = await Promise.all(texts.map((t) => sup.reload(t)));
    const after = (sup.log.text().match(/Reloaded server configuration/g) ?? []).length;
    expect(after - before).toBeLessThanOrEqual(2);
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(results.at(-1)!.digest).toBe(results[0]!.digest);
    expect(results[0]!.coalesced).toBe(6);
    expect(readFileSync(join(dir, 'nats-server.conf'), 'utf8')).toBe(texts.at(-1));
  });

  it('an invalid config is never applied and is reported', async () => {
    const good = readFileSync(join(dir, 'nats-server.conf'), 'utf8');
    const bad = good.replace(`nkey: "${members.getPublicKey()}"`, 'nkey: "UNOTANKEY"');
    const err = await sup.reload(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReloadError);
    expect((err as ReloadError).stage).toBe('validate');
    expect((err as ReloadError).message).toMatch(/nkey/i);
    expect(readFileSync(join(dir, 'nats-server.conf'), 'utf8')).toBe(good);
    expect(sup.running).toBe(true);
    expect(await canConnectAs(bus)).toBe(true);
    expect(events.some((e) => e.type === 'reload-failed' && e.stage === 'validate')).toBe(true);
  });

  it('a change the running server refuses is reported and the old file restored', async () => {
    const good = readFileSync(join(dir, 'nats-server.conf'), 'utf8');
    const moved = render(BIG, join(dir, 'elsewhere'));
    const err = await sup.reload(moved).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReloadError);
    expect((err as ReloadError).stage).toBe('server');
    expect(readFileSync(join(dir, 'nats-server.conf'), 'utf8')).toBe(good);
    expect(sup.running).toBe(true);
  });

  it('restarts nats-server after a crash (kill -9), with backoff', async () => {
    const oldPid = sup.pid!;
    const startedBefore = events.filter((e) => e.type === 'started').length;
    process.kill(oldPid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (events.filter((e) => e.type === 'started').length === startedBefore) {
      if (Date.now() > deadline) throw new Error('no restart');
      await sleep(20);
    }
    expect(sup.pid).not.toBe(oldPid);
    expect(sup.restarts).toBe(1);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'exited', pid: oldPid, signal: 'SIGKILL', expected: false }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'restart-scheduled', attempt: 1 }),
    );
    expect(await payloadSeen()).toBe(BIG);
    // reloads keep working against the new process
    const r = await sup.reload(render());
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await payloadSeen()).toBe(DEFAULT_MAX_PAYLOAD);
  });

  it('a reload requested while nats-server is down is applied by the restart and confirmed', async () => {
    const oldPid = sup.pid!;
    process.kill(oldPid, 'SIGKILL'); // the exit is not observed yet when reload() starts
    const r = await sup.reload(render(BIG));
    expect(sup.pid).not.toBe(oldPid);
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await payloadSeen()).toBe(BIG);
  });

  it('refuses to start with an invalid config', async () => {
    const other = new NatsServerSupervisor({ bin, configFile: join(dir, 'other.conf') });
    await expect(other.start('listen: "127.0.0.1:-1"\nnot valid {{')).rejects.toThrow(StartError);
    expect(other.running).toBe(false);
  });

  it('a start that fails is over: its process has exited when start rejects, and nothing restarts it', async () => {
    const d3 = mkdtempSync(join(tmpdir(), 'unibus-sup3-'));
    const evs: SupervisorEvent[] = [];
    const s3 = new NatsServerSupervisor({
      bin,
      configFile: join(d3, 'n.conf'),
      readyTimeoutMs: 1, // "not ready in time" while the server is still alive
      restart: { initialDelayMs: 20 },
      onEvent: (e) => evs.push(e),
    });
    try {
      await expect(s3.start(`listen: "127.0.0.1:-1"\nports_file_dir: "${d3}"\n`)).rejects.toThrow(
        StartError,
      );
      const pid = s3.pid!;
      // Gone, not just signalled: a zombie still answers kill(pid, 0).
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      expect(evs).toContainEqual(expect.objectContaining({ type: 'exited', expected: true }));
      await sleep(200); // ten restart delays
      expect(evs.filter((e) => e.type === 'started' || e.type === 'restart-scheduled')).toEqual([]);
    } finally {
      await s3.stop();
      rmSync(d3, { recursive: true, force: true });
    }
  });

  it('ordered stop: SIGTERM, then SIGKILL when the server does not exit in time', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'unibus-sup2-'));
    const evs: SupervisorEvent[] = [];
    const s2 = new NatsServerSupervisor({
      bin,
      configFile: join(d2, 'n.conf'),
      stopTimeoutMs: 300,
      onEvent: (e) => evs.push(e),
    });
    try {
      await s2.start(`listen: "127.0.0.1:-1"\nports_file_dir: "${d2}"\n`);
      process.kill(s2.pid!, 'SIGSTOP'); // a hung server ignores SIGTERM
      const t0 = Date.now();
      await s2.stop();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(s2.running).toBe(false);
      expect(evs).toContainEqual(
        expect.objectContaining({ type: 'exited', signal: 'SIGKILL', expected: true }),
      );
      await sleep(200);
      expect(evs.filter((e) => e.type === 'restart-scheduled')).toEqual([]);
    } finally {
      await s2.stop();
      rmSync(d2, { recursive: true, force: true });
    }
  });
});
