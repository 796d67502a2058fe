import type { ConnectionEvent } from '../reconnect/connection-event.js';
import type { DropReason } from '../log-lines/drop-reason.js';
import type { ApiClientStatus, ConnectionStatus, LogReaderStatus, ResumeState } from './connection-status.js';
import type { SatelliteContact } from './node-verdict.js';

/**
 * A source's degradation rule changed its mind: `degraded` is the status's new
 * `degraded`, `reason` says why in words (`null` when back to normal).
 *
 * @example
 * ```ts
 * const event: DegradationEvent = { type: 'degradation', degraded: true, reason: 'answers slowly: median 4200 ms over the last 5 checks, 35.0 x its usual 120 ms' };
 * ```
 */
export interface DegradationEvent {
  readonly type: 'degradation';
  readonly degraded: boolean;
  readonly reason: string | null;
}

/**
 * What a log reader reports: its connection decisions, lines it had to drop (a gap's
 * `bytes`: its size, `null` when the forwarder does not know it), and how the resume
 * protocol went on a connection (`fallback` with the reason), and changes of its
 * line-rate degradation.
 *
 * @example
 * ```ts
 * const event: LogReaderEvent = { type: 'lines_dropped', reason: 'malformed', count: 1 };
 * const gap: LogReaderEvent = { type: 'lines_dropped', reason: 'gap', count: 1, bytes: 4096 };
 * ```
 */
export type LogReaderEvent =
  | ConnectionEvent
  | { readonly type: 'lines_dropped'; readonly reason: DropReason; readonly count: number; readonly bytes?: number | null }
  | { readonly type: 'resume'; readonly resume: Extract<ResumeState, 'on' | 'fallback'>; readonly reason?: string }
  /** Counted by metrics, not kept in the status (it would change with every chunk). */
  | { readonly type: 'lines_received'; readonly count: number }
  /** Piecestore lines that look like transfers but could not be read (schema drift); counted by metrics. */
  | { readonly type: 'lines_unrecognized'; readonly count: number }
  | DegradationEvent;

/**
 * What an API client reports: its connection decisions, each successful request (`at`
 * in milliseconds of the client's clock), each health check's result (counted by
 * metrics, not kept in the status; a healthy one with the node's satellite `contact`
 * for the health verdict), and changes of its degradation.
 *
 * @example
 * ```ts
 * const event: ApiClientEvent = { type: 'request_succeeded', at: Date.now() };
 * ```
 */
export type ApiClientEvent =
  | ConnectionEvent
  | { readonly type: 'request_succeeded'; readonly at: number }
  | { readonly type: 'health_checked'; readonly ok: boolean; readonly contact?: SatelliteContact }
  | DegradationEvent;

/** The fields every connection status has, which {@link ConnectionEvent}s change. */
type ConnectionFields = Pick<ConnectionStatus, 'state' | 'reconnect_attempts' | 'last_error' | 'next_retry_at'>;

/**
 * The state machine of SPEC §4, shared by both reducers: what `event` makes of a
 * status's connection fields; `null` when it changes nothing. (The specs check the
 * reducers against a plain spreading version of it, their oracle.)
 */
function nextConnectionFields(status: ConnectionFields, event: ConnectionEvent): ConnectionFields | null {
  switch (event.type) {
    case 'connecting':
      return { state: 'connecting', reconnect_attempts: status.reconnect_attempts, last_error: status.last_error, next_retry_at: null };
    case 'connected':
      return { state: 'connected', reconnect_attempts: event.reconnectAttempts, last_error: null, next_retry_at: null };
    case 'stable':
      return status.reconnect_attempts === 0
        ? null
        : { state: status.state, reconnect_attempts: 0, last_error: status.last_error, next_retry_at: status.next_retry_at };
    case 'disconnected':
    case 'failed':
      return {
        state: event.type === 'failed' ? 'error' : 'disconnected',
        reconnect_attempts: event.reconnectAttempts,
        last_error: event.error ?? status.last_error,
        next_retry_at: toUnixSeconds(event.retryAt),
      };
    case 'exhausted':
      return {
        state: 'error',
        reconnect_attempts: event.reconnectAttempts,
        last_error:
          event.retryAt === null
            ? `Gave up after ${event.reconnectAttempts} reconnect attempts: ${event.error}`
            : `${event.reconnectAttempts} reconnect attempts failed, next cycle scheduled: ${event.error}`,
        next_retry_at: event.retryAt === null ? null : toUnixSeconds(event.retryAt),
      };
    case 'stopped':
      return { state: 'stopped', reconnect_attempts: status.reconnect_attempts, last_error: status.last_error, next_retry_at: null };
  }
}

