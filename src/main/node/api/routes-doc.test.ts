/**
 * docs/PROTOCOL.md §11.2 is the normative route index: this test fails when it and the code
 * disagree (method, path, auth mode, body limit under DEFAULT_LIMITS). Routes are built with
 * stub services, blob store included: only `method`, `path`, `auth` and `maxBodyBytes` are
 * read, the handlers never run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BlobRefs } from '../blobs/blob-refs';
import type { BlobStore } from '../blobs/blob-store';
import type { InviteStore } from '../invites';
import type { DataPlaneNames } from '../acl/names';
import type { NodeStore } from '../store';
import { buildRoutes, DEFAULT_LIMITS, type NodeEffects, type NodeServices } from './index';

const DOC = readFileSync(new URL('../../../../docs/PROTOCOL.md', import.meta.url), 'utf8');

const ROW = /^\|\s*(GET|POST|PUT|DELETE|HEAD|PATCH)\s*\|\s*`?(\/[^\s|`]*)`?\s*\|([^|]*)\|([^|]*)\|/;

interface DocRoute {
  readonly key: string;
  readonly auth: string;
  readonly maxBodyBytes: number;
}

function unused(): never {
  throw new Error('routes-doc.test: handlers are never invoked');
}

function codeRoutes() {
  const services: NodeServices = {
    nodeId: 'routes-doc',
    store: {} as NodeStore,
    invites: {} as InviteStore,
    inviteKeys: unused,
    rotateInviteKeys: unused,
    joinLink: unused,
    effects: {} as NodeEffects,
    posture: unused,
    limits: DEFAULT_LIMITS,
    names: {} as DataPlaneNames,
    blobs: {} as BlobStore,
    blobRefs: {} as BlobRefs,
  };
  return buildRoutes(services);
}

/** The rows of every route table in "## 11. Control-plane routes" (up to the next `## `). */
function docRoutes(): DocRoute[] {
  const start = DOC.indexOf('\n## 11. Control-plane routes');
  expect(start).toBeGreaterThan(0);
  const end = DOC.indexOf('\n## ', start + 1);
  const section = DOC.slice(start, end === -1 ? undefined : end);
  const rows: DocRoute[] = [];
  for (const line of section.split('\n')) {
    const match = ROW.exec(line);
    if (match === null) continue;
    rows.push({
      key: `${match[1]} ${match[2]}`,
      auth: match[3]!.trim(),
      maxBodyBytes: Number(match[4]!.replace(/[^0-9]/g, '')),
    });
  }
  return rows;
}

describe('docs/PROTOCOL.md route index', () => {
  const code = codeRoutes();
  const doc = docRoutes();

  it('the code has no duplicate routes and the document lists each route once', () => {
    const codeKeys = code.map((r) => `${r.method} ${r.path}`);
    expect(new Set(codeKeys).size).toBe(codeKeys.length);
    const docKeys = doc.map((r) => r.key);
    expect(new Set(docKeys).size).toBe(docKeys.length);
  });

  it('every route in the code is documented and every documented route exists', () => {
    const codeKeys = code.map((r) => `${r.method} ${r.path}`).sort();
    const docKeys = doc.map((r) => r.key).sort();
    expect(docKeys.filter((k) => !codeKeys.includes(k))).toEqual([]);
    expect(codeKeys.filter((k) => !docKeys.includes(k))).toEqual([]);
  });

  it('documents each route with its auth mode and body limit (default limits)', () => {
    const byKey = new Map(doc.map((r) => [r.key, r]));
    for (const route of code) {
      const key = `${route.method} ${route.path}`;
      expect({
        key,
        auth: byKey.get(key)?.auth,
        maxBodyBytes: byKey.get(key)?.maxBodyBytes,
      }).toEqual({ key, auth: route.auth, maxBodyBytes: route.maxBodyBytes });
    }
  });
});
