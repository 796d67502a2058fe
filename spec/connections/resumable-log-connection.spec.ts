import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { resumableLogConnection } from '../../lib/connections/resumable-log-connection.js';
import { ResumeCursor } from '../../lib/connections/resume-cursor.js';
import { startForwarder } from '../../lib/forwarder/index.js';
import type { DropReason } from '../../lib/log-lines/drop-reason.js';
import { CONNECTED } from '../../lib/sources/connection-signal.js';
import { GREETING_RECORD } from '../../lib/sources/resume-protocol.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { refusedPort, TestForwarder } from '../support/forwarder.js';
import { expectExactly, LogWriter, tempDirectory } from '../support/log-writer.js';
import { resumingReader } from '../support/resuming-reader.js';
import { eventually } from '../support/wait.js';

/**
 * The reference forwarder, `shared/reference/log_forwarder.py` beside the project's folder or beside any
 * folder above it (a worktree, or Stryker's sandbox, sits a few folders deeper than the project).
 */
const REFERENCE = ancestors(resolve(import.meta.dirname, '../..'))
  .map((folder) => join(folder, '..', 'shared/reference/log_forwarder.py'))
  .find((path) => existsSync(path));

/** `folder` and every folder above it, nearest first. */
function ancestors(folder: string): string[] {
  const parent = dirname(folder);
  return parent === folder ? [folder] : [folder, ...ancestors(parent)];
}

/** Collects what `storj-monitor:log-reader:warn` prints while `work` runs. */
async function warnings(work: () => Promise<void>): Promise<readonly string[]> {
  return withDebugLogs('storj-monitor:log-reader:warn', async (printed) => {
    await work();
    return printed;
  });
}

