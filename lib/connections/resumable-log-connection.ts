import { connect as netConnect } from 'node:net';
import { Observable, Subscription, type SchedulerLike } from 'rxjs';
import type { DropReason } from '../log-lines/drop-reason.js';
import { parseForwarderLineAt, type ForwarderLine } from '../log-lines/forwarder-line.js';
import { uncheckedForwarderLineBatches } from '../operators/forwarder-line-batches.js';
import { framingOperator } from '../operators/framing-operator.js';
import { CONNECTED, type Connected } from '../sources/connection-signal.js';
import { helloRecord, parseRecord, RECORD_MARK } from '../sources/resume-protocol.js';
import { tcpConnection, type TcpConnect, type TcpConnectionOptions } from '../sources/tcp-connection.js';
import type { ResumeCursor } from './resume-cursor.js';

/** Lines kept while waiting for the greeting (plain lines of a forwarder that may not speak resume). */
const MAX_PENDING_LINES = 10_000;

/** Options of {@link resumableLogConnection}. */
export interface ResumableLogConnectionOptions {
  readonly node: string;
  /** The socket's options (`connect` included); its reads go to the shared buffer. */
  readonly socket: Omit<TcpConnectionOptions, 'sharedReadBuffer'>;
  /** A positive integer, checked by the caller (`tcpLogSource`, at its entry). */
  readonly maxLineBytes: number;
  /** The source's position, advanced as lines are handed on. */
  readonly cursor: ResumeCursor;
  /** A forwarder that neither greets nor closes within this long is taken as plain, in ms. */
  readonly greetingTimeoutMs: number;
  readonly scheduler: SchedulerLike;
  readonly onDrop: (reason: DropReason, text?: string) => void;
  /** The forwarder said part of what was asked for is gone (`null`: of unknown size). */
  readonly onGap: (bytes: number | null) => void;
  /** Whether this connection resumed, or fell back to the plain protocol (and why). */
  readonly onProtocol: (resumed: boolean, reason?: string) => void;
}

/**
 * One connection attempt of a resuming log source, as a cold Observable of
 * {@link CONNECTED} and batches of lines (what `retryWithState` expects). It writes the
 * resume hello (the cursor's position) as soon as the socket connects, and emits
 * `CONNECTED` when the forwarder greets; lines received before the greeting (a plain
 * forwarder's, or ours before it read the hello) are held. Then every line is counted
 * into the cursor, checkpoints move it, and gaps are reported.
 *
 * Against a forwarder that does not speak the protocol it falls back to plain, within
 * the same attempt: when the peer closes before greeting (the reference forwarder closes
 * any client that writes), the held lines are handed on and a plain connection is opened
 * at once; when it neither greets nor closes within `greetingTimeoutMs`, or sends more
 * than 10,000 lines first, the connection is kept as a plain one. The cursor is cleared
 * then: a plain forwarder's lines carry no position.
 *
 * @example
 * ```ts
 * resumableLogConnection({ node: 'node1', host, port, maxLineBytes: 1 << 20, cursor, greetingTimeoutMs: 5000, scheduler: asyncScheduler, onDrop, onGap, onProtocol })
 *   .pipe(retryWithState(), flattenBatches());
 * ```
 */
export function resumableLogConnection(options: ResumableLogConnectionOptions): Observable<Connected | ForwarderLine[]> {
  const { node, cursor, maxLineBytes, onDrop } = options;
  const open: TcpConnect = options.socket.connect ?? ((request) => netConnect(request));
  const sayHello: TcpConnect = (request) => {
    const socket = open(request);
    socket.once('connect', () => socket.write(helloRecord(cursor.position)));
    return socket;
  };
  // Safe to share the read buffer: the lines are framed, and their text taken, before a read returns.
  const hello$ = tcpConnection({ ...options.socket, connect: sayHello, sharedReadBuffer: true });
  const plain$ = tcpConnection({ ...options.socket, sharedReadBuffer: true }).pipe(uncheckedForwarderLineBatches({ node, maxLineBytes, onDrop }));

  return new Observable<Connected | ForwarderLine[]>((subscriber) => {
    let phase: 'greeting' | 'resumed' | 'plain' = 'greeting';
    let pending: ForwarderLine[] = [];
    let batch: ForwarderLine[] = [];
    let timer = Subscription.EMPTY;
    let fallback: Subscription | undefined;

    /** Plain from now on, on this connection (its held lines go out with the next batch) or on a new one. */
    const goPlain = (reason: string, onThisConnection: boolean): void => {
      phase = 'plain';
      timer.unsubscribe();
      cursor.clear();
      cursor.save();
      options.onProtocol(false, reason);
      if (!onThisConnection) return;
      subscriber.next(CONNECTED);
      batch = pending;
      pending = [];
    };
    const count = (): void => {
      if (phase === 'resumed') cursor.advance();
    };
    const framed$ = hello$.pipe(
      framingOperator<Connected, never>(
        maxLineBytes,
        (reason) => {
          if (reason === 'oversize') count();
          onDrop(reason);
        },
        () => ({
          sink: (bytes, start, end, text) => {
            if (bytes[start] === RECORD_MARK) {
              const record = parseRecord(text.text(start, end));
              if (record?.type === 'greeting' && phase === 'greeting') {
                phase = 'resumed';
                timer.unsubscribe();
                pending = [];
                options.onProtocol(true);
                subscriber.next(CONNECTED);
              } else if (record?.type === 'at' && phase === 'resumed') cursor.checkpoint(record.position);
              else if (record?.type === 'gap' && phase === 'resumed') options.onGap(record.bytes);
              return;
            }
            const line = parseForwarderLineAt(node, bytes, start, end, text);
            if (line === null) {
              count();
              onDrop('malformed', text.text(start, end));
            } else if (phase === 'greeting') {
              pending.push(line);
              if (pending.length >= MAX_PENDING_LINES) goPlain(`the forwarder sent ${MAX_PENDING_LINES} lines without answering the resume hello`, true);
            } else {
              count();
              batch.push(line);
            }
          },
          afterChunk: () => {
            if (batch.length > 0) {
              const lines = batch;
              batch = [];
              subscriber.next(lines);
            }
            // A no-op unless the position moved, which it does only while resumed.
            cursor.save();
          },
        }),
      ),
    );

    const handshake = framed$.subscribe({
      // The socket is up (its one CONNECTED, the only value framed$ emits, before any line): the greeting is awaited from now on.
      next: () => {
        timer = options.scheduler.schedule(() => {
          goPlain(`no answer to the resume hello within ${options.greetingTimeoutMs} ms`, true);
          if (batch.length > 0) subscriber.next(batch.splice(0));
        }, options.greetingTimeoutMs);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        if (phase !== 'greeting') return subscriber.complete();
        // Closed without a greeting: the reference forwarder's answer to any byte. The held
        // lines go out right after the plain connection's first value, its CONNECTED.
        goPlain('the forwarder closed the connection when asked to resume (it speaks only the plain protocol)', false);
        fallback = plain$.subscribe({
          next: (value) => {
            subscriber.next(value);
            if (pending.length > 0) subscriber.next(pending.splice(0));
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
      },
    });

    return () => {
      timer.unsubscribe();
      handshake.unsubscribe();
      fallback?.unsubscribe();
      cursor.save();
    };
  });
}
