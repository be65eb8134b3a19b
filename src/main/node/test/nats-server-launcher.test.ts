// Tests for test-support/nats-server.ts (kept under src/ because vitest.config.ts only
// includes src/** and test/**).
import { existsSync, readFileSync } from 'node:fs';
import { createUser } from '@nats-io/nkeys';
import { nkeyPublic } from '../../crypto';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { DEFAULT_MAX_PAYLOAD, renderNatsServerConfig } from '../nats-server/config.js';
import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNatsServer } from '../../../../test-support/nats-server.js';

describe('TestNatsServer', () => {
  let ns: TestNatsServer;
  beforeAll(async () => {
    ns = await TestNatsServer.start({ jetstream: true, monitoring: true });
  });
  afterAll(async () => {
    await ns?.stop();
  });

  it('listens on a free loopback port and serves pub/sub', async () => {
    expect(ns.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(ns.port).toBeGreaterThan(0);
    expect(ns.pid).toBeGreaterThan(0);
    expect(readFileSync(ns.configFile, 'utf8')).toContain('ports_file_dir');
    const nc = await connect({ servers: ns.url });
    const sub = nc.subscribe('t.x', { max: 1 });
    nc.publish('t.x', 'hello');
    for await (const m of sub) expect(m.string()).toBe('hello');
    await nc.close();
  });

  it('exposes loopback monitoring', async () => {
    expect(ns.monitorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const varz = (await (await fetch(`${ns.monitorUrl}/varz`)).json()) as {
      jetstream?: { config?: { store_dir?: string } };
    };
    expect(varz.jetstream?.config?.store_dir).toContain(ns.storeDir!);
  });

  it('keeps JetStream data across kill -9 and restart on the same port', async () => {
    let nc = await connect({ servers: ns.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'T', subjects: ['t.js.>'] });
    const ack = await jetstream(nc).publish('t.js.1', 'persist');
    expect(ack.seq).toBe(1);
    await nc.close();
    const port = ns.port;
    const oldPid = ns.pid;
    await ns.kill('SIGKILL');
    expect(ns.running).toBe(false);
    await ns.restart();
    expect(ns.port).toBe(port);
    expect(ns.pid).not.toBe(oldPid);
    nc = await connect({ servers: ns.url });
    const si = await (await jetstreamManager(nc)).streams.info('T');
    expect(si.state.messages).toBe(1);
    await nc.close();
  });

  it('reload() confirms a good config and rejects a broken one', async () => {
    const good = readFileSync(ns.configFile, 'utf8') + 'max_payload: 2MB\n';
    const ms = await ns.reload(good);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(5_000);
    const nc = await connect({ servers: ns.url });
    expect(nc.info?.max_payload).toBe(2 * 1024 * 1024);
    await nc.close();
    await expect(ns.reload(good + 'bogus {{\n')).rejects.toThrow(/reload failed/);
    expect(ns.running).toBe(true);
  });
});

describe('TestNatsServer.stop', () => {
  it('removes its temp dir and stops the process', async () => {
    const ns = await TestNatsServer.start();
    const { dir, pid } = ns;
    expect(existsSync(dir)).toBe(true);
    await ns.stop();
    expect(existsSync(dir)).toBe(false);
    expect(ns.running).toBe(false);
    expect(() => process.kill(pid!, 0)).toThrow();
  });

  it('reports a config the server refuses', async () => {
    await expect(TestNatsServer.start({ config: 'this is not { valid' })).rejects.toThrow(
      /exited during start/,
    );
  });
});

describe('TestNatsServer with a full config (the node renderer)', () => {
  it('serves the rendered config: the node identities, everyone else through the callout', async () => {
    const bus = createUser();
    const ns = await TestNatsServer.start({
      fullConfig: ({ portsFileDir, storeDir }) =>
        renderNatsServerConfig(
          {
            listen: { host: '127.0.0.1', port: 'auto' },
            portsFileDir,
            maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
            jetstream: { storeDir },
            internal: {
              nodeNkey: createUser().getPublicKey(),
              busNkey: bus.getPublicKey(),
              membersNkey: createUser().getPublicKey(),
              systemNkey: createUser().getPublicKey(),
            },
            calloutIssuer: nkeyPublic('account', new Uint8Array(32).fill(4)),
          },
          { syncAlways: true, authCallout: true },
        ),
    });
    try {
      await expect(connect({ servers: ns.url, reconnect: false, timeout: 5_000 })).rejects.toThrow(
        /Authorization/i,
      );
      const nc = await connect({
        servers: ns.url,
        authenticator: nkeyAuthenticator(bus.getSeed()),
      });
      expect(nc.info?.jetstream).toBe(true);
      await nc.close();
    } finally {
      await ns.stop();
    }
  });
});
