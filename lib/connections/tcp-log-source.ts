import createDebug from 'debug';
import { asyncScheduler, defer, type Observable, type SchedulerLike } from 'rxjs';
import { LOG_READER_BACKOFF, toBackoff, type Backoff, type BackoffOptions } from '../reconnect/backoff.js';
import type { ConnectionEventSink } from '../reconnect/connection-event.js';
import { flattenBatches } from '../operators/flatten-batches.js';
import type { ForwarderLine } from '../log-lines/forwarder-line.js';
import type { DropReason } from '../log-lines/drop-reason.js';
import { DEFAULT_MAX_LINE_BYTES } from '../log-lines/line-framer.js';
import { uncheckedForwarderLineBatches } from '../operators/forwarder-line-batches.js';
import { retryWithState } from '../operators/retry-with-state.js';
import { peerText } from '../peer-text.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_KEEPALIVE_MS, describeSocketError, tcpConnection, type TcpConnect } from '../sources/tcp-connection.js';
import { initialLogReaderStatus } from '../state/connection-status.js';
import { lineRateRule, type LineRateOptions } from '../state/line-rate-degradation.js';
import type { ConnectionRegistry } from '../state/registry.js';
import type { LogReaderEvent } from '../state/transitions.js';
import { requireBoolean, requireHost, requireInteger, requireText } from '../validate.js';
import { lineRateWatch } from './line-rate-watch.js';
import { resumableLogConnection } from './resumable-log-connection.js';
import { ResumeCursor } from './resume-cursor.js';
import { schemaDriftCounter } from './schema-drift.js';

const info = createDebug('storj-monitor:log-reader');
const warn = createDebug('storj-monitor:log-reader:warn');

/** Options of {@link tcpLogSource}; all but `node`, `host` and `port` have defaults (SPEC §5, §6). */
export interface TcpLogSourceOptions {
  /** The node's name: tags every line and keys the registry entry. */
  readonly node: string;
  /** The log forwarder's address. */
  readonly host: string;
  readonly port: number;
  /** Defaults to 10000. */
  readonly connectTimeoutMs?: number;
  /** TCP keepalive idle time. Defaults to {@link DEFAULT_KEEPALIVE_MS} (10000). */
  readonly keepAliveMs?: number;
  /** Reconnect when nothing arrived for this long; 0 is off. Defaults to 0. */
  readonly idleTimeoutMs?: number;
  /** Longest line kept, in bytes. Defaults to {@link DEFAULT_MAX_LINE_BYTES} (1 MiB). */
  readonly maxLineBytes?: number;
  /** Defaults to {@link LOG_READER_BACKOFF}: 2 s doubling to 60 s. */
  readonly backoff?: Backoff | BackoffOptions;
  /** 0 is unlimited. Defaults to 0. */
  readonly maxReconnectAttempts?: number;
  /** See `retryWithState`. Defaults to 0 (reset on connect). */
  readonly resetAfterStableMs?: number;
  /**
   * Where the node's `log_reader` status is kept. The source is registered when it is
   * created; subscribe to it once at a time (a later subscription continues the same
   * status, counters included).
   */
  readonly registry?: ConnectionRegistry;
  /** Receives every event too (besides the registry). */
  readonly onEvent?: ConnectionEventSink<LogReaderEvent>;
  /** Clock and timers of the retry logic. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** The connect/handshake step. Defaults to `net.connect`. */
  readonly connect?: TcpConnect;
  /**
   * Count the piecestore lines that look like transfers but cannot be read (schema
   * drift, `entry.unrecognized`): reported as `lines_unrecognized` (metrics:
   * `lines.unrecognized`) and warned about once per node version with a sample line.
   * It reads the fields of every piecestore line as it arrives, which costs their
   * `JSON.parse`. Defaults to false; `createMonitor` turns it on.
   */
  readonly detectSchemaDrift?: boolean;
  /** The node's storagenode version for the drift warning (`NodeApiClient.version`); `null` while unknown. */
  readonly nodeVersion?: () => string | null;
  /**
   * Ask the forwarder for every line after the last one received (our forwarder,
   * `storj-monitor-rx/forwarder`): nothing lost or repeated across reconnects, and gaps
   * reported (`dropped_lines.gap`) when what was asked for is gone. Against a forwarder
   * that speaks only the plain protocol (the reference one closes a client that writes)
   * it falls back to plain, says so once on the warn log and in the status (`resume:
   * 'fallback'`), and asks again on the next connection. Defaults to false.
   */
  readonly resume?: boolean;
  /** With `resume`: keep the position in this file, so that a restarted monitor resumes too. */
  readonly positionFile?: string;
  /** With `resume`: a forwarder that neither greets nor closes within this long is taken as plain, in ms. Defaults to 5000. */
  readonly greetingTimeoutMs?: number;
  /**
   * Watch the line rate: `degraded` when it collapses against the source's own usual
   * rate (see {@link LineRateOptions}; `{}` takes every default). Off when absent, since
   * it keeps a timer on `scheduler` while connected; `createMonitor` always turns it on.
   */
  readonly lineRate?: LineRateOptions;
}

