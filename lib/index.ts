/**
 * storj-monitor-rx: the public surface. Everything a user imports comes from here, in
 * the order the data flows: sources -> operators -> state -> broadcast.
 */
export { CONNECTED, type Connected } from './sources/connection-signal.js';

export {
  API_CLIENT_BACKOFF,
  exponentialBackoff,
  LOG_READER_BACKOFF,
  type Backoff,
  type BackoffOptions,
  type Jitter,
} from './operators/backoff.js';
export type { ConnectionEvent, ConnectionEventSink } from './operators/connection-event.js';
export { ReconnectAttemptsExhaustedError, retryWithState, type RetryWithStateOptions } from './operators/retry-with-state.js';

export {
  initialApiClientStatus,
  initialLogReaderStatus,
  type ApiClientStatus,
  type ConnectionState,
  type ConnectionStates,
  type ConnectionStatus,
  type ConnectionStatusFrame,
  type DropReason,
  type LogReaderStatus,
  type NodeConnectionStates,
} from './state/connection-status.js';
export {
  apiClientTransition,
  connectionTransition,
  logReaderTransition,
  type ApiClientEvent,
  type LogReaderEvent,
} from './state/transitions.js';
export { ConnectionRegistry, type Component, type ConnectionRegistryOptions, type Transition } from './state/registry.js';

export { connectionStatusFrames, type ConnectionStatusFramesOptions } from './broadcast/frames.js';
