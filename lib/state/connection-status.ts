import type { DropReason } from '../log-lines/drop-reason.js';

/**
 * The states of one connection (SPEC §2a, §4):
 * `connecting` -> `connected` -> `disconnected` (peer closed) or `error` (any failure),
 * back to `connecting` after the backoff, and `stopped` (terminal) on unsubscribe.
 *
 * @example
 * ```ts
 * const isUp = (state: ConnectionState) => state === 'connected';
 * ```
 */
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/**
 * Every {@link ConnectionState}, in the order of SPEC §2a: what metrics and exports
 * iterate to report a figure per state.
 *
 * @example
 * ```ts
 * for (const state of CONNECTION_STATES) console.log(state, timeIn[state]);
 * ```
 */
export const CONNECTION_STATES = ['disconnected', 'connecting', 'connected', 'error', 'stopped'] as const;

/**
 * What every connection status has, in the wire's snake_case (SPEC §3.4).
 *
 * @example
 * ```ts
 * const status: ConnectionStatus = {
 *   state: 'error', reconnect_attempts: 2, last_error: 'connect ECONNREFUSED', next_retry_at: 1696800004.0, degraded: false,
 * };
 * ```
 */
export interface ConnectionStatus {
  readonly state: ConnectionState;
  /** Reconnect attempts since the last successful connection (or stable period). */
  readonly reconnect_attempts: number;
  readonly last_error: string | null;
  /** Extra key: Unix seconds of the next scheduled attempt, or `null` when none is scheduled. */
  readonly next_retry_at: number | null;
  /**
   * Extra key: the source's degradation rule holds (an API answering slowly or failing
   * now and then, a log whose line rate collapsed); `state` says nothing of it and stays
   * `connected`. `false` otherwise.
   */
  readonly degraded: boolean;
}

/**
 * A node's log reader status (SPEC §3.4 `log_reader`), plus the count of dropped lines.
 *
 * @example
 * ```ts
 * const status = initialLogReaderStatus('192.168.1.100', 9001);
 * status.state; // 'disconnected'
 * ```
 */
export interface LogReaderStatus extends ConnectionStatus {
  readonly host: string;
  readonly port: number;
  /** Extra key: lines dropped since the source started, by reason (`gap`: gaps, each of unknown lines). */
  readonly dropped_lines: Readonly<Record<DropReason, number>>;
  /**
   * Extra key: the resume protocol. `off`: plain (not asked); `asked`: asked, no answer
   * yet; `on`: the forwarder resumes; `fallback`: the forwarder speaks only the plain
   * protocol, so lines written while disconnected are lost.
   */
  readonly resume: ResumeState;
}

/**
 * Where a log source stands with the resume protocol (see `LogReaderStatus.resume`).
 *
 * @example
 * ```ts
 * const lossless = (state: ResumeState) => state === 'on';
 * ```
 */
export type ResumeState = 'off' | 'asked' | 'on' | 'fallback';

/**
 * A node's API client status (SPEC §3.4 `api_client`).
 *
 * @example
 * ```ts
 * const status = initialApiClientStatus();
 * status.is_available; // false
 * ```
 */
export interface ApiClientStatus extends ConnectionStatus {
  readonly is_available: boolean;
  /** Unix seconds (float) of the last successful request, or `null`. */
  readonly last_successful_request: number | null;
}

/**
 * One node's entry in the connection map. A node without a log source or without an
 * API has no such key.
 */
export interface NodeConnectionStates {
  readonly log_reader?: LogReaderStatus;
  readonly api_client?: ApiClientStatus;
}

/**
 * The connection map: node name -> that node's statuses (SPEC §3.4 `states`).
 *
 * @example
 * ```ts
 * const states: ConnectionStates = { node1: { log_reader: initialLogReaderStatus('10.0.0.2', 9001) } };
 * ```
 */
export type ConnectionStates = Readonly<Record<string, NodeConnectionStates>>;

/**
 * The `connection_status` frame broadcast to dashboards (SPEC §3.4).
 *
 * @example
 * ```ts
 * const frame: ConnectionStatusFrame = { type: 'connection_status', states: registry.snapshot() };
 * ws.send(JSON.stringify(frame));
 * ```
 */
export interface ConnectionStatusFrame {
  readonly type: 'connection_status';
  readonly states: ConnectionStates;
}

/**
 * The counts of a source that has dropped nothing: one frozen object that every initial
 * status shares (a status is immutable; a drop makes a new counts object), instead of
 * 56 B more per source.
 */
const NO_DROPPED_LINES: LogReaderStatus['dropped_lines'] = Object.freeze({ malformed: 0, oversize: 0, partial: 0, gap: 0 });

/**
 * A log reader's status before its first attempt.
 *
 * @example
 * ```ts
 * initialLogReaderStatus('127.0.0.1', 9001).reconnect_attempts; // 0
 * initialLogReaderStatus('127.0.0.1', 9001, true).resume; // 'asked'
 * ```
 */
export function initialLogReaderStatus(host: string, port: number, resume = false): LogReaderStatus {
  return {
    state: 'disconnected',
    host,
    port,
    reconnect_attempts: 0,
    last_error: null,
    next_retry_at: null,
    dropped_lines: NO_DROPPED_LINES,
    resume: resume ? 'asked' : 'off',
    degraded: false,
  };
}

/**
 * An API client's status before its first health check.
 *
 * @example
 * ```ts
 * initialApiClientStatus().last_successful_request; // null
 * ```
 */
export function initialApiClientStatus(): ApiClientStatus {
  return {
    state: 'disconnected',
    is_available: false,
    last_error: null,
    reconnect_attempts: 0,
    last_successful_request: null,
    next_retry_at: null,
    degraded: false,
  };
}
