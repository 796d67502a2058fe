/**
 * storj-monitor-rx: the public surface. Everything a user imports comes from here, in
 * the order the data flows, one folder per kind of thing:
 *
 * - `sources/`: sockets and HTTP as Observables (`tcpConnection`, `httpJson`);
 * - `log-lines/`: what a log stream is made of: a chunk's text, the framer that cuts
 *   bytes into lines (internal; `framingOperator` is its user), the forwarder line
 *   (`<unix_ts> <line>`) and the storagenode line it carries, and why a line is dropped;
 * - `reconnect/`: what a reconnect loop decides with and reports: backoff schedules and
 *   connection events;
 * - `operators/`: RxJS operators only (`retryWithState`, `forwarderLineBatches`,
 *   `flattenBatches`), and `operate`, the one way they subscribe to a source;
 * - `state/`: statuses, their pure transition reducers, the registry, metrics, alerts;
 * - `connections/`: the self-healing sources composed from the above (`tcpLogSource`,
 *   `NodeApiClient`);
 * - `broadcast/`: status frames and their WebSocket server;
 * - `config.ts`: the monitor's config, checked;
 * - `fleet/`: the watched nodes: shards, the changes between two configs, every node's sources;
 * - `monitor.ts`: the whole monitor in one call.
 *
 * A folder imports only from the folders before it (and `validate.ts`).
 */
export { CONNECTED, type Connected } from './sources/connection-signal.js';
export {
  ConnectTimeoutError,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_MS,
  describeSocketError,
  IdleTimeoutError,
  tcpConnection,
  type TcpConnect,
  type TcpConnectionOptions,
  type TcpConnectRequest,
} from './sources/tcp-connection.js';
export { redactCredentials } from './redact-credentials.js';
export { PEER_TEXT_MAX_CHARS, peerText } from './peer-text.js';
export { ApiRequestError, type ApiFailureKind } from './sources/api-request-error.js';
export type { AbortSignalLike, FetchInitLike, FetchLike, FetchResponseLike, SignalLikeFetch, SignalLikeInit } from './sources/fetch-like.js';
export { KeepAliveFetch } from './sources/keep-alive-fetch.js';
export { httpJson, jsonRequester, splitCredentials, type HttpJsonRequest, type JsonRequester } from './sources/http-json.js';

export { ChunkText } from './log-lines/chunk-text.js';
export { DEFAULT_MAX_LINE_BYTES, type FramingDropReason } from './log-lines/line-framer.js';
export type { DropReason } from './log-lines/drop-reason.js';
export {
  ACTION_CATEGORIES,
  looksLikeTransfer,
  TRANSFER_MESSAGES,
  type PieceCategory,
  type PieceOutcome,
  type TransferMessage,
} from './log-lines/transfer-messages.js';
export { CancellationPairs } from './log-lines/cancellation-pairs.js';
export { readPieceEvent, type PieceEvent } from './log-lines/piece-event.js';
export { unrecognizedTransfer, type UnrecognizedReason } from './log-lines/unrecognized-transfer.js';
export { parseStorageNodeLine, StorageNodeLine } from './log-lines/storagenode-line.js';
export { ForwarderLine } from './log-lines/forwarder-line.js';

export { API_CLIENT_BACKOFF, exponentialBackoff, LOG_READER_BACKOFF, type Backoff, type BackoffOptions, type Jitter } from './reconnect/backoff.js';
export type { ConnectionEvent, ConnectionEventSink } from './reconnect/connection-event.js';

export { ReconnectAttemptsExhaustedError, retryWithState, type RetryWithStateOptions } from './operators/retry-with-state.js';
export { forwarderLineBatches, type ForwarderLineBatchesOptions } from './operators/forwarder-line-batches.js';
export { flattenBatches } from './operators/flatten-batches.js';

