import createDebug from 'debug';
import type { ConnectionEventSink } from '../reconnect/connection-event.js';
import { peerText } from '../peer-text.js';
import type { ApiClientEvent } from '../state/transitions.js';

const info = createDebug('storj-monitor:api-client');
const warn = createDebug('storj-monitor:api-client:warn');

/**
 * Logs an API client's decisions with the reference messages of SPEC §7, under
 * `storj-monitor:api-client` (and `...:warn` for failures).
 *
 * @example
 * ```ts
 * const log = apiClientLogger('node1', 'http://localhost:14002', 10, () => lastNodeId);
 * log({ type: 'connected', reconnectAttempts: 0 }); // [node1] API client connected to ... (Node ID: 12AB...34CD)
 * ```
 */
export function apiClientLogger(node: string, url: string, maxAttempts: number, nodeId: () => string): ConnectionEventSink<ApiClientEvent> {
  return (event) => {
    switch (event.type) {
      case 'connected':
        info('[%s] API client connected to %s (Node ID: %s)', node, url, abbreviate(peerText(nodeId())));
        break;
      case 'failed':
        warn('[%s] API health check failed: %s', node, event.error);
        info('[%s] API reconnection attempt %d/%s in %ss', node, event.reconnectAttempts, maxAttempts || '∞', event.retryInMs / 1000);
        break;
      case 'exhausted':
        warn('[%s] API reconnection attempts exhausted (%d): %s', node, event.reconnectAttempts, event.error);
        break;
      case 'degradation':
        if (event.degraded) warn('[%s] API degraded: %s; the next request goes over a new connection', node, event.reason);
        else info('[%s] API back to normal', node);
        break;
      default:
        break;
    }
  };
}

function abbreviate(nodeId: string): string {
  return nodeId.length > 12 ? `${nodeId.slice(0, 4)}...${nodeId.slice(-4)}` : nodeId;
}
