/**
 * Splits message text into plain text and links. Only `https:` and `mailto:` URLs become links,
 * and only when `new URL` parses them to that same protocol; everything else (javascript:, data:,
 * file:, http:, …) stays text. The result is data: the component renders it as React text.
 */

export type TextPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

const CANDIDATE = /\b(?:https:\/\/|mailto:)[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;
const SAFE_PROTOCOLS = new Set(['https:', 'mailto:']);

/** The URL `candidate` names when it is a safe link, else null. */
export function safeLinkHref(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol === 'https:' && url.hostname === '') return null;
  if (url.username !== '' || url.password !== '') return null; // https://bank@evil.example
  return url.href;
}

/** Keep a closing bracket that is part of the URL, e.g. https://en.wikipedia.org/wiki/X_(Y). */
function trimTrailing(candidate: string): string {
  let url = candidate;
  for (;;) {
    const match = TRAILING_PUNCTUATION.exec(url);
    if (match === null) return url;
    const last = url[url.length - 1];
    if (last === ')' && count(url, '(') >= count(url, ')')) return url;
    url = url.slice(0, -1);
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const candidate = trimTrailing(match[0]);
    const href = safeLinkHref(candidate);
    if (href === null) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}
