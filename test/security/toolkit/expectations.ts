/** Assertions shared by the files: what a safe error answer looks like (H12, §10). */
import { expect } from 'vitest';
import type { Reply } from './signed-http';

/** Internal detail that must never reach a client (catalog R-H12, plus our own store names). */
export const LEAK_PATTERN =
  /(sql|sqlite|no rows|ENOENT|EACCES|\/home\/|\/opt\/|\/var\/|\/tmp\/|\.db\b|KV_|UNIBUS_|nats: |at .+\.(js|ts):\d+|Error: |stack)/i;

/** A typed error: `{"error":"<message>"}` as JSON, the expected status and message, no detail. */
export function expectError(reply: Reply, status: number, message?: string | RegExp): void {
  expect({ status: reply.status, text: reply.text }).toMatchObject({ status });
  expect(reply.text).toMatch(/^\{"error":"[^"\\]*"\}$/);
  expect(reply.text).not.toMatch(LEAK_PATTERN);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  if (typeof message === 'string') expect(reply.json.error).toBe(message);
  else if (message) expect(reply.json.error).toMatch(message);
}
