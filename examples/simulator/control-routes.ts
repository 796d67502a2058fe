// HTTP controls for the demo's simulated nodes, served beside the dashboard:
// GET /sim/nodes lists them; POST /sim/{node}/{action} breaks or mends one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestTarget } from 'storj-monitor-rx';
import { decodedSegment } from './decoded-segment.js';
import type { SimulatedNode } from './simulated-node.js';

const ACTIONS: ReadonlyMap<string, (node: SimulatedNode) => Promise<void> | void> = new Map([
  ['forwarder-stop', (node: SimulatedNode) => node.stopForwarder()],
  ['forwarder-start', (node: SimulatedNode) => node.startForwarder()],
  ['api-ok', (node: SimulatedNode) => node.setApiFault('ok')],
  ['api-unavailable', (node: SimulatedNode) => node.setApiFault('unavailable')],
  ['api-hang', (node: SimulatedNode) => node.setApiFault('hang')],
]);

/**
 * The routes, for a server that checks requests first (the CLI's guard answers a page of
 * another origin with 403, so a cross-site POST never gets here); any path is answered,
 * none throws.
 */
export function simulatorRoutes(nodes: readonly SimulatedNode[]): (request: IncomingMessage, response: ServerResponse) => boolean {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  return (request, response) => {
    const path = requestTarget(request)?.pathname ?? '';
    if (!path.startsWith('/sim/')) return false;
    if (path === '/sim/nodes' && request.method === 'GET') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ nodes: nodes.map((node) => node.status()), actions: [...ACTIONS.keys()] }));
      return true;
    }
    const [, , name, action] = path.split('/');
    const node = byName.get(decodedSegment(name ?? '') ?? '');
    const act = ACTIONS.get(action ?? '');
    if (request.method !== 'POST' || !node || !act) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such node or action');
      return true;
    }
    Promise.resolve()
      .then(() => act(node))
      .then(
        () => response.writeHead(204).end(),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end((error as Error).message),
      );
    return true;
  };
}
