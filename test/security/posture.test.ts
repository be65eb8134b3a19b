/**
 * Posture and secrets: what the node can be started as (H2, N4-0006, N1-0006, N1-0008), TLS on
 * the control plane (H5), how its secrets sit on disk and in its processes (X-03, X-11, P-11,
 * P-13, P-33, P-34, H8, P-36), encryption at rest, and failing closed when its store stops
 * answering (N5-0008, P-24). The node of this file is asked for a fail-open configuration and
 * binds every interface, so the checks below run against a public bind.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, rootCertificates, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type NodeOptions } from '../../src/main/node/runtime/start-node';
import {
  call,
  expectError,
  natsInfo,
  newIdentity,
  newRoom,
  rawNats,
  send,
  startNodeUnderTest,
  type Identity,
  type NodeUnderTest,
} from './toolkit';

/** This machine's first non-loopback IPv4 address, where a public bind is probed from outside. */
const PUBLIC_ADDRESS =
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a?.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
const SECRET_FILES = [
  'secrets/internal.json',
  'secrets/jetstream.key',
  'secrets/invite-keys.json',
  'tls/ca.key',
  'tls/server.key',
];

let n: NodeUnderTest;
let alice: Identity;
let dataDir: string;
/** Every (file, mode) a watcher saw while the node created its data dir for the first time. */
const seenModes = new Map<string, Set<number>>();

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'unibus-posture-'));
  // P-11 / X-11: poll the data dir as fast as we can while the first start writes its secrets.
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const sub of ['secrets', 'tls']) {
        let names: string[] = [];
        try {
          names = readdirSync(join(dataDir, sub));
        } catch {
          continue;
        }
        for (const name of names) {
          try {
            const mode = statSync(join(dataDir, sub, name)).mode & 0o777;
            const key = `${sub}/${name}`;
            if (!seenModes.has(key)) seenModes.set(key, new Set());
            seenModes.get(key)!.add(mode);
          } catch {
            // renamed away between readdir and stat
          }
        }
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  // H2: ask for every fail-open switch a configuration could carry. None of them exists.
  const failOpen = {
    auth: 'off',
    noAuth: true,
    no_auth_user: 'anyone',
    tls: false,
    insecure: true,
    cluster: { enabled: true },
  };
  try {
    n = await startNodeUnderTest(
      { bind: '0.0.0.0', advertise: [PUBLIC_ADDRESS], ...(failOpen as Partial<NodeOptions>) },
      dataDir,
    );
  } finally {
    watching = false;
    await watcher;
  }
  [alice] = await n.register('alice');
});
afterAll(() => n?.stop());

const publicTarget = () => ({ ...n.target, host: PUBLIC_ADDRESS });
const natsPort = () => Number(new URL(n.nats.url.replace(/^tls:/, 'nats:')).port);

