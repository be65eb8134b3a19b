/**
 * RuleTester suite for local/layering: each forbidden import from each layer is rejected, the
 * allowed ones pass, and relative imports are judged by the real file they resolve to.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import layering, { classifyBare, resolveLocalImport } from './layering.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const options = [{ root: ROOT }];
const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
});

const file = (rel) => path.join(ROOT, rel);
const ok = (filename, code) => ({ filename: file(filename), code, options });
const bad = (filename, code, messageId) => ({
  filename: file(filename),
  code,
  options,
  errors: [{ messageId }],
});

tester.run('layering: src/shared', layering, {
  valid: [
    ok('src/shared/ipc/contract.ts', "import { ValidationError } from '../errors';"),
    ok(
      'src/shared/ipc/contract.ts',
      "import type { ConnectionState } from '../types/connection.js';",
    ),
    ok('src/shared/schemas/x.ts', "export * from './y';"),
    ok('src/shared/x.ts', "import { z } from 'some-neutral-package';"),
  ],
  invalid: [
    bad('src/shared/x.ts', "import { app } from '../main/index';", 'localImport'),
    bad('src/shared/ipc/x.ts', "import { App } from '../../renderer/src/App';", 'localImport'),
    bad('src/shared/x.ts', "import { bridge } from '../preload/index';", 'localImport'),
    bad('src/shared/x.ts', "import { launch } from '../../test-support/nats';", 'localImport'),
    bad('src/shared/x.ts', "export * from '../main/crypto/index.js';", 'localImport'),
    bad('src/shared/x.ts', "import { readFile } from 'node:fs';", 'nodeBuiltin'),
    bad('src/shared/x.ts', "import { join } from 'path';", 'nodeBuiltin'),
    bad('src/shared/x.ts', "import type { Buffer } from 'node:buffer';", 'nodeBuiltin'),
    bad('src/shared/x.ts', "import { ipcRenderer } from 'electron';", 'electron'),
    bad('src/shared/x.ts', "import { createRoot } from 'react-dom/client';", 'domPackage'),
    bad('src/shared/x.ts', "const os = await import('node:os');", 'nodeBuiltin'),
    bad('src/shared/x.ts', 'const m = await import(name);', 'dynamic'),
  ],
});

tester.run('layering: src/renderer', layering, {
  valid: [
    ok('src/renderer/src/main.tsx', "import { createRoot } from 'react-dom/client';"),
    ok('src/renderer/src/main.tsx', "import { App } from './App';"),
    ok('src/renderer/src/x.ts', "import type { UnibusBridge } from '../../shared/ipc/bridge';"),
    ok('src/renderer/src/x.ts', "import { create } from 'zustand';"),
  ],
  invalid: [
    bad('src/renderer/src/x.ts', "import { main } from '../../main/index';", 'localImport'),
    bad('src/renderer/src/x.ts', "import { sign } from '../../main/crypto';", 'localImport'),
    bad('src/renderer/src/x.ts', "import '../../preload/index';", 'localImport'),
    bad('src/renderer/src/x.ts', "import { readFile } from 'node:fs/promises';", 'nodeBuiltin'),
    bad('src/renderer/src/x.ts', "import { EventEmitter } from 'events';", 'nodeBuiltin'),
    bad('src/renderer/src/x.ts', "import { ipcRenderer } from 'electron';", 'electron'),
    bad('src/renderer/src/x.ts', "const { shell } = require('electron/renderer');", 'electron'),
  ],
});

tester.run('layering: src/preload', layering, {
  valid: [
    ok('src/preload/index.ts', "import { contextBridge, ipcRenderer } from 'electron';"),
    ok('src/preload/index.ts', "import { IPC_CALL_NAMES } from '../shared/ipc';"),
    ok('src/preload/index.ts', "import { helper } from './helper';"),
  ],
  invalid: [
    bad('src/preload/index.ts', "import { x } from '../main/ipc/handlers';", 'localImport'),
    bad('src/preload/index.ts', "import { App } from '../renderer/src/App';", 'localImport'),
    bad('src/preload/index.ts', "import { readFileSync } from 'node:fs';", 'nodeBuiltin'),
    bad('src/preload/index.ts', "import { create } from 'zustand';", 'package'),
  ],
});

tester.run('layering: src/main/crypto', layering, {
  valid: [
    ok('src/main/crypto/native.ts', "import { createCipheriv } from 'node:crypto';"),
    ok('src/main/crypto/native.ts', "import type { KeyObject } from 'crypto';"),
    ok('src/main/crypto/index.ts', "import { ed25519 } from '@noble/curves/ed25519.js';"),
    ok('src/main/crypto/index.ts', "import { toHex } from './bytes.js';"),
    ok('src/main/crypto/index.ts', "import { ValidationError } from '../../shared/errors';"),
  ],
  invalid: [
    bad('src/main/crypto/x.ts', "import { readFileSync } from 'node:fs';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { readFileSync } from 'fs';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { readFile } from 'fs/promises';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { readFile } from 'node:fs/promises';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { connect } from 'node:net';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import net from 'net';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { spawn } from 'child_process';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { spawn } from 'node:child_process';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "const fs = require('fs');", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', 'const fs = require(`node:fs`);', 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "const fs = await import('node:fs');", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "const p = require.resolve('net');", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import fs = require('fs');", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "type Fs = typeof import('node:fs');", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "export { readFileSync } from 'fs';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { tmpdir } from 'node:os';", 'nodeBuiltin'),
    bad('src/main/crypto/x.ts', "import { safeStorage } from 'electron';", 'electron'),
    bad('src/main/crypto/x.ts', "import { loadIdentity } from '../identity';", 'localImport'),
    bad('src/main/crypto/x.ts', "import { log } from '../base/log';", 'localImport'),
    bad('src/main/crypto/x.ts', "import { frame } from '../protocol/frame.js';", 'localImport'),
    bad('src/main/crypto/x.ts', 'const m = require(moduleName);', 'dynamic'),
  ],
});

tester.run('layering: src/main/protocol', layering, {
  valid: [
    ok('src/main/protocol/frame.ts', "import { sign } from '../crypto/index.js';"),
    ok('src/main/protocol/frame.ts', "import { ValidationError } from '../../shared/errors';"),
    ok('src/main/protocol/frame.ts', "import { canonical } from './canonical';"),
    ok('src/main/protocol/frame.ts', "import { sha256 } from '@noble/hashes/sha2.js';"),
  ],
  invalid: [
    bad('src/main/protocol/x.ts', "import { createHash } from 'node:crypto';", 'nodeBuiltin'),
    bad('src/main/protocol/x.ts', "import { createHash } from 'crypto';", 'nodeBuiltin'),
    bad('src/main/protocol/x.ts', "import { Buffer } from 'node:buffer';", 'nodeBuiltin'),
    bad(
      'src/main/protocol/x.ts',
      "import { loadIdentity } from '../identity/index';",
      'localImport',
    ),
    bad('src/main/protocol/x.ts', "import { startNode } from '../node/index';", 'localImport'),
    bad('src/main/protocol/x.ts', "import { app } from 'electron';", 'electron'),
  ],
});

tester.run('layering: src/main/node', layering, {
  valid: [
    ok('src/main/node/nats-server/spawn.ts', "import { spawn } from 'node:child_process';"),
    ok('src/main/node/acl/compile.ts', "import { endpointId } from '../../crypto/index.js';"),
    ok('src/main/node/store/kv.ts', "import { NotFoundError } from '../../../shared/errors';"),
    ok('src/main/node/server/http.ts', "import { createServer } from 'node:https';"),
  ],
  invalid: [
    bad('src/main/node/x.ts', "import { connectPeer } from '../bus/connection';", 'localImport'),
    bad(
      'src/main/node/acl/x.ts',
      "import { Rooms } from '../../bus/rooms/index.js';",
      'localImport',
    ),
    bad('src/main/node/x.ts', "import { registerIpc } from '../ipc';", 'localImport'),
    bad('src/main/node/x.ts', "import '../../preload/index';", 'localImport'),
    bad('src/main/node/x.ts', "import { utilityProcess } from 'electron';", 'electron'),
  ],
});

tester.run('layering: rest of src/main and files outside src', layering, {
  valid: [
    ok('src/main/index.ts', "import { app } from 'electron';"),
    ok('src/main/index.ts', "import { startNode } from './node';"),
    ok('src/main/bus/connection.ts', "import { sign } from '../crypto';"),
    ok('scripts/anything.mjs', "import { spawn } from 'node:child_process';"),
    ok('test-support/nats.ts', "import { app } from '../src/main/index';"),
  ],
  invalid: [
    bad('src/main/ipc/x.ts', "import { App } from '../../renderer/src/App';", 'localImport'),
    bad('src/main/app/window.ts', "import '../../preload/index';", 'localImport'),
  ],
});

describe('layering: relative imports are resolved to real paths', () => {
  const project = mkdtempSync(path.join(tmpdir(), 'layering-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  const write = (rel, text = 'export {};\n') => {
    mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    writeFileSync(path.join(project, rel), text);
  };
  write('src/shared/types/index.ts');
  write('src/main/bus/peer.ts');
  write('src/main/crypto/bytes.ts');
  // src/shared/peer-link → ../main/bus: looks like shared, is really the peer.
  symlinkSync(
    path.join(project, 'src/main/bus'),
    path.join(project, 'src/shared/peer-link'),
    'dir',
  );
  // src/main/types-link → ../shared/types: looks like main, is really shared.
  symlinkSync(
    path.join(project, 'src/shared/types'),
    path.join(project, 'src/main/types-link'),
    'dir',
  );

  const at = (rel) => path.join(project, rel);
  const projectOptions = [{ root: project }];

  tester.run('layering: symlinks', layering, {
    valid: [
      {
        filename: at('src/shared/x.ts'),
        code: "import type { T } from '../main/types-link/index.js';",
        options: projectOptions,
      },
      {
        filename: at('src/main/crypto/x.ts'),
        code: "import { toHex } from './bytes.js';",
        options: projectOptions,
      },
    ],
    invalid: [
      {
        filename: at('src/shared/x.ts'),
        code: "import { peer } from './peer-link/peer.js';",
        options: projectOptions,
        errors: [
          {
            message:
              /^src\/shared may not import '\.\/peer-link\/peer\.js' \(resolves to src\/main\/bus\/peer\.ts\)/,
          },
        ],
      },
    ],
  });

  it('maps a .js specifier to the .ts file and follows directory symlinks', () => {
    expect(resolveLocalImport(at('src/main/crypto/x.ts'), './bytes.js')).toBe(
      at('src/main/crypto/bytes.ts'),
    );
    expect(resolveLocalImport(at('src/shared/x.ts'), './peer-link/peer.js')).toBe(
      at('src/main/bus/peer.ts'),
    );
    expect(resolveLocalImport(at('src/main/x.ts'), './types-link')).toBe(
      at('src/shared/types/index.ts'),
    );
  });
});

describe('layering: bare specifiers', () => {
  it('classifies every spelling of a Node built-in by its top-level module', () => {
    for (const spec of ['fs', 'node:fs', 'fs/promises', 'node:fs/promises']) {
      expect(classifyBare(spec)).toEqual({ kind: 'node', module: 'fs' });
    }
    expect(classifyBare('node:test')).toEqual({ kind: 'node', module: 'test' });
    expect(classifyBare('child_process')).toEqual({ kind: 'node', module: 'child_process' });
  });

  it('tells Electron, DOM-only packages and other packages apart', () => {
    expect(classifyBare('electron')).toEqual({ kind: 'electron' });
    expect(classifyBare('electron/main')).toEqual({ kind: 'electron' });
    expect(classifyBare('react-dom/client')).toEqual({ kind: 'dom', pkg: 'react-dom' });
    expect(classifyBare('@noble/curves/ed25519.js')).toEqual({
      kind: 'package',
      pkg: '@noble/curves',
    });
    expect(classifyBare('fs-extra')).toEqual({ kind: 'package', pkg: 'fs-extra' });
  });
});

describe('layering: wiring in eslint.config.js', () => {
  const code = "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n";

  it('reports a forbidden import in shipped code', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const [result] = await eslint.lintText(code, { filePath: file('src/shared/probe.ts') });
    const layeringMessages = result.messages.filter((m) => m.ruleId === 'local/layering');
    expect(layeringMessages).toHaveLength(1);
    expect(layeringMessages[0].severity).toBe(2);
  });

  it('leaves test files alone', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const [result] = await eslint.lintText(code, { filePath: file('src/shared/probe.test.ts') });
    expect(result.messages.filter((m) => m.ruleId === 'local/layering')).toEqual([]);
  });
});