export {
  CONNECTION_STATES,
  initialApiClientStatus,
  initialLogReaderStatus,
  type ApiClientStatus,
  type ConnectionState,
  type ConnectionStates,
  type ConnectionStatus,
  type ConnectionStatusFrame,
  type LogReaderStatus,
  type NodeConnectionStates,
  type ResumeState,
} from './state/connection-status.js';
export { apiClientTransition, logReaderTransition, type ApiClientEvent, type DegradationEvent, type LogReaderEvent } from './state/transitions.js';
export { ConnectionRegistry, type Component, type ConnectionRegistryOptions, type MembershipChange, type Transition } from './state/registry.js';
export { NodeHealthTracker, type NodeHealthTrackerOptions, type NodeReputation } from './state/health-tracker.js';
export { ConnectionMetricsCollector, type ConnectionMetrics, type MetricsMap, type MetricsOptions, type Reconnection } from './state/metrics.js';
export type { HistorySegment, MergedSegmentSummary } from './state/segment-timeline.js';
export { ConnectionHistory, type HistoryMap, type HistoryOptions } from './state/history.js';
export { connectionAlerts, type ConnectionAlert, type ConnectionAlertsOptions } from './state/alerts.js';
export {
  judgeRequest,
  NO_REQUESTS,
  requestDegradationRule,
  RequestDegradationTracker,
  type RequestDegradationOptions,
  type RequestDegradationRule,
  type RequestHistory,
  type RequestSample,
} from './state/request-degradation.js';
export {
  judgeLineBucket,
  lineRateRule,
  NO_LINE_BUCKETS,
  type LineRateHistory,
  type LineRateOptions,
  type LineRateRule,
} from './state/line-rate-degradation.js';
export {
  REPUTATION_SCORES,
  REPUTATION_WARNING_THRESHOLDS,
  reputationAlertsBetween,
  reputationThresholds,
  reputationWarnings,
  SATELLITE_LIMITS,
  type ReputationAlert,
  type ReputationScore,
  type ReputationThresholds,
  type ReputationWarning,
  type SatelliteScores,
} from './state/reputation.js';
export {
  DEFAULT_LAST_PINGED_STALE_MS,
  NODE_VERDICTS,
  nodeVerdict,
  type HealthMap,
  type NodeHealth,
  type NodeHealthInput,
  type NodeVerdict,
  type SatelliteContact,
} from './state/node-verdict.js';

export { schemaDriftCounter, type SchemaDriftSink } from './connections/schema-drift.js';
export { tcpLogSource, type TcpLogSourceOptions } from './connections/tcp-log-source.js';
export { ApiUnavailableError, NodeApiClient, type NodeApiClientOptions, type NodeApiClientStartOptions } from './connections/node-api-client.js';
export {
  knownTime,
  toDashboard,
  ZERO_TIME,
  type JsonObject,
  type SnoBandwidth,
  type SnoDashboard,
  type SnoDiskSpace,
  type SnoSatelliteSummary,
} from './connections/node-api-types.js';
export {
  toSatellite,
  toSatellites,
  type SnoBandwidthDay,
  type SnoSatellite,
  type SnoSatellites,
  type SnoStorageDay,
  type SnoUsageTotals,
} from './connections/node-api-stats.js';
export { toEstimatedPayout, toPaystubs, type SnoEstimatedPayout, type SnoPaystub, type SnoPayoutMonth } from './connections/node-api-payouts.js';
export { diskUsage, type DiskUsage } from './connections/disk-usage.js';
export { toSatelliteScores } from './connections/satellite-scores.js';
export { reputationReadings, type ReputationReadingsOptions } from './connections/reputation-watch.js';

export { connectionStatusFrames, type ConnectionStatusFramesOptions } from './broadcast/frames.js';
export { requestGuard, requestTarget, type GuardedRequest, type RequestGuardOptions, type RequestVerdict } from './broadcast/request-guard.js';
export { tokenCheck } from './broadcast/token-check.js';
export { serveFrames, type FrameBroadcast, type FrameSource, type ServeFramesOptions } from './broadcast/websocket-server.js';

export {
  resolveMonitorConfig,
  sourceHosts,
  type ApiClientConfig,
  type LogReaderConfig,
  type MonitorConfig,
  type NodeConfig,
  type ResolvedMonitorConfig,
  type Shard,
} from './config.js';
export { DEFAULT_FIRST_CHECKS_PER_SECOND, firstCheckSpacingMs, nextFirstCheckAt } from './fleet/first-check-pacing.js';
export { inShard, shardOf } from './fleet/shard.js';
export { sourceChanges, type SourceChange } from './fleet/source-changes.js';
export { createMonitor, type Monitor, type MonitorAlert, type MonitorFrame, type MonitorOptions, type NodeFeatures } from './monitor.js';
