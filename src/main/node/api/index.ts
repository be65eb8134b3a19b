/** The control plane's routes, built from the node's services. Documented in docs/PROTOCOL.md. */
import type { Route } from '../control-plane/routes';
import { inviteRoutes } from './invites-routes';
import { nodeRoutes } from './node-routes';
import { roomRoutes } from './rooms-routes';
import type { NodeServices } from './services';
import { userRoutes } from './users-routes';

export function buildRoutes(services: NodeServices): Route[] {
  return [
    ...nodeRoutes(services),
    ...userRoutes(services),
    ...roomRoutes(services),
    ...inviteRoutes(services),
  ];
}

export {
  DEFAULT_LIMITS,
  type Limits,
  type NodeEffects,
  type NodeEvent,
  type NodeServices,
  type Posture,
} from './services';
