import { expect } from 'chai';
import { connect as netConnect, Socket } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import { BehaviorSubject, VirtualTimeScheduler, type Subscription } from 'rxjs';
import {
  ConnectionRegistry,
  LOG_READER_BACKOFF,
  ReconnectAttemptsExhaustedError,
  tcpLogSource,
  type ForwarderLine,
  type LogReaderEvent,
  type LogReaderStatus,
  type TcpConnect,
  type TcpLogSourceOptions,
} from '../../lib/index.js';
import { GREETING_RECORD, gapRecord } from '../../lib/sources/resume-protocol.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { firstMatch, refusedPort, statusMatch, TestForwarder } from '../support/forwarder.js';
import { eventually } from '../support/wait.js';

const FAST_RETRY = { initialMs: 20, maxMs: 20 };

/**
 * What the log reader said, one message a line: `[node1] ...` on `storj-monitor:log-reader`,
 * `:warn [node1] ...` on its warn namespace (debug's date or colours, namespace and `+Nms` taken off).
 */
function said(logs: readonly string[]): string[] {
  return logs.map((line) =>
    stripVTControlCharacters(line)
      .replace(/^.*?storj-monitor:log-reader(:warn)? /, '$1 ')
      .replace(/ \+\d+(ms|s|m|h|d)$/, '')
      .trim(),
  );
}

/** A tcpLogSource under test: its lines, its transitions and its registry status. */
function watch(options: Omit<TcpLogSourceOptions, 'registry'>) {
  const registry = new ConnectionRegistry();
  const states: string[] = [];
  const lines: ForwarderLine[] = [];
  registry.transitions$.subscribe(({ status }) => {
    if (states.at(-1) !== status.state) states.push(status.state);
  });
  const lineCount$ = new BehaviorSubject(0);
  let error: unknown;
  const subscription: Subscription = tcpLogSource({ ...options, registry }).subscribe({
    next: (line) => {
      lines.push(line);
      lineCount$.next(lines.length);
    },
    error: (caught: unknown) => (error = caught),
  });
  const status = (): LogReaderStatus | undefined => registry.snapshot()[options.node]?.log_reader;
  const until = (predicate: (status: LogReaderStatus) => boolean): Promise<LogReaderStatus> =>
    statusMatch(registry.states$, options.node, 'log_reader', predicate);
  const linesUntil = (count: number): Promise<number> => firstMatch(lineCount$, (received) => received >= count);
  return { registry, states, lines, subscription, status, until, linesUntil, error: () => error };
}

