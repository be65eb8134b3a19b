import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCanonicalRequestPath } from './request-path.js';

describe('isCanonicalRequestPath (threat X-09)', () => {
  it('accepts canonical origin-form URIs', () => {
    for (const p of [
      '/',
      '/healthz',
      '/rooms/01JD0000000000000000000000',
      '/rooms/01JD0000000000000000000000/key?endpoint=j2NN7PNzfwwa-NhynKnp3_nE-3YPwRqWSiYe-k-2Dv8&epoch=2',
      '/users/8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c/revoke',
      '/a%20b',
      '/q?x=%2F&y=a/b?c',
      '/file.name.txt',
      '/...',
    ]) {
      expect(isCanonicalRequestPath(p), p).toBe(true);
    }
  });

  it('rejects non-canonical or ambiguous URIs', () => {
    for (const p of [
      '',
      'rooms',
      'http://host/rooms',
      '//rooms/R',
      '/rooms//R',
      '/rooms/./R',
      '/rooms/../users',
      '/rooms/R/..',
      '/rooms/R/.',
      '/rooms/R/',
      '/rooms%2FR',
      '/rooms%2fR',
      '/rooms/%2E%2E/users',
      '/rooms/%2e',
      '/rooms/%41',
      '/rooms/%5C',
      '/rooms/%00',
      '/rooms/%zz',
      '/rooms/%a0',
      '/rooms\\R',
      '/rooms/R#frag',
      '/rooms/R?',
      '/rooms/R?a=%2',
      '/rooms R',
      '/rooms/é',
      '/rooms/\n',
      '/' + 'a'.repeat(2048),
    ]) {
      expect(isCanonicalRequestPath(p), JSON.stringify(p)).toBe(false);
    }
    expect(isCanonicalRequestPath(42)).toBe(false);
  });

  it('never throws, and accepted paths contain no dot segments or empty segments', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const p = '/' + s;
        if (isCanonicalRequestPath(p)) {
          const path = p.split('?')[0]!;
          expect(
            path
              .split('/')
              .slice(1)
              .every((seg) => seg !== '.' && seg !== '..'),
          ).toBe(true);
          expect(path === '/' || !path.split('/').slice(1).includes('')).toBe(true);
          expect(p).not.toMatch(/%2[fF]|%2[eE]|\\|#/);
        }
      }),
    );
  });
});