describe('no fail-open configuration (H2, N4-0006, N1-0008)', () => {
  it('H2: a node asked for auth off, no TLS and a cluster still signs, encrypts and refuses strangers', async () => {
    const health = await send(publicTarget(), { method: 'GET', path: '/healthz' });
    expect(health.json.posture).toMatchObject({
      tls: true,
      auth: 'signed',
      acl: true,
      at_rest: true,
      cluster: false,
    });
    expectError(
      await send(publicTarget(), { method: 'GET', path: '/v1/me' }),
      401,
      'missing auth headers',
    );
    await expect(
      rawNats({ ...n.nats, url: `tls://${PUBLIC_ADDRESS}:${natsPort()}` }, null),
    ).rejects.toThrow(/Authorization/i);
    // The generated nats-server configuration has no way in without an nkey, and no other listener.
    const config = readFileSync(join(dataDir, 'nats', 'nats-server.conf'), 'utf8');
    // Its one authorization block is the auth callout (no users, passwords or tokens in it).
    const authorization = /^authorization \{\n([\s\S]*?)^\}$/m.exec(config)?.[1] ?? '';
    expect(authorization).toMatch(
      /^ {2}auth_callout \{\n {4}issuer: "A[A-Z2-7]{55}"\n {4}account: NODE\n {4}auth_users: \[[^\]]+\]\n {2}\}\n$/,
    );
    expect(config.match(/^authorization\s*\{/gm)).toHaveLength(1);
    for (const forbidden of [
      /\bno_auth_user\b/,
      /^\s*(user|password|token)\s*:/m,
      /\bcluster\s*\{/,
      /leafnodes/,
      /gateway/,
      /websocket/,
      /mqtt/,
    ]) {
      expect(config).not.toMatch(forbidden);
    }
    // Monitoring, if any, listens on loopback only (what it tells local callers: ).
    for (const line of config.match(/^http: .*$/gm) ?? [])
      expect(line).toMatch(/^http: "127\.0\.0\.1:/);
    // Every user in the file is one of the node's four nkey identities: no member (the admin,
    // alice) is ever written into it; the callout authorizes them.
    expect(config.match(/\{ nkey: "U[A-Z2-7]{55}"/g)).toHaveLength(4);
    for (const who of [n.admin, alice]) expect(config).not.toContain(who.nkey);
  });

  it('N4-0006: on a public bind both planes speak TLS only', async () => {
    // Control plane: a plaintext HTTP request gets no HTTP answer.
    const plain = await new Promise<string>((resolve) => {
      const socket = tcpConnect({ host: PUBLIC_ADDRESS, port: n.target.port });
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      setTimeout(() => socket.destroy(), 2_000);
    });
    expect(plain).not.toContain('HTTP/1.1 200');
    expect(plain).not.toContain('posture');
    // NATS: the server requires TLS before anything else.
    const { info, socket } = await natsInfo(`nats://${PUBLIC_ADDRESS}:${natsPort()}`);
    expect(info).toMatchObject({ tls_required: true, auth_required: true });
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('close', () => resolve(got));
      socket.write('CONNECT {"verbose":false}\r\nPING\r\n');
      setTimeout(() => socket.destroy(), 2_000);
    });
    expect(answer).not.toContain('PONG');
  });

  it('N1-0008: /healthz publishes the posture without credentials, and no secret in it', async () => {
    const res = await send(n.target, { method: 'GET', path: '/healthz' });
    expect(res.json).toEqual({
      status: 'ok',
      posture: {
        node_id: n.target.nodeId,
        tls: true,
        auth: 'signed',
        acl: true,
        at_rest: true,
        store: 'jetstream-kv',
        replicas: 1,
        cluster: false,
        server_version: expect.stringMatching(/^2\.(1[2-9]|[2-9]\d)\./),
      },
    });
  });
});

describe('TLS on the control plane (H5)', () => {
  function handshake(
    options: ConnectionOptions,
  ): Promise<{ ok: boolean; protocol?: string | null; error?: string }> {
    return new Promise((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: n.target.port, ...options });
      socket.once('secureConnect', () => {
        resolve({ ok: socket.authorized, protocol: socket.getProtocol() });
        socket.destroy();
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        resolve({ ok: false, error: error.code ?? error.message }),
      );
    });
  }

  it('H5: TLS 1.2+ with the node CA verifies; TLS 1.1 and a client that trusts other roots fail', async () => {
    expect(await handshake({ ca: n.target.caPem, maxVersion: 'TLSv1.2' })).toMatchObject({
      ok: true,
      protocol: 'TLSv1.2',
    });
    expect(await handshake({ ca: n.target.caPem })).toMatchObject({
      ok: true,
      protocol: 'TLSv1.3',
    });
    const old = await handshake({
      ca: n.target.caPem,
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    expect(old.ok).toBe(false);
    const stranger = await handshake({ ca: rootCertificates.join('\n') });
    expect(stranger).toMatchObject({ ok: false });
    expect(stranger.error).toMatch(/CERT|VERIFY|SELF_SIGNED|ISSUER/);
  });

  it('H5: the join link pins the CA the node serves and names only https: and tls: endpoints', async () => {
    const res = await call(n.target, n.admin, 'POST', '/v1/invites', {});
    const link = new URL(res.json.link as string);
    expect(link.protocol).toBe('unibus:');
    expect(link.searchParams.get('ca')).toBe(n.node.caFingerprint);
    expect(link.searchParams.getAll('cp').every((u) => u.startsWith('https://'))).toBe(true);
    expect(link.searchParams.getAll('nats').every((u) => u.startsWith('tls://'))).toBe(true);
  });
});

describe('engine version (N1-0006)', () => {
  it('N1-0006: the node runs a supported nats-server and refuses to start on a known-bad one', async () => {
    const { info, socket } = await natsInfo(n.nats.url);
    socket.destroy();
    const [major, minor, patch] = info.version.split('.').map(Number);
    expect(major! * 10_000 + minor! * 100 + patch!).toBeGreaterThanOrEqual(
      2 * 10_000 + 14 * 100 + 3,
    );
    const dir = mkdtempSync(join(tmpdir(), 'unibus-badbin-'));
    try {
      for (const version of ['2.10.22', '2.11.15', '2.9.10']) {
        const bin = join(dir, `nats-server-${version}`);
        writeFileSync(bin, `#!/bin/sh\necho "nats-server: v${version}"\n`);
        chmodSync(bin, 0o755);
        await expect(
          startNode({ dataDir: join(dir, version), httpPort: 0, natsPort: 0, natsServerBin: bin }),
        ).rejects.toThrow(/refused/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secrets on disk and in processes (X-03, X-11, P-11, P-13, P-34, H8, P-36)', () => {
  it('P-11: no secret file was ever visible with a mode other than 0600 during the first start', () => {
    for (const file of SECRET_FILES) expect(seenModes.has(file)).toBe(true);
    for (const [file, modes] of seenModes) {
      if (/\.crt|node\.json/.test(file)) continue; // public material (and its temp files)
      expect({ file, modes: [...modes].map((m) => m.toString(8)) }).toEqual({
        file,
        modes: ['600'],
      });
    }
  });

  it('P-13: no temporary file with secret material is left behind', () => {
    const leftovers = walk(dataDir).filter(
      (f) => /\.tmp|~$|\.partial/.test(f) && !f.includes('/jetstream/'),
    );
    expect(leftovers).toEqual([]);
  });

  it('X-03: the internal identities exist only as 0600 seed files: never in argv, config or the server environment', () => {
    expect(statSync(join(dataDir, 'secrets')).mode & 0o777).toBe(0o700);
    for (const file of SECRET_FILES) expect(statSync(join(dataDir, file)).mode & 0o777).toBe(0o600);
    const internal = JSON.parse(
      readFileSync(join(dataDir, 'secrets', 'internal.json'), 'utf8'),
    ) as Record<string, string>;
    const pid = n.node.supervisor.pid!;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const config = readFileSync(join(dataDir, 'nats', 'nats-server.conf'), 'utf8');
    for (const seed of [internal.node!, internal.bus!]) {
      for (const where of [argv, environ, config]) expect(where).not.toContain(seed);
    }
    for (const where of [argv, environ, config]) expect(where).not.toMatch(/\bSU[A-Z2-7]{50,}/); // no nkey seed
    // The at-rest key reaches nats-server only through its environment, never argv or config.
    const atRest = readFileSync(join(dataDir, 'secrets', 'jetstream.key'), 'utf8').trim();
    expect(argv).not.toContain(atRest);
    expect(config).not.toContain(atRest);
  });

  it('H8: private keys live only in the node data dir (0600); the repository tracks none', () => {
    const repo = join(__dirname, '../..');
    const tracked = execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).split('\n');
    expect(
      tracked.filter((f) => /\.(key|pem|p12|pfx)$|(^|\/)ca\.key$|internal\.json$/.test(f)),
    ).toEqual([]);
    // A real PEM key block (a template string in the source does not count).
    const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]{64,}-----END/;
    const withKeys = tracked.filter((f) => {
      try {
        return f !== '' && pem.test(readFileSync(join(repo, f), 'latin1'));
      } catch {
        return false; // deleted in the working tree
      }
    });
    expect(withKeys).toEqual([]);
  });
});

describe('state the node will not silently replace (P-33) and data at rest', () => {
  it('P-33: damaged node state stops the start and is never regenerated', async () => {
    const file = join(dataDir, 'secrets', 'internal.json');
    const before = readFileSync(file, 'utf8');
    const { nodeId, caFingerprint } = n.node;
    await expect(
      n.restart(() => writeFileSync(file, '{"node": "trunc', { mode: 0o600 })),
    ).rejects.toThrow(/internal\.json/);
    expect(readFileSync(file, 'utf8')).toBe('{"node": "trunc');
    await n.restart(() => writeFileSync(file, before, { mode: 0o600 }));
    expect([n.node.nodeId, n.node.caFingerprint]).toEqual([nodeId, caFingerprint]);
    expect((await call(n.target, alice, 'GET', '/v1/me')).status).toBe(200);
  });

  it('B-TLS-02: a missing or non-PEM TLS key stops the start: there is no plaintext fallback', async () => {
    const file = join(dataDir, 'tls', 'server.key');
    const key = readFileSync(file, 'utf8');
    await expect(n.restart(() => rmSync(file))).rejects.toThrow();
    await expect(
      n.restart(() => writeFileSync(file, 'not a pem', { mode: 0o600 })),
    ).rejects.toThrow();
    await n.restart(() => writeFileSync(file, key, { mode: 0o600 }));
    expect((await send(n.target, { method: 'GET', path: '/healthz' })).json.posture.tls).toBe(true);
  });

  it('At-rest: handles, endpoint ids and room ids written through the API are not on disk in clear', async () => {
    const handle = `needle${Date.now()}`;
    const [marked] = await n.register(handle);
    const room = newRoom(marked);
    expect((await call(n.target, marked, 'POST', '/v1/rooms', room.body)).status).toBe(201);
    const found: string[] = [];
    await n.restart(() => {
      for (const needle of [handle, marked.endpoint, room.roomId, marked.signPubHex]) {
        try {
          found.push(
            execFileSync('grep', ['-r', '-l', '-a', needle, dataDir], { encoding: 'utf8' }),
          );
        } catch {
          // grep exits 1 when nothing matches
        }
      }
    });
    expect(found).toEqual([]);
  });
});

describe('failing closed when the store stops answering (N5-0008, P-24)', () => {
  it('N5-0008: with nats-server frozen, signed requests are 503 within the store budget, never 200', async () => {
    const pid = n.node.supervisor.pid!;
    const newcomer = newIdentity('outage');
    const token = (await call(n.target, n.admin, 'POST', '/v1/invites', {})).json.token as string;
    const invitesBefore = (await call(n.target, n.admin, 'GET', '/v1/invites')).json
      .length as number;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const replies = await Promise.all([
        call(n.target, alice, 'GET', '/v1/me'),
        call(n.target, n.admin, 'GET', '/v1/users'),
        call(n.target, n.admin, 'POST', '/v1/invites', {}),
        call(n.target, newcomer, 'POST', '/v1/join', { token, card: newcomer.card }),
      ]);
      expect(Date.now() - started).toBeLessThan(12_000);
      for (const r of replies) expectError(r, 503, 'service unavailable');
      // Public posture needs no store and stays up.
      expect((await send(n.target, { method: 'GET', path: '/healthz' })).status).toBe(200);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = (await call(n.target, alice, 'GET', '/v1/me')).status === 200;
      if (!recovered) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(true);
    // P-12 / P-24: the failed mint left no invite behind and the failed join spent no use.
    expect((await call(n.target, n.admin, 'GET', '/v1/invites')).json).toHaveLength(invitesBefore);
    expect(
      (await call(n.target, newcomer, 'POST', '/v1/join', { token, card: newcomer.card })).status,
    ).toBe(201);
  });
});

describe('local observers (X-07)', () => {
  it('X-07: no unauthenticated local endpoint tells a local process or web page who is connected to which room', async () => {
    const room = newRoom(alice);
    const created = await call(n.target, alice, 'POST', '/v1/rooms', room.body);
    const inbox = (await call(n.target, alice, 'GET', '/v1/me')).json.data_plane
      .inbox_prefix as string;
    const c = await rawNats(n.nats, alice, { inboxPrefix: inbox });
    c.nc.subscribe(created.json.data_plane.subjects as string);
    await c.nc.flush();
    // A local attacker finds the loopback monitoring port by scanning 127.0.0.1; this test takes
    // the port from the node to save the scan. The request is what a web page could send.
    const leaks: string[] = [];
    try {
      for (const url of n.node.supervisor.monitoringUrls) {
        for (const path of [
          '/connz?auth=true&subs=1',
          '/subsz?subs=1',
          '/jsz?accounts=true&streams=true',
        ]) {
          const res = await fetch(`${url}${path}`, { headers: { Origin: 'https://evil.example' } });
          const body = await res.text();
          const readable = res.ok && res.headers.get('access-control-allow-origin') !== null;
          if (body.includes(alice.nkey))
            leaks.push(
              `${path}: alice's nkey (= her signing key)${readable ? ', readable cross-origin' : ''}`,
            );
          if (body.includes(created.json.data_plane.subject.split('.')[2]))
            leaks.push(`${path}: the room token${readable ? ', readable cross-origin' : ''}`);
        }
      }
    } finally {
      await c.nc.close();
    }
    expect(leaks).toEqual([]);
  });
});
