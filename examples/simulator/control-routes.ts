// HTTP controls for the demo's simulated nodes, served beside the dashboard:
// GET /sim/nodes lists them; POST /sim/{node}/{action} breaks or mends one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatedNode } from './simulated-node.js';

const ACTIONS: Readonly<Record<string, (node: SimulatedNode) => Promise<void> | void>> = {
  'forwarder-stop': (node) => node.stopForwarder(),
  'forwarder-start': (node) => node.startForwarder(),
  'api-ok': (node) => node.setApiFault('ok'),
  'api-unavailable': (node) => node.setApiFault('unavailable'),
  'api-hang': (node) => node.setApiFault('hang'),
};

export function simulatorRoutes(nodes: readonly SimulatedNode[]): (request: IncomingMessage, response: ServerResponse) => boolean {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith('/sim/')) return false;
    if (path === '/sim/nodes' && request.method === 'GET') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ nodes: nodes.map((node) => node.status()), actions: Object.keys(ACTIONS) }));
      return true;
    }
    const [, , name, action] = path.split('/');
    const node = byName.get(decodeURIComponent(name ?? ''));
    const act = ACTIONS[action ?? ''];
    if (request.method !== 'POST' || !node || !act) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such node or action');
      return true;
    }
    Promise.resolve(act(node)).then(
      () => response.writeHead(204).end(),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end((error as Error).message),
    );
    return true;
  };
}