describe('tcpLogSource({ resume: true }) against forwarders that do not resume', function () {
  this.timeout(20_000);
  let directory: ReturnType<typeof tempDirectory>;
  let writer: LogWriter;
  beforeEach(() => {
    directory = tempDirectory();
    writer = new LogWriter(join(directory.path, 'node.log'));
  });
  afterEach(() => {
    writer.close();
    directory.remove();
  });

  describe('the reference forwarder (log_forwarder.py, which closes a client that writes)', () => {
    let python: ChildProcess | undefined;
    before(async function () {
      // `this.skip()` is called here, in the hook, not in the child's callbacks: thrown there, it
      // would leave the hook's promise pending until the timeout.
      const found = spawn('python3', ['--version']);
      const installed = await new Promise<boolean>((resolvePython) => {
        found.once('error', () => resolvePython(false));
        found.once('exit', () => resolvePython(true));
      });
      if (!installed) {
        console.log('      (skipped: python3 is not installed)');
        this.skip();
      }
      if (REFERENCE === undefined) {
        console.log('      (skipped: the reference forwarder is not at shared/reference/log_forwarder.py beside the project)');
        this.skip();
      }
    });
    afterEach(async () => {
      if (python && python.exitCode === null) {
        const exited = once(python, 'exit');
        python.kill('SIGKILL');
        await exited;
      }
    });

    it('falls back to plain at once, says so once on the warn log and in the status, and streams every line written while connected', async () => {
      const port = await refusedPort();
      python = spawn('python3', [REFERENCE ?? '', '--log-file', writer.file, '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
      let reader: ReturnType<typeof resumingReader> | undefined;
      const printed = await warnings(async () => {
        reader = resumingReader({ port });
        await eventually(() => reader?.status()?.state === 'connected', 10_000);
        expect(reader.status()?.resume).to.equal('fallback');
        // The reference starts `tail -F -n 0` when a client connects: a line written before it runs is never sent.
        const marker = 'ready?';
        await eventually(async () => {
          writer.append(marker);
          await new Promise((resolveWait) => setTimeout(resolveWait, 100));
          return reader?.lines.includes(marker) ?? false;
        }, 10_000);
        const from = reader.lines.length;
        const sent = writer.written.length;
        writer.write(50);
        await reader.received(from + 50);
        expect(reader.lines.slice(from)).to.deep.equal(writer.written.slice(sent));
      }).finally(() => reader?.stop());
      expect(printed.filter((line) => line.includes('does not resume'))).to.have.length(1);
      expect(printed.join('\n')).to.match(/closed the connection when asked to resume/);
    });
  });

  it('a forwarder that neither greets nor closes is taken as plain after greetingTimeoutMs (virtual time), its held lines kept', async () => {
    const plain = await TestForwarder.start();
    const scheduler = new VirtualTimeScheduler();
    const client = plain.nextClient();
    const reader = resumingReader({ port: plain.port, scheduler, greetingTimeoutMs: 3000 });
    try {
      (await client).write('1.0 held before the timeout\n');
      await eventually(() => plain.receivedFromClients > 0);
      expect(reader.status()?.state).to.equal('connecting');
      scheduler.flush(); // the 3 s pass at once
      expect(reader.status()).to.include({ state: 'connected', resume: 'fallback' });
      plain.send('2.0 after\n');
      await reader.received(2);
      expect(reader.lines).to.deep.equal(['held before the timeout', 'after']);
    } finally {
      reader.stop();
      await plain.kill();
    }
  });

  it('against our forwarder: resumes, and a restart of the monitor side with the same position file repeats nothing', async () => {
    const forwarder = await startForwarder({ file: writer.file, port: 0, pollIntervalMs: 10 });
    const positionFile = join(directory.path, 'p');
    let reader = resumingReader({ port: forwarder.port, positionFile });
    try {
      await eventually(() => reader.status()?.resume === 'on');
      writer.write(30);
      await reader.received(30);
      reader.stop();
      const first = [...reader.lines];
      writer.write(30);
      reader = resumingReader({ port: forwarder.port, positionFile });
      await reader.received(30);
      expectExactly([...first, ...reader.lines], writer.written);
    } finally {
      reader.stop();
      await forwarder.close();
    }
  });
});

/** One attempt of `resumableLogConnection` against 127.0.0.1:`port`: what it emits (lines as their text) and reports. */
function attempt(port: number, cursor: ResumeCursor, options: { scheduler?: VirtualTimeScheduler; greetingTimeoutMs?: number; maxLineBytes?: number } = {}) {
  const emitted: Array<'CONNECTED' | string[]> = [];
  const drops: Array<[DropReason, string | undefined]> = [];
  const gaps: Array<number | null> = [];
  const protocols: Array<[boolean, string | undefined]> = [];
  const nodes = new Set<string>();
  let ended: 'complete' | { error: unknown } | undefined;
  const subscription = resumableLogConnection({
    node: 'node1',
    socket: { host: '127.0.0.1', port },
    maxLineBytes: options.maxLineBytes ?? 1 << 20,
    cursor,
    greetingTimeoutMs: options.greetingTimeoutMs ?? 5000,
    // Virtual and never flushed unless the test does: no greeting timeout behind its back.
    scheduler: options.scheduler ?? new VirtualTimeScheduler(),
    onDrop: (reason, text) => drops.push([reason, text]),
    onGap: (bytes) => gaps.push(bytes),
    onProtocol: (resumed, reason) => protocols.push([resumed, reason]),
  }).subscribe({
    next: (value) => {
      if (value !== CONNECTED) for (const line of value) nodes.add(line.node);
      emitted.push(value === CONNECTED ? 'CONNECTED' : value.map((line) => line.line));
    },
    error: (error: unknown) => (ended = { error }),
    complete: () => (ended = 'complete'),
  });
  return {
    emitted,
    drops,
    gaps,
    protocols,
    /** The nodes the lines were tagged with. */
    nodes: () => [...nodes],
    lines: () => emitted.flatMap((value) => (value === 'CONNECTED' ? [] : value)),
    ended: () => ended,
    stop: () => subscription.unsubscribe(),
  };
}

/** The first line a client wrote (its hello), newline included. */
async function helloOf(client: Socket): Promise<string> {
  let text = '';
  while (!text.includes('\n')) text += String((await once(client, 'data'))[0]);
  return text;
}

/** Each CONNECTED is emitted once, first, and no batch is empty. */
function expectWellFormed(emitted: ReadonlyArray<'CONNECTED' | string[]>): void {
  expect(emitted.indexOf('CONNECTED')).to.equal(0);
  expect(emitted.lastIndexOf('CONNECTED')).to.equal(0);
  expect(emitted.filter((value) => value.length === 0)).to.deep.equal([]);
}

describe('resumableLogConnection (one attempt, against a scripted forwarder on 127.0.0.1)', () => {
  let directory: ReturnType<typeof tempDirectory>;
  let forwarder: TestForwarder;
  let positionFile: string;
  let stops: Array<() => void>;
  /** An attempt stopped after the test, whatever happened in it. */
  const connect = (...args: Parameters<typeof attempt>): ReturnType<typeof attempt> => {
    const connection = attempt(...args);
    stops.push(connection.stop);
    return connection;
  };
  beforeEach(async () => {
    stops = [];
    directory = tempDirectory();
    positionFile = join(directory.path, 'node1.position');
    writeFileSync(positionFile, 's1.2.30.4\n');
    forwarder = await TestForwarder.start();
  });
  afterEach(async () => {
    // Everything is closed even when stopping an attempt throws; what it threw fails the test after.
    const failures = stops.flatMap((stop) => {
      try {
        stop();
        return [];
      } catch (error: unknown) {
        return [error];
      }
    });
    await forwarder.kill();
    directory.remove();
    expect(failures).to.deep.equal([]);
  });

  it('resumes: the hello carries the position, CONNECTED comes with the greeting, lines before it are not kept, and every line after it (malformed and oversize too, not a partial one) moves the cursor, saved after each chunk', async () => {
    const cursor = new ResumeCursor(positionFile);
    const client = forwarder.nextClient();
    const connection = connect(forwarder.port, cursor, { maxLineBytes: 64 });
    const socket = await client;
    socket.write('1.0 before the greeting\nnot a line (before)\n');
    expect(await helloOf(socket)).to.equal('#storj-log-resume 1 s1.2.30.4\n');
    await eventually(() => connection.drops.length === 1);
    expect(connection.emitted).to.deep.equal([]);
    socket.write(`${GREETING_RECORD}1.0 a\nnot a line\n1.0 ${'x'.repeat(100)}\n1.0 b\n`);
    await eventually(() => connection.lines().length === 2);
    // 4 from the file, then a, the malformed line, the oversize one and b.
    expect(cursor.position).to.deep.equal({ stream: 's1', segment: 2, offset: 30, skip: 8 });
    expect(readFileSync(positionFile, 'utf8')).to.equal('s1.2.30.8\n');
    socket.write('#at s1.3.0\n1.0 c\n');
    await eventually(() => connection.lines().length === 3);
    expect(cursor.position).to.deep.equal({ stream: 's1', segment: 3, offset: 0, skip: 1 });
    expect(readFileSync(positionFile, 'utf8')).to.equal('s1.3.0.1\n');
    socket.end('1.0 cut short');
    await eventually(() => connection.ended() !== undefined);
    expect(connection.ended()).to.equal('complete');
    expect(cursor.position).to.deep.equal({ stream: 's1', segment: 3, offset: 0, skip: 1 });
    expectWellFormed(connection.emitted);
    expect(connection.lines()).to.deep.equal(['a', 'b', 'c']);
    expect(connection.drops).to.deep.equal([
      ['malformed', 'not a line (before)'],
      ['malformed', 'not a line'],
      ['oversize', undefined],
      ['partial', undefined],
    ]);
    expect(connection.protocols).to.deep.equal([[true, undefined]]);
  });

  it('records: before the greeting none is taken; after it a gap is reported with its bytes (or null), a checkpoint moves the cursor, unknown records and a second greeting change nothing; unsubscribing closes the socket', async () => {
    const cursor = new ResumeCursor();
    const client = forwarder.nextClient();
    const connection = connect(forwarder.port, cursor);
    const socket = await client;
    expect(await helloOf(socket)).to.equal('#storj-log-resume 1 -\n');
    socket.write('#at z9.9.9\n#gap 5\n#storj-log-resume 2 ok\n#future 1\nnot a line\n');
    await eventually(() => connection.drops.length === 1);
    expect(connection.emitted).to.deep.equal([]);
    socket.write(`${GREETING_RECORD}#gap 4096\n#gap ?\n#future x\n#gap -1\n${GREETING_RECORD}1.0 a\n`);
    await eventually(() => connection.lines().length === 1);
    expect(cursor.position).to.equal(null);
    socket.write('#at s1.0.10\n1.0 b\n');
    await eventually(() => connection.lines().length === 2);
    expect(cursor.position).to.deep.equal({ stream: 's1', segment: 0, offset: 10, skip: 1 });
    expectWellFormed(connection.emitted);
    expect(connection.lines()).to.deep.equal(['a', 'b']);
    expect(connection.gaps).to.deep.equal([4096, null]);
    expect(connection.protocols).to.deep.equal([[true, undefined]]);
    let closed = false;
    socket.once('close', () => (closed = true));
    connection.stop();
    await eventually(() => closed);
    expect(connection.ended()).to.equal(undefined);
  });

  it('a position file that cannot be written stops nothing: the lines go on, the position kept in memory', async () => {
    const blocker = join(directory.path, 'blocker');
    writeFileSync(blocker, 'a file where the folder should be');
    const cursor = new ResumeCursor(join(blocker, 'node1.position'));
    const client = forwarder.nextClient();
    const connection = connect(forwarder.port, cursor);
    const socket = await client;
    await helloOf(socket);
    socket.write(`${GREETING_RECORD}#at s1.0.0\n1.0 a\n`);
    await eventually(() => connection.lines().length === 1);
    socket.write('1.0 b\n');
    await eventually(() => connection.lines().length === 2);
    expect(cursor.position).to.deep.equal({ stream: 's1', segment: 0, offset: 0, skip: 2 });
    expect(connection.ended()).to.equal(undefined);
  });

  it('a forwarder that neither greets nor closes is taken as plain exactly at greetingTimeoutMs (virtual time): the held lines go out at once, the cursor is cleared and saved', async () => {
    const cursor = new ResumeCursor(positionFile);
    const scheduler = new VirtualTimeScheduler();
    const client = forwarder.nextClient();
    const connection = connect(forwarder.port, cursor, { scheduler, greetingTimeoutMs: 3000 });
    const socket = await client;
    socket.write('1.0 held\nnot a line\n');
    await eventually(() => connection.drops.length === 1);
    scheduler.maxFrames = 2999;
    scheduler.flush();
    expect(connection.emitted).to.deep.equal([]);
    scheduler.maxFrames = 3000;
    scheduler.flush();
    expect(connection.emitted).to.deep.equal(['CONNECTED', ['held']]);
    expect(connection.protocols).to.deep.equal([[false, 'no answer to the resume hello within 3000 ms']]);
    expect(cursor.position).to.equal(null);
    expect(readFileSync(positionFile, 'utf8')).to.equal('-\n');
    socket.write('1.0 after\n');
    await eventually(() => connection.lines().length === 2);
    expect(connection.emitted).to.deep.equal(['CONNECTED', ['held'], ['after']]);
  });

  it('with nothing held, the greeting timeout emits CONNECTED alone', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = forwarder.nextClient();
    const connection = connect(forwarder.port, new ResumeCursor(), { scheduler, greetingTimeoutMs: 3000 });
    await helloOf(await client);
    await eventually(() => scheduler.actions.length === 1); // connected: the timer is set
    scheduler.flush();
    expect(connection.emitted).to.deep.equal(['CONNECTED']);
    expect(connection.protocols).to.have.length(1);
  });

  it('holds 9,999 plain lines without answer, and at the 10,000th takes the forwarder as plain on this connection, every held line kept', async () => {
    const client = forwarder.nextClient();
    const connection = connect(forwarder.port, new ResumeCursor());
    const socket = await client;
    const sent = Array.from({ length: 10_000 }, (_, index) => `line ${index}`);
    socket.write(
      `${sent
        .slice(0, 9_999)
        .map((line) => `1.0 ${line}\n`)
        .join('')}not a line\n`,
    );
    await eventually(() => connection.drops.length === 1);
    expect(connection.emitted).to.deep.equal([]);
    socket.write(`1.0 ${sent[9_999]}\n`);
    await eventually(() => connection.protocols.length === 1);
    socket.write('1.0 after\n');
    await eventually(() => connection.lines().length === 10_001);
    expectWellFormed(connection.emitted);
    expect(connection.lines()).to.deep.equal([...sent, 'after']);
    expect(connection.protocols).to.deep.equal([[false, 'the forwarder sent 10000 lines without answering the resume hello']]);
  });

  for (const held of [['held'], []]) {
    it(`a forwarder that closes when asked to resume: a plain connection that writes nothing, its CONNECTED followed by the lines held before (${held.length}), then its own lines and completion`, async () => {
      const cursor = new ResumeCursor(positionFile);
      const first = forwarder.nextClient();
      const connection = connect(forwarder.port, cursor);
      const socket = await first;
      socket.write(held.map((line) => `1.0 ${line}\n`).join(''));
      const hello = await helloOf(socket);
      const second = forwarder.nextClient();
      socket.end();
      const plain = await second;
      await eventually(() => connection.emitted.length === (held.length > 0 ? 2 : 1));
      expect(connection.protocols).to.deep.equal([[false, 'the forwarder closed the connection when asked to resume (it speaks only the plain protocol)']]);
      expect(cursor.position).to.equal(null);
      expect(readFileSync(positionFile, 'utf8')).to.equal('-\n');
      plain.end('1.0 plain\nnot a line\n');
      await eventually(() => connection.ended() !== undefined);
      expect(connection.ended()).to.equal('complete');
      expect(connection.emitted).to.deep.equal(['CONNECTED', ...(held.length > 0 ? [held] : []), ['plain']]);
      expect(connection.drops).to.deep.equal([['malformed', 'not a line']]);
      expect(connection.nodes()).to.deep.equal(['node1']);
      expect(forwarder.receivedFromClients).to.equal(hello.length);
    });
  }

  it('a forwarder that closes when asked to resume and then refuses: the attempt fails with the refusal', async () => {
    const first = forwarder.nextClient();
    const connection = connect(forwarder.port, new ResumeCursor());
    await helloOf(await first);
    await forwarder.stop(); // ends the client and stops listening at once
    await eventually(() => connection.ended() !== undefined);
    expect(connection.ended()).to.have.nested.property('error.code', 'ECONNREFUSED');
    expect(connection.emitted).to.deep.equal([]);
  });
});
