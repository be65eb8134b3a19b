/** The control plane's routes, built from the node's services. Documented in docs/PROTOCOL.md. */
import { HttpError } from '../control-plane/http-error';
import type { Route } from '../control-plane/routes';
import { StoreUnavailableError } from '../store';
import { blobRoutes } from './blob-routes';
import { inviteKeyRoutes } from './invite-keys-routes';
import { inviteRoutes } from './invites-routes';
import { nodeRoutes } from './node-routes';
import { roomRoutes } from './rooms-routes';
import type { NodeServices } from './services';
import { userRoutes } from './users-routes';

export function buildRoutes(services: NodeServices): Route[] {
  const routes = [
    ...nodeRoutes(services),
    ...userRoutes(services),
    ...roomRoutes(services),
    ...inviteRoutes(services),
    ...inviteKeyRoutes(services),
    ...blobRoutes(services),
  ];
  return routes.map(failClosedOnStoreErrors);
}

/**
 * A store that cannot answer (KV error or timeout) is a 503 for every route: the request is
 * denied, and the client is told to retry rather than that something is wrong with it.
 */
function failClosedOnStoreErrors(route: Route): Route {
  return {
    ...route,
    handle: async (context) => {
      try {
        return await route.handle(context);
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw new HttpError(503, 'service unavailable');
        throw error;
      }
    },
  };
}

export { activeSignerLookup } from './guards';
export {
  DEFAULT_LIMITS,
  type Limits,
  type NodeEffects,
  type NodeEvent,
  type NodeServices,
  type Posture,
} from './services';
