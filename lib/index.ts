/**
 * storj-monitor-rx: the public surface. Everything a user imports comes from here, in
 * the order the data flows: sources -> operators -> state -> connections -> broadcast -> config -> monitor.
 */
export { CONNECTED, type Connected } from './sources/connection-signal.js';
export {
  ConnectTimeoutError,
  describeSocketError,
  IdleTimeoutError,
  tcpConnection,
  type TcpConnect,
  type TcpConnectionOptions,
  type TcpConnectRequest,
} from './sources/tcp-connection.js';
export { ApiRequestError, type ApiFailureKind } from './sources/api-request-error.js';
export type { HttpReply } from './sources/http-response-parser.js';
export { KeepAliveHttp, type KeepAliveHttpOptions } from './sources/keep-alive-http.js';
export { fetchTransport, type FetchInitLike, type FetchLike, type FetchResponseLike } from './sources/fetch-transport.js';
export {
  httpJson,
  jsonRequester,
  redactCredentials,
  splitCredentials,
  type HttpJsonRequest,
  type HttpTransport,
  type JsonRequester,
} from './sources/http-json.js';

export { API_CLIENT_BACKOFF, exponentialBackoff, LOG_READER_BACKOFF, type Backoff, type BackoffOptions, type Jitter } from './reconnect/backoff.js';
export type { ConnectionEvent, ConnectionEventSink } from './reconnect/connection-event.js';
export { repeatAfter } from './operators/repeat-after.js';
export { ReconnectAttemptsExhaustedError, retryWithState, type RetryWithStateOptions } from './operators/retry-with-state.js';
export { ChunkText } from './log-lines/chunk-text.js';
export { LineFramer, type FramingDropReason, type LineSink } from './log-lines/line-framer.js';
export { frameLines, type FrameLinesOptions } from './operators/frame-lines.js';
export {
  ForwarderLine,
  forwarderLineBatches,
  forwarderLines,
  parseForwarderLine,
  parseForwarderLineAt,
  type DropReason,
  type ForwarderLineBatchesOptions,
  type ForwarderLinesOptions,
} from './log-lines/forwarder-line.js';
export { flattenBatches } from './operators/flatten-batches.js';
export { parseStorageNodeLine, StorageNodeLine, type PieceCategory, type PieceEvent, type PieceOutcome } from './log-lines/storagenode-line.js';

export {
  initialApiClientStatus,
  initialLogReaderStatus,
  type ApiClientStatus,
  type ConnectionState,
  type ConnectionStates,
  type ConnectionStatus,
  type ConnectionStatusFrame,
  type LogReaderStatus,
  type NodeConnectionStates,
} from './state/connection-status.js';
export { apiClientTransition, connectionTransition, logReaderTransition, type ApiClientEvent, type LogReaderEvent } from './state/transitions.js';
export { ConnectionRegistry, type Component, type ConnectionRegistryOptions, type Transition } from './state/registry.js';
export { ConnectionMetricsCollector, type ConnectionMetrics, type MetricsMap, type MetricsOptions, type Reconnection } from './state/metrics.js';
export { connectionAlerts, type ConnectionAlert, type ConnectionAlertsOptions } from './state/alerts.js';

export { tcpLogSource, type TcpLogSourceOptions } from './connections/tcp-log-source.js';
export { ApiUnavailableError, NodeApiClient, type NodeApiClientOptions } from './connections/node-api-client.js';
export { toDashboard, type JsonObject, type SnoDashboard, type SnoSatelliteSummary } from './connections/node-api-types.js';

export { connectionStatusFrames, type ConnectionStatusFramesOptions } from './broadcast/frames.js';
export { serveFrames, type FrameBroadcast, type FrameSource, type ServeFramesOptions } from './broadcast/websocket-server.js';

export { resolveMonitorConfig, type ApiClientConfig, type LogReaderConfig, type MonitorConfig, type NodeConfig, type ResolvedMonitorConfig } from './config.js';
export { createMonitor, type Monitor, type MonitorFrame, type MonitorOptions, type NodeFeatures } from './monitor.js';