/**
 * The log reader's reducer: the state machine of SPEC §4 plus dropped-line counts.
 * Statuses are written out field by field, in the order of `initialLogReaderStatus`,
 * not spread: V8 copies `{ ...status, state }` several times slower, and 20,000 sources
 * failing at once pass here.
 *
 * @example
 * ```ts
 * const next = logReaderTransition(status, { type: 'lines_dropped', reason: 'oversize', count: 1 });
 * next.dropped_lines.oversize; // status.dropped_lines.oversize + 1
 * ```
 */
export function logReaderTransition(status: LogReaderStatus, event: LogReaderEvent): LogReaderStatus {
  if (event.type === 'lines_received' || event.type === 'lines_unrecognized') return status;
  if (event.type === 'lines_dropped') {
    const dropped = status.dropped_lines;
    return logReaderStatus(status, status, { ...dropped, [event.reason]: dropped[event.reason] + event.count });
  }
  if (event.type === 'resume') return event.resume === status.resume ? status : logReaderStatus(status, status, status.dropped_lines, event.resume);
  if (event.type === 'degradation') {
    return event.degraded === status.degraded ? status : logReaderStatus(status, status, status.dropped_lines, status.resume, event.degraded);
  }
  const fields = nextConnectionFields(status, event);
  return fields === null ? status : logReaderStatus(status, fields, status.dropped_lines);
}

function logReaderStatus(
  status: LogReaderStatus,
  fields: ConnectionFields,
  droppedLines: LogReaderStatus['dropped_lines'],
  resume = status.resume,
  degraded = status.degraded,
): LogReaderStatus {
  return {
    state: fields.state,
    host: status.host,
    port: status.port,
    reconnect_attempts: fields.reconnect_attempts,
    last_error: fields.last_error,
    next_retry_at: fields.next_retry_at,
    dropped_lines: droppedLines,
    resume,
    degraded,
  };
}

/**
 * The API client's reducer: the state machine of SPEC §4, `is_available` true exactly
 * while `connected`, `last_successful_request` (Unix seconds) on every success, and
 * `degraded` as its last {@link DegradationEvent} said. Written out field by field, in the order of `initialApiClientStatus`, like the log
 * reader's.
 *
 * @example
 * ```ts
 * const next = apiClientTransition(initialApiClientStatus(), { type: 'connected', reconnectAttempts: 0 });
 * next.is_available; // true
 * ```
 */
export function apiClientTransition(status: ApiClientStatus, event: ApiClientEvent): ApiClientStatus {
  if (event.type === 'health_checked') return status;
  if (event.type === 'request_succeeded') return apiClientStatus(status, toUnixSeconds(event.at), status.degraded);
  if (event.type === 'degradation')
    return event.degraded === status.degraded ? status : apiClientStatus(status, status.last_successful_request, event.degraded);
  const fields = nextConnectionFields(status, event);
  return fields === null ? status : apiClientStatus(fields, status.last_successful_request, status.degraded);
}

function apiClientStatus(fields: ConnectionFields, lastSuccessfulRequest: number | null, degraded: boolean): ApiClientStatus {
  return {
    state: fields.state,
    is_available: fields.state === 'connected',
    last_error: fields.last_error,
    reconnect_attempts: fields.reconnect_attempts,
    last_successful_request: lastSuccessfulRequest,
    next_retry_at: fields.next_retry_at,
    degraded,
  };
}

function toUnixSeconds(ms: number): number {
  return ms / 1000;
}