describe('tcpLogSource (real sockets on 127.0.0.1)', () => {
  let forwarder: TestForwarder;
  let source: ReturnType<typeof watch> | undefined;
  beforeEach(async () => (forwarder = await TestForwarder.start()));
  afterEach(async () => {
    source?.subscription.unsubscribe();
    source = undefined;
    await forwarder.kill();
  });

  it('streams lines tagged with the node, timestamp text and number, and the raw line', async () => {
    const served = forwarder
      .nextClient()
      .then((client) => client.write('1759735252.123 2025-10-06T00:00:14-07:00\tINFO\tpiecestore\tdownloaded\t{"Size": 10}\n'));
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port });
    await source.linesUntil(1);
    const [line] = source.lines;
    expect(line).to.include({ node: 'node1', timestamp: 1759735252.123, timestampText: '1759735252.123' });
    expect(line?.entry.piece?.size).to.equal(10);
    expect(source.status()).to.include({ state: 'connected', host: '127.0.0.1', port: forwarder.port, reconnect_attempts: 0, last_error: null });
    expect(forwarder.receivedFromClients).to.equal(0);
    await served;
  });

  it('Scenario 1, forwarder restart: connected -> disconnected -> connecting -> connected, and lines resume', async () => {
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, backoff: { initialMs: 100, maxMs: 100 } });
    await source.until((status) => status.state === 'connected');
    forwarder.send('1.0 before restart\n');
    await source.linesUntil(1);
    const reconnected = forwarder.nextClient();
    await forwarder.stop();
    await forwarder.listen();
    (await reconnected).write('2.0 after restart\n');
    await source.linesUntil(2);
    expect(source.lines.map((line) => line.line)).to.deep.equal(['before restart', 'after restart']);
    expect(source.states).to.deep.equal(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
  });

  it('Scenario 4, prolonged disconnection: delays grow 2, 4, 8 ... and stay at 60 s, in virtual time', async () => {
    const scheduler = new VirtualTimeScheduler();
    const events: LogReaderEvent[] = [];
    let failures = 0;
    let onFailure: () => void = () => undefined;
    source = watch({
      node: 'node1',
      host: '127.0.0.1',
      port: await refusedPort(),
      backoff: LOG_READER_BACKOFF,
      scheduler,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'failed') {
          failures++;
          onFailure();
        }
      },
    });
    for (let attempt = 1; attempt <= 10; attempt++) {
      // Each attempt is a real refused connect; the wait before the next is virtual.
      if (failures < attempt) await new Promise<void>((resolve) => (onFailure = resolve));
      expect(source.status()).to.include({ state: 'error', reconnect_attempts: attempt });
      expect(source.status()?.last_error).to.match(/^Connection refused/);
      scheduler.flush();
    }
    const delays = events.flatMap((event) => (event.type === 'failed' ? [event.retryInMs / 1000] : []));
    expect(delays).to.deep.equal([2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
    expect(scheduler.now()).to.equal((2 + 4 + 8 + 16 + 32 + 60 * 5) * 1000);
  });

  it('maxReconnectAttempts > 0 gives up after that many failures, staying in error and saying why', async () => {
    source = watch({ node: 'node1', host: '127.0.0.1', port: await refusedPort(), backoff: FAST_RETRY, maxReconnectAttempts: 2 });
    const status = await source.until((current) => current.last_error?.startsWith('Gave up') ?? false);
    expect(status).to.include({ state: 'error', reconnect_attempts: 2, next_retry_at: null });
    expect(status.last_error).to.match(/^Gave up after 2 reconnect attempts: Connection refused/);
    expect(source.error()).to.be.instanceOf(ReconnectAttemptsExhaustedError);
  });

  it('a reset mid-line is an error; the partial line is dropped and counted', async () => {
    const served = forwarder.nextClient().then((client) => client.write('1.0 whole\n2.0 half a li', () => setTimeout(() => client.resetAndDestroy(), 20)));
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, backoff: { initialMs: 5000 } });
    const status = await source.until((current) => current.state === 'error');
    expect(status.last_error).to.match(/^Connection reset by peer/);
    expect(status.dropped_lines.partial).to.equal(1);
    expect(source.lines.map((line) => line.line)).to.deep.equal(['whole']);
    await served;
  });

  it('a peer that closes mid-line: disconnected, the partial line dropped and counted', async () => {
    const served = forwarder.nextClient().then((client) => client.end('1.0 whole\n2.0 cut'));
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, backoff: { initialMs: 5000 } });
    const status = await source.until((current) => current.state === 'disconnected');
    expect(status.dropped_lines).to.deep.equal({ malformed: 0, oversize: 0, partial: 1, gap: 0 });
    expect(source.lines.map((line) => line.line)).to.deep.equal(['whole']);
    await served;
  });

  it('survives garbage: binary, invalid UTF-8, malformed timestamps and a 5 MB line, then streams good lines', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256).filter((byte) => byte !== 10));
    const served = forwarder.nextClient().then((client) => {
      client.write(garbage);
      client.write('\n');
      client.write(Buffer.from([0x31, 0x2e, 0x30, 0x20, 0xff, 0xfe, 0x0a])); // "1.0 " + invalid UTF-8
      client.write('abc.def line\n-1.0 negative\n1.0.0 two dots\n\n');
      client.write(Buffer.alloc(5 * 1024 * 1024, 'x'));
      client.write('\n3.0 good after all that\n');
    });
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port });
    await source.linesUntil(2);
    expect(source.lines.map((line) => line.line)).to.deep.equal(['\uFFFD\uFFFD', 'good after all that']);
    const status = await source.until((current) => current.dropped_lines.oversize === 1);
    expect(status.dropped_lines).to.deep.equal({ malformed: 5, oversize: 1, partial: 0, gap: 0 });
    expect(status.state).to.equal('connected');
    await served;
  });

  it('logs its decisions with the messages of SPEC §7: connect, close, loss, refusal, giving up', () =>
    withDebugLogs('storj-monitor:log-reader*', async (logs) => {
      const address = `127.0.0.1:${forwarder.port}`;
      let client = forwarder.nextClient();
      source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, backoff: FAST_RETRY, maxReconnectAttempts: 2 });
      await source.until((current) => current.state === 'connected');
      const next = forwarder.nextClient();
      (await client).end();
      await source.until((current) => current.state === 'disconnected');
      client = next;
      await source.until((current) => current.state === 'connected');
      (await client).resetAndDestroy();
      await source.until((current) => current.state === 'error');
      await forwarder.stop();
      await source.until((current) => current.last_error?.startsWith('Gave up') ?? false);
      source.subscription.unsubscribe();
      const messages = said(logs);
      expect(messages.slice(0, 4)).to.deep.equal([
        `[node1] Connected to remote log source at ${address}`,
        `[node1] Connection to ${address} closed by remote end. Retrying in 0.02s`,
        `[node1] Connected to remote log source at ${address}`,
        `:warn [node1] Connection lost to ${address}: Connection reset by peer (read ECONNRESET). Attempt 1. Retrying in 0.02s`,
      ]);
      expect(messages.slice(4, -1).join('\n')).to.match(
        new RegExp(`^:warn \\[node1\\] Cannot connect to ${address}: Connection refused .*\\. Attempt 2\\. Retrying in 0\\.02s`),
      );
      expect(messages.at(-1)).to.match(new RegExp(`^:warn \\[node1\\] Giving up on ${address} after 2 reconnect attempts: Connection refused`));
    }));

  it('a refusal before any connection is "Cannot connect to"; warnings need only the warn namespace', () =>
    withDebugLogs('storj-monitor:log-reader:warn', async (logs) => {
      const port = await refusedPort();
      source = watch({ node: 'node1', host: '127.0.0.1', port, backoff: FAST_RETRY, maxReconnectAttempts: 1 });
      await source.until((current) => current.last_error?.startsWith('Gave up') ?? false);
      const messages = said(logs);
      expect(messages).to.have.length(2);
      expect(messages[0]).to.match(
        new RegExp(`^:warn \\[node1\\] Cannot connect to 127\\.0\\.0\\.1:${port}: Connection refused .*\\. Attempt 1\\. Retrying in 0\\.02s$`),
      );
      expect(messages[1]).to.match(new RegExp(`^:warn \\[node1\\] Giving up on 127\\.0\\.0\\.1:${port} after 1 reconnect attempts: Connection refused`));
    }));

  it('after the peer closed, a refusal is "Cannot connect to" again (not "Connection lost to")', () =>
    withDebugLogs('storj-monitor:log-reader*', async (logs) => {
      const address = `127.0.0.1:${forwarder.port}`;
      source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, backoff: FAST_RETRY, maxReconnectAttempts: 2 });
      await source.until((current) => current.state === 'connected');
      await forwarder.stop(); // FIN to the client, and nothing listens any more
      await source.until((current) => current.last_error?.startsWith('Gave up') ?? false);
      const messages = said(logs);
      expect(messages.slice(0, 2)).to.deep.equal([
        `[node1] Connected to remote log source at ${address}`,
        `[node1] Connection to ${address} closed by remote end. Retrying in 0.02s`,
      ]);
      expect(messages[2]).to.match(new RegExp(`^:warn \\[node1\\] Cannot connect to ${address}: Connection refused .*\\. Attempt 2\\. Retrying in 0\\.02s$`));
    }));

  it('resuming: says so, warns of each gap with its size, and of a fallback once, not again on each connection after', () =>
    withDebugLogs('storj-monitor:log-reader*', async (logs) => {
      const address = `127.0.0.1:${forwarder.port}`;
      // 1: ours (greets the hello, then two gaps); 2 and 4: a plain forwarder's answer to the hello (it closes); 3 and 5: plain, after each fallback.
      // Connection 1 ends -> 2 falls back -> 3 is plain (warned); 3 ends -> 4 falls back again -> 5 is plain (not warned again).
      const clients = Array.from({ length: 5 }, () => forwarder.nextClient());
      void clients[0]?.then((socket) => socket.once('data', () => socket.write(`${GREETING_RECORD}${gapRecord(4096)}${gapRecord(null)}`)));
      for (const closing of [clients[1], clients[3]]) void closing?.then((socket) => socket.once('data', () => socket.end()));
      const resumes: LogReaderEvent[] = [];
      source = watch({
        node: 'node1',
        host: '127.0.0.1',
        port: forwarder.port,
        resume: true,
        backoff: FAST_RETRY,
        onEvent: (event) => {
          if (event.type === 'resume') resumes.push(event);
        },
      });
      expect(await source.until((current) => current.dropped_lines.gap === 2)).to.include({ state: 'connected', resume: 'on' });
      const protocolMessages = () => said(logs).filter((message) => /Resuming|Gap in|resume/.test(message));
      const gone = 'no longer on the forwarder (rotated away and deleted, or truncated)';
      const fallback = {
        type: 'resume',
        resume: 'fallback',
        reason: 'the forwarder closed the connection when asked to resume (it speaks only the plain protocol)',
      };
      const protocolSaid = [
        `[node1] Resuming from ${address}`,
        `:warn [node1] Gap in the log from ${address}: 4096 bytes ${gone}`,
        `:warn [node1] Gap in the log from ${address}: lines of unknown size ${gone}`,
        `:warn [node1] ${address} does not resume: ${fallback.reason}; falling back to the plain protocol (lines written while disconnected are lost)`,
      ];
      (await clients[0])?.end();
      await source.until((current) => current.state === 'connected' && resumes.length === 2);
      expect(protocolMessages()).to.deep.equal(protocolSaid);
      (await clients[2])?.end();
      await source.until((current) => current.state === 'connected' && resumes.length === 3);
      expect(protocolMessages()).to.deep.equal(protocolSaid);
      expect(resumes).to.deep.equal([{ type: 'resume', resume: 'on' }, fallback, fallback]);
    }));

  it('resuming: a first connection that falls back is warned about, on the warn namespace alone', () =>
    withDebugLogs('storj-monitor:log-reader:warn', async (logs) => {
      const asked = forwarder.nextClient();
      const plain = forwarder.nextClient();
      void asked.then((socket) => socket.once('data', () => socket.end()));
      source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, resume: true });
      await plain;
      await source.until((current) => current.state === 'connected' && current.resume === 'fallback');
      expect(said(logs)).to.deep.equal([
        `:warn [node1] 127.0.0.1:${forwarder.port} does not resume: the forwarder closed the connection when asked to resume (it speaks only the plain protocol); falling back to the plain protocol (lines written while disconnected are lost)`,
      ]);
    }));

  it('dropped lines other than gaps are not warned about as gaps', () =>
    withDebugLogs('storj-monitor:log-reader*', async (logs) => {
      const client = forwarder.nextClient();
      source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, maxLineBytes: 10 });
      (await client).write(`bad\n1.0 ${'x'.repeat(20)}\n2.0 ok\n`);
      await source.linesUntil(1);
      expect(source.status()?.dropped_lines).to.include({ malformed: 1, oversize: 1, gap: 0 });
      expect(said(logs).filter((message) => message.includes('Gap'))).to.deep.equal([]);
    }));

  it('needs no registry: its events still reach onEvent', async () => {
    const events: string[] = [];
    const client = forwarder.nextClient();
    const subscription = tcpLogSource({ node: 'node1', host: '127.0.0.1', port: forwarder.port, onEvent: (event) => events.push(event.type) }).subscribe();
    try {
      (await client).write('1.0 a line\n');
      await eventually(() => events.includes('lines_received'));
    } finally {
      subscription.unsubscribe();
    }
    expect(events).to.deep.equal(['connecting', 'connected', 'lines_received', 'stopped']);
  });

  it('says when it stops', () =>
    withDebugLogs('storj-monitor:log-reader', async (logs) => {
      source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port });
      await source.until((current) => current.state === 'connected');
      source.subscription.unsubscribe();
      expect(logs.at(-1)).to.match(new RegExp(`\\[node1\\] Log reader for 127\\.0\\.0\\.1:${forwarder.port} stopped$`));
    }));

  it('warns about malformed lines with their first 100 characters, at most once per 10 s', () =>
    withDebugLogs('storj-monitor:log-reader:warn', async (warnings) => {
      const scheduler = new VirtualTimeScheduler();
      const client = forwarder.nextClient();
      source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, scheduler });
      (await client).write(`${'y'.repeat(150)}\nbad 2\nbad 3\n1.0 good\n`);
      await source.linesUntil(1);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.include(`Dropped malformed log line: "${'y'.repeat(100)}…[+50 chars]"`);
      scheduler.schedule(() => undefined, 10_000);
      scheduler.flush();
      (await client).write('bad 4\n2.0 good\n');
      await source.linesUntil(2);
      expect(warnings).to.have.length(2);
      expect(warnings[1]).to.include('(2 more since the last warning): "bad 4"');
      expect(source.status()?.dropped_lines.malformed).to.equal(4);
    }));

  it('with detectSchemaDrift, counts piecestore lines it cannot read as lines_unrecognized; without (the default), reads nothing', async () => {
    const current = '2026-11-30T21:47:02-08:00\tINFO\tpiecestore\tdownloaded\t{"process": "storagenode", "piece_id": "X", "action": "GET", "size": 512}';
    const future = '2027-03-01T10:00:00Z\tINFO\tpiecestore\tdownloaded\t{"process": "storagenode", "pieceID": "X", "action": "GET", "bytes": 512}';
    for (const detectSchemaDrift of [true, false, undefined]) {
      const events: LogReaderEvent[] = [];
      const client = forwarder.nextClient();
      source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, detectSchemaDrift, onEvent: (event) => events.push(event) });
      (await client).write(`1.0 ${current}\n2.0 ${future}\n3.0 ${future}\n4.0 ${current}\n`);
      await source.linesUntil(4);
      const unrecognized = events.flatMap((event) => (event.type === 'lines_unrecognized' ? [event.count] : []));
      expect(
        unrecognized.reduce((sum, count) => sum + count, 0),
        `detectSchemaDrift: ${detectSchemaDrift}`,
      ).to.equal(detectSchemaDrift === true ? 2 : 0);
      source.subscription.unsubscribe();
    }
  });

  it('a peer that accepts and never sends is failed by the idle timeout', async () => {
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, idleTimeoutMs: 100, backoff: { initialMs: 5000 } });
    const status = await source.until((current) => current.state === 'error');
    expect(status.last_error).to.equal('Idle timeout: no data for 100 ms');
  });

  it('a peer that never accepts is failed by the connect timeout', async () => {
    source = watch({
      node: 'node1',
      host: '192.0.2.1',
      port: 9001,
      connectTimeoutMs: 50,
      backoff: { initialMs: 5000 },
      connect: () => new Socket(),
    });
    const status = await source.until((current) => current.state === 'error');
    expect(status.last_error).to.equal('Connection timeout: not connected after 50 ms');
  });

  it('delivers 100,000 lines sent in a burst, none lost or reordered', async () => {
    const burst = Array.from({ length: 100_000 }, (_, index) => `1759735252.${index} line ${index}\n`).join('');
    const served = forwarder.nextClient().then((client) => client.write(burst));
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port });
    await source.linesUntil(100_000);
    expect(source.lines).to.have.length(100_000);
    expect(source.lines.every((line, index) => line.line === `line ${index}` && line.timestampText === `1759735252.${index}`)).to.equal(true);
    await served;
  });

  it('two sources reading at once share one read buffer, and no line is lost, mixed up or changed later', async () => {
    // ASCII and non-ASCII chunks, lines split across reads: every line read only at the end,
    // after both connections overwrote the shared buffer thousands of times.
    const other = await TestForwarder.start();
    const text = (name: string) =>
      Array.from({ length: 30_000 }, (_, index) => `1.${index} ${name} ${index} ${index % 7 === 0 ? 'Ünïcödé ✓' : 'ok'}\n`).join('');
    const sources = [watch({ node: 'a', host: '127.0.0.1', port: forwarder.port }), watch({ node: 'b', host: '127.0.0.1', port: other.port })];
    try {
      await Promise.all(sources.map((each) => each.until((status) => status.state === 'connected')));
      for (const [index, data] of [text('a'), text('b')].entries()) {
        // Sent in uneven pieces, interleaved between the two peers.
        const target = index === 0 ? forwarder : other;
        for (let at = 0; at < data.length; at += 77_777) target.send(data.slice(at, at + 77_777));
      }
      await Promise.all(sources.map((each) => each.linesUntil(30_000)));
      for (const [index, each] of sources.entries()) {
        const name = index === 0 ? 'a' : 'b';
        expect(each.lines.map((line) => `${line.timestampText} ${line.line}\n`).join('')).to.equal(text(name));
      }
    } finally {
      for (const each of sources) each.subscription.unsubscribe();
      await other.kill();
    }
  });

  it('a frozen forwarder (connected, silent) is degraded once its line rate collapses for a while, in virtual time; lines again end it; both said', () =>
    withDebugLogs('storj-monitor:log-reader*', async (logs) => {
      const scheduler = new VirtualTimeScheduler();
      const client = forwarder.nextClient();
      const reasons: Array<string | null> = [];
      source = watch({
        node: 'node1',
        host: '127.0.0.1',
        port: forwarder.port,
        scheduler,
        lineRate: { bucketMs: 1000, quietBuckets: 3 },
        onEvent: (event) => {
          if (event.type === 'degradation') reasons.push(event.reason);
        },
      });
      const socket = await client;
      await source.until((status) => status.state === 'connected');
      let sent = 0;
      const minute = async (lines: number): Promise<void> => {
        for (let line = 0; line < lines; line++) socket.write(`${++sent}.0 line\n`);
        await source?.linesUntil(sent);
        scheduler.maxFrames = scheduler.now() + 1000;
        scheduler.flush();
      };
      for (let bucket = 0; bucket < 5; bucket++) await minute(50);
      for (let bucket = 0; bucket < 2; bucket++) await minute(0);
      expect(source.status()).to.include({ state: 'connected', degraded: false });
      await minute(0);
      expect(source.status()).to.include({ state: 'connected', degraded: true });
      await minute(50);
      expect(source.status()).to.include({ state: 'connected', degraded: false });
      const address = `127.0.0.1:${forwarder.port}`;
      expect(reasons).to.have.length(2);
      expect(reasons[0]).to.be.a('string').and.not.equal('');
      expect(said(logs).filter((message) => message.includes(' Log from '))).to.deep.equal([
        `:warn [node1] Log from ${address} degraded: ${reasons[0]}`,
        `[node1] Log from ${address} back to its usual line rate`,
      ]);
    }));

  it('rejects bad line-rate options at once, naming the field', () => {
    expect(() => tcpLogSource({ node: 'n', host: 'h', port: 1, lineRate: { collapseRatio: -1 } })).to.throw(
      RangeError,
      'lineRate.collapseRatio must be a number 0-1; got -1',
    );
  });

  it('unsubscribing closes the socket at once and leaves the state stopped', async () => {
    const client = forwarder.nextClient();
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port });
    await source.until((status) => status.state === 'connected');
    const closed = client.then((socket) => new Promise((resolve) => socket.once('close', resolve)));
    source.subscription.unsubscribe();
    expect(source.status()?.state).to.equal('stopped');
    await closed;
  });

  it('defaults: TCP keepalive after 10 s idle, a 10 s connect timeout, no idle timeout once connected', async () => {
    const calls: string[] = [];
    const connect: TcpConnect = (request) => {
      const socket = netConnect(request);
      const setKeepAlive = socket.setKeepAlive.bind(socket);
      const setTimeout = socket.setTimeout.bind(socket);
      socket.setKeepAlive = (enable, delay) => {
        calls.push(`keepalive ${enable} ${delay}`);
        return setKeepAlive(enable, delay);
      };
      socket.setTimeout = (timeout, callback) => {
        calls.push(`timeout ${timeout}`);
        return setTimeout(timeout, callback);
      };
      return socket;
    };
    source = watch({ node: 'node1', host: '127.0.0.1', port: forwarder.port, connect });
    await source.until((status) => status.state === 'connected');
    expect(calls).to.deep.equal(['keepalive true 10000', 'timeout 10000', 'timeout 0']);
  });

  it('defaults: a resuming source waits 5 s for the greeting, in virtual time', async () => {
    const scheduler = new VirtualTimeScheduler();
    const reasons: Array<string | undefined> = [];
    source = watch({
      node: 'node1',
      host: '127.0.0.1',
      port: forwarder.port,
      resume: true,
      scheduler,
      onEvent: (event) => {
        if (event.type === 'resume') reasons.push(event.reason);
      },
    });
    await eventually(() => forwarder.receivedFromClients > 0); // the hello: the greeting is awaited from now on
    scheduler.maxFrames = 4999;
    scheduler.flush();
    expect(source.status()).to.include({ state: 'connecting', resume: 'asked' });
    scheduler.maxFrames = 5000;
    scheduler.flush();
    expect(source.status()).to.include({ state: 'connected', resume: 'fallback' });
    expect(reasons).to.deep.equal(['no answer to the resume hello within 5000 ms']);
  });

  it('rejects bad options at once, naming the option', () => {
    const base = { node: 'n', host: 'h', port: 1 };
    expect(() => tcpLogSource({ ...base, port: 70_000 })).to.throw(RangeError, /^port must be an integer 1-65535; got 70000/);
    expect(() => tcpLogSource({ ...base, host: '' })).to.throw(RangeError, /^host must be a non-empty string/);
    expect(() => tcpLogSource({ ...base, node: '' })).to.throw(RangeError, /^node/);
    expect(() => tcpLogSource({ ...base, keepAliveMs: 10 })).to.throw(RangeError, /^keepAliveMs/);
    expect(() => tcpLogSource({ ...base, maxLineBytes: 0 })).to.throw(RangeError, /^maxLineBytes/);
    // The one check of maxLineBytes on this path is here: also for a resuming source, whose operators do not check it again.
    expect(() => tcpLogSource({ ...base, maxLineBytes: 1.5, positionFile: '/nonexistent/position' })).to.throw(
      RangeError,
      /^maxLineBytes must be an integer >= 1; got 1\.5/,
    );
    expect(() => tcpLogSource({ ...base, maxReconnectAttempts: -1 })).to.throw(RangeError, /^maxReconnectAttempts/);
    expect(() => tcpLogSource({ ...base, backoff: { initialMs: -1 } })).to.throw(RangeError, /^initialMs/);
    expect(() => tcpLogSource({ ...base, detectSchemaDrift: 'yes' as unknown as boolean })).to.throw(RangeError, /^detectSchemaDrift must be true or false/);
    expect(() => tcpLogSource({ ...base, connectTimeoutMs: 0 })).to.throw(RangeError, /^connectTimeoutMs must be an integer >= 1; got 0/);
    expect(() => tcpLogSource({ ...base, idleTimeoutMs: -1 })).to.throw(RangeError, /^idleTimeoutMs must be an integer >= 0; got -1/);
    expect(() => tcpLogSource({ ...base, resume: 'yes' as unknown as boolean })).to.throw(RangeError, /^resume must be true or false/);
    expect(() => tcpLogSource({ ...base, positionFile: ' ' })).to.throw(RangeError, /^positionFile must be a non-empty string/);
    expect(() => tcpLogSource({ ...base, greetingTimeoutMs: 0 })).to.throw(RangeError, /^greetingTimeoutMs must be an integer >= 1; got 0/);
    expect(() => tcpLogSource({ ...base, resetAfterStableMs: 1.5 })).to.throw(RangeError, /^resetAfterStableMs must be an integer >= 0; got 1\.5/);
  });
});
