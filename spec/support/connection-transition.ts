import type { ConnectionEvent, ConnectionStatus } from '../../lib/index.js';

/**
 * The state machine of SPEC §4 written plainly, with spreads: the oracle that the
 * reducers, which write their statuses out field by field for speed, are checked against.
 */
export function connectionTransition<Status extends ConnectionStatus>(status: Status, event: ConnectionEvent): Status {
  switch (event.type) {
    case 'connecting':
      return { ...status, state: 'connecting', next_retry_at: null };
    case 'connected':
      return { ...status, state: 'connected', reconnect_attempts: event.reconnectAttempts, last_error: null, next_retry_at: null };
    case 'stable':
      return status.reconnect_attempts === 0 ? status : { ...status, reconnect_attempts: 0 };
    case 'disconnected':
    case 'failed':
      return {
        ...status,
        state: event.type === 'failed' ? 'error' : 'disconnected',
        reconnect_attempts: event.reconnectAttempts,
        last_error: event.error ?? status.last_error,
        next_retry_at: event.retryAt / 1000,
      };
    case 'exhausted':
      return {
        ...status,
        state: 'error',
        reconnect_attempts: event.reconnectAttempts,
        last_error:
          event.retryAt === null
            ? `Gave up after ${event.reconnectAttempts} reconnect attempts: ${event.error}`
            : `${event.reconnectAttempts} reconnect attempts failed, next cycle scheduled: ${event.error}`,
        next_retry_at: event.retryAt === null ? null : event.retryAt / 1000,
      };
    case 'stopped':
      return { ...status, state: 'stopped', next_retry_at: null };
  }
}
