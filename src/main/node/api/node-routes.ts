/** Routes about the node itself: posture (public, no secrets) and the limits clients plan by. */
import type { Route } from '../control-plane/routes';
import { requireSigner } from './guards';
import type { NodeServices } from './services';

export function nodeRoutes(services: NodeServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      auth: 'public',
      maxBodyBytes: 0,
      handle: async () => ({ status: 200, json: { status: 'ok', posture: services.posture() } }),
    },
    {
      method: 'GET',
      path: '/v1/limits',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: async ({ signer }) => {
        requireSigner(signer);
        return { status: 200, json: services.limits };
      },
    },
  ];
}
