// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { linkify, safeLinkHref } from './linkify';

describe('linkify', () => {
  it('links https and mailto URLs and keeps the rest as text', () => {
    expect(linkify('see https://example.com/a?b=1 or mailto:bob@example.com.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' or ' },
      { kind: 'link', text: 'mailto:bob@example.com', href: 'mailto:bob@example.com' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links javascript:, data:, file: or http: URLs', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'http://example.com',
      'JaVaScRiPt:alert(1)',
    ]) {
      expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('keeps balanced closing brackets and drops trailing punctuation', () => {
    const parts = linkify('(https://en.wikipedia.org/wiki/X_(Y)).');
    expect(parts[1]).toEqual({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/X_(Y)',
      href: 'https://en.wikipedia.org/wiki/X_(Y)',
    });
  });

  it('refuses URLs with credentials (https://bank@evil)', () => {
    expect(safeLinkHref('https://bank.example@evil.example/')).toBeNull();
    expect(linkify('https://bank.example@evil.example/')).toHaveLength(1);
  });
});