/** The default `nodeVersion`: one function for every source, not a closure per source. */
const unknownVersion = (): null => null;

/** At most one warning about malformed lines per this period; the rest are counted. */
const MALFORMED_WARN_INTERVAL_MS = 10_000;

/**
 * A node's log, streamed from a TCP log forwarder (SPEC §3.1) and kept alive: an
 * Observable of {@link ForwarderLine}s that reconnects with backoff whenever the
 * connection fails or the peer closes, forever by default. Every state transition goes
 * to the registry as the node's `log_reader` status, dropped lines are counted there by
 * reason, and unsubscribing closes the socket at once, leaving the state `stopped`.
 * Bad options throw a `RangeError` naming the option, before any connection is made.
 *
 * @example
 * ```ts
 * import { tcpLogSource, ConnectionRegistry } from 'storj-monitor-rx';
 *
 * const registry = new ConnectionRegistry();
 * tcpLogSource({ node: 'node1', host: '192.168.1.100', port: 9001, registry })
 *   .subscribe((line) => console.log(line.node, line.timestampText, line.entry.message));
 * ```
 */
export function tcpLogSource(options: TcpLogSourceOptions): Observable<ForwarderLine> {
  const node = requireText('node', options.node);
  const host = requireHost('host', options.host);
  const port = requireInteger('port', options.port, 1, 65_535);
  const connectTimeoutMs = requireInteger('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 1);
  const keepAliveMs = requireInteger('keepAliveMs', options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS, 1000);
  const idleTimeoutMs = requireInteger('idleTimeoutMs', options.idleTimeoutMs ?? 0, 0);
  const scheduler = options.scheduler ?? asyncScheduler;
  const socket = { host, port, connectTimeoutMs, keepAliveMs, idleTimeoutMs, ...(options.connect && { connect: options.connect }) };
  const resume = requireBoolean('resume', options.resume ?? false);
  if (options.positionFile !== undefined) requireText('positionFile', options.positionFile);
  const greetingTimeoutMs = requireInteger('greetingTimeoutMs', options.greetingTimeoutMs ?? 5000, 1);
  const retry = {
    backoff: toBackoff(options.backoff, LOG_READER_BACKOFF),
    maxReconnectAttempts: requireInteger('maxReconnectAttempts', options.maxReconnectAttempts ?? 0, 0),
    resetAfterStableMs: requireInteger('resetAfterStableMs', options.resetAfterStableMs ?? 0, 0),
    scheduler,
    describeError: describeSocketError,
  };
  // Checked here, once, so a bad value fails at once and not at subscription: the operators below do not check it again.
  const maxLineBytes = requireInteger('maxLineBytes', options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, 1);
  const detectSchemaDrift = requireBoolean('detectSchemaDrift', options.detectSchemaDrift ?? false);
  const nodeVersion = options.nodeVersion ?? unknownVersion;
  const rule = options.lineRate && lineRateRule(options.lineRate);

  // Registered at once, so the map shows the node before (and even if never) it is subscribed.
  const track = options.registry?.track(node, 'log_reader', initialLogReaderStatus(host, port, resume));
  const cursor = resume ? new ResumeCursor(options.positionFile) : undefined;
  // Taken out here so that the closures below keep this one function, not the caller's options object.
  const onEvent = options.onEvent;

  return defer(() => {
    const logEvent = logReaderLogger(node, `${host}:${port}`);
    const report: ConnectionEventSink<LogReaderEvent> = (event) => {
      track?.(event);
      onEvent?.(event);
      logEvent(event);
      watchLineRate?.(event);
    };
    const watchLineRate = rule && lineRateWatch(rule, scheduler, report);
    const warnMalformed = malformedWarner(node, scheduler);
    const checkDrift = detectSchemaDrift ? schemaDriftCounter(node, nodeVersion, (count) => report({ type: 'lines_unrecognized', count })) : undefined;
    const onDrop = (reason: DropReason, text?: string): void => {
      report({ type: 'lines_dropped', reason, count: 1 });
      if (text !== undefined) warnMalformed(text);
    };
    const batches$ = cursor
      ? resumableLogConnection({
          node,
          socket,
          maxLineBytes,
          cursor,
          greetingTimeoutMs,
          scheduler,
          onDrop,
          onGap: (bytes) => report({ type: 'lines_dropped', reason: 'gap', count: 1, bytes }),
          onProtocol: (resumed, reason) => report({ type: 'resume', resume: resumed ? 'on' : 'fallback', ...(reason !== undefined && { reason }) }),
        })
      : // Safe to share the read buffer: the lines are framed, and their text taken, before a read returns.
        tcpConnection({ ...socket, sharedReadBuffer: true }).pipe(uncheckedForwarderLineBatches({ node, maxLineBytes, onDrop }));
    return batches$.pipe(
      retryWithState({ ...retry, onEvent: report }),
      flattenBatches((batch) => {
        report({ type: 'lines_received', count: batch.length });
        checkDrift?.(batch);
      }),
    );
  });
}

/** Logs the decisions with the reference messages of SPEC §7. */
function logReaderLogger(node: string, address: string): ConnectionEventSink<LogReaderEvent> {
  let connected = false;
  let fellBack = false;
  return (event) => {
    switch (event.type) {
      case 'resume':
        // Said once: a plain forwarder answers every new connection the same way.
        if (event.resume === 'fallback' && !fellBack)
          warn('[%s] %s does not resume: %s; falling back to the plain protocol (lines written while disconnected are lost)', node, address, event.reason);
        else if (event.resume === 'on') info('[%s] Resuming from %s', node, address);
        fellBack = event.resume === 'fallback';
        break;
      case 'lines_dropped':
        if (event.reason === 'gap')
          warn(
            '[%s] Gap in the log from %s: %s no longer on the forwarder (rotated away and deleted, or truncated)',
            node,
            address,
            event.bytes == null ? 'lines of unknown size' : `${event.bytes} bytes`,
          );
        break;
      case 'connected':
        connected = true;
        info('[%s] Connected to remote log source at %s', node, address);
        break;
      case 'disconnected':
        connected = false;
        info('[%s] Connection to %s closed by remote end. Retrying in %s', node, address, seconds(event.retryInMs));
        break;
      case 'failed':
        warn(
          '[%s] %s %s: %s. Attempt %d. Retrying in %s',
          node,
          connected ? 'Connection lost to' : 'Cannot connect to',
          address,
          event.error,
          event.reconnectAttempts,
          seconds(event.retryInMs),
        );
        connected = false;
        break;
      case 'exhausted':
        warn('[%s] Giving up on %s after %d reconnect attempts: %s', node, address, event.reconnectAttempts, event.error);
        break;
      case 'stopped':
        info('[%s] Log reader for %s stopped', node, address);
        break;
      case 'degradation':
        if (event.degraded) warn('[%s] Log from %s degraded: %s', node, address, event.reason);
        else info('[%s] Log from %s back to its usual line rate', node, address);
        break;
      default:
        break;
    }
  };
}

/** Warns about a malformed line with its first 100 characters, at most once per period. */
function malformedWarner(node: string, scheduler: SchedulerLike): (text: string) => void {
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (text) => {
    const now = scheduler.now();
    if (now - lastWarnAt < MALFORMED_WARN_INTERVAL_MS) {
      suppressed++;
      return;
    }
    const more = suppressed > 0 ? ` (${suppressed} more since the last warning)` : '';
    warn('[%s] Dropped malformed log line%s: %s', node, more, JSON.stringify(peerText(text, 100)));
    lastWarnAt = now;
    suppressed = 0;
  };
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
