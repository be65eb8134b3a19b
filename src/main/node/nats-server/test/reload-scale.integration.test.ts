/**
 * Reload time vs number of users on the real nats-server (one kick per size). Prints the
 * numbers recorded in src/main/node/README.md; asserts only that every reload is confirmed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { afterAll, describe, expect, it } from 'vitest';
import { compileAcl, type MembershipState } from '../../acl/compile.js';
import { readNatsServerVersion, resolveNatsServerBinary } from '../binary.js';
import { DEFAULT_MAX_PAYLOAD, renderNatsServerConfig } from '../config.js';
import { NatsServerSupervisor } from '../supervisor.js';
import { natsServerFeatures } from '../version.js';

// Default sizes keep the run to ~2 s; UNIBUS_RELOAD_SCALE=10,1000,5000 for the README table.
const SIZES = (process.env.UNIBUS_RELOAD_SCALE ?? '10,1000').split(',').map(Number);
const ROOMS = 50;

describe('reload time by user count', () => {
  const bin = resolveNatsServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'unibus-scale-'));
  const node = createUser().getPublicKey();
  const bus = createUser().getPublicKey();
  const pool = Array.from({ length: Math.max(...SIZES) }, () => createUser().getPublicKey());
  const rows: string[] = [];
  let sup: NatsServerSupervisor | undefined;

  afterAll(async () => {
    await sup?.stop();
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `[reload-scale] users | config KiB | render ms | reload total ms | SIGHUP→confirmed ms\n${rows.join('\n')}`,
    );
  });

  it.each(SIZES)('%i users, 50 rooms: kick one member', async (n) => {
    const features = natsServerFeatures(await readNatsServerVersion(bin));
    const state = (kicked: boolean): MembershipState => ({
      users: pool.slice(0, n).map((nkey, i) => ({ uid: `u${i}`, nkey, active: true })),
      rooms: Array.from({ length: ROOMS }, (_, r) => ({
        roomId: `room${r}`,
        members: pool
          .slice(0, n)
          .map((_k, i) => `u${i}`)
          .filter((_u, i) => i % ROOMS === r && !(kicked && i === 0)),
      })),
    });
    const render = (kicked: boolean): string =>
      renderNatsServerConfig(
        {
          listen: { host: '127.0.0.1', port: 'auto' },
          portsFileDir: dir,
          maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
          jetstream: { storeDir: join(dir, 'js') },
          internal: { nodeNkey: node, busNkey: bus },
          users: compileAcl(state(kicked)),
        },
        features,
      );
    await sup?.stop();
    sup = new NatsServerSupervisor({ bin, configFile: join(dir, `n${n}.conf`), portsFileDir: dir });
    await sup.start(render(false));
    const t0 = performance.now();
    const text = render(true);
    const renderMs = performance.now() - t0;
    const r = await sup.reload(text);
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    rows.push(
      `${n} | ${(text.length / 1024).toFixed(0)} | ${renderMs.toFixed(1)} | ${r.totalMs.toFixed(1)} | ${r.signalToConfirmMs.toFixed(1)}`,
    );
  });
});
