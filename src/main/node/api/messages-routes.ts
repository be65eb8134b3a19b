/**
 * A room's stored history (docs/PROTOCOL.md §11.6). Members read it here, over the signed
 * control plane, not from JetStream: members have no JetStream access at all, so no consumer,
 * pull request or acknowledgement of theirs can make the server deliver anything anywhere
 * (DECISIONS.md §22). The answer goes back on the caller's own HTTPS connection.
 */
import { base64urlEncode } from '../../protocol';
import { HttpError } from '../control-plane/http-error';
import type { Route } from '../control-plane/routes';
import { requireMember } from './guards';
import type { NodeServices } from './services';

/** Most frames in one page (the node also caps the bytes it reads). */
export const MESSAGES_PAGE_MAX = 500;

export function roomMessagesRoute(services: NodeServices): Route {
  return {
    method: 'GET',
    path: '/v1/rooms/:roomId/messages',
    auth: 'signed',
    maxBodyBytes: 0,
    handle: async ({ signer, params, query }) => {
      const { room } = await requireMember(services.store, params.roomId!, signer);
      const { after, limit } = parseQuery(query);
      const page = await services.effects.readMessages(room.room_id, after, limit);
      return {
        status: 200,
        json: {
          messages: page.messages.map((m) => ({
            seq: m.seq,
            stored_at: m.stored_at,
            frame: base64urlEncode(m.frame),
          })),
          last_seq: page.last_seq,
        },
      };
    },
  };
}

function parseQuery(query: URLSearchParams): { after: number; limit: number } {
  const keys = [...query.keys()];
  if (keys.some((k) => k !== 'after' && k !== 'limit') || new Set(keys).size !== keys.length) {
    throw new HttpError(400, 'the query may hold after and limit, once each');
  }
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const text = query.get(name);
    if (text === null) return fallback;
    if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`);
    }
    return Number(text);
  };
  return {
    after: number('after', 0, 0, Number.MAX_SAFE_INTEGER),
    limit: number('limit', MESSAGES_PAGE_MAX, 1, MESSAGES_PAGE_MAX),
  };
}
