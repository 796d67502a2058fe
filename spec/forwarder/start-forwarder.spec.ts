import { expect } from 'chai';
import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForwarder, type RunningForwarder } from '../../lib/forwarder/index.js';
import { FreezingProxy } from '../support/freezing-proxy.js';
import { plainClient } from '../support/plain-client.js';
import { expectExactly, LogWriter, tempDirectory } from '../support/log-writer.js';
import { resumingReader } from '../support/resuming-reader.js';
import { eventually } from '../support/wait.js';

// File watching is real time: the forwarder polls every POLL_MS (a few ms here, 250 in
// production), so each wait below is a few polls at most; nothing asserts on speed.
const POLL_MS = 10;

describe('startForwarder (real files and sockets on 127.0.0.1)', () => {
  let directory: ReturnType<typeof tempDirectory>;
  let writer: LogWriter;
  let forwarder: RunningForwarder | undefined;
  let cleanups: Array<() => unknown> = [];
  const start = async (extra: { stateDir?: string } = {}): Promise<RunningForwarder> =>
    (forwarder = await startForwarder({ file: writer.file, port: 0, pollIntervalMs: POLL_MS, ...extra }));

  beforeEach(() => {
    directory = tempDirectory();
    writer = new LogWriter(join(directory.path, 'node.log'));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
    await forwarder?.close();
    forwarder = undefined;
    writer.close();
    directory.remove();
  });

  describe('plain clients (SPEC §3.1, as the reference forwarder)', () => {
    it('sends every line from the moment it connects as `<unix_ts> <line>`, bytes unchanged, leading whitespace kept', async () => {
      writer.write(3); // before the client: not sent
      const { port } = await start();
      const client = await plainClient(port);
      cleanups.push(() => client.socket.destroy());
      const lines = ['\tat storj.io/storj/storagenode.(*Peer).Run', '  two leading spaces and a trailing one ', 'ünïcödé ✓ \u{1F680}', 'a\tb\r'];
      for (const line of lines) writer.append(line);
      await eventually(() => client.lines().length >= lines.length);
      const received = client.lines().map((line) => /^(\d+\.\d{3}) (.*)$/s.exec(line));
      expect(received.every((match) => match !== null && Math.abs(Number(match[1]) - Date.now() / 1000) < 60)).to.equal(true);
      expect(received.map((match) => match?.[2])).to.deep.equal(lines);
    });

    it('sends the lines of a new, empty file as they are written, not at the next poll (inotify)', async function () {
      // fs.watch is inotify on Linux, where the forwarder is meant to run; elsewhere only polling is promised.
      if (process.platform !== 'linux') this.skip();
      // A poll a minute away: only the watch can make these lines arrive within the wait.
      forwarder = await startForwarder({ file: writer.file, port: 0, pollIntervalMs: 60_000 });
      const client = await plainClient(forwarder.port);
      cleanups.push(() => client.socket.destroy());
      // Short lines first: the file's first 256 bytes (what identifies it) are written over several writes.
      writer.append('a');
      await eventually(() => client.lines().length === 1, 2000);
      writer.write(20);
      await eventually(() => client.lines().length === 21, 2000);
      expect(client.lines()[0]).to.match(/^\d+\.\d{3} a$/);
    });

    it('never sends a line still being written, and sends a 70 KB line whole', async () => {
      const { port } = await start();
      const client = await plainClient(port);
      cleanups.push(() => client.socket.destroy());
      const long = 'x'.repeat(70 * 1024);
      writer.raw('1st half of a line ');
      // Several polls see the unfinished line; none may send it.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5));
      expect(client.text()).to.equal('');
      writer.raw('and its 2nd half\n');
      writer.append(long);
      await eventually(() => client.lines().length >= 2);
      expect(client.lines().map((line) => line.slice(line.indexOf(' ') + 1))).to.deep.equal(['1st half of a line and its 2nd half', long]);
    });

    it('skips a line longer than maxLineBytes (with a warning) and goes on with the next', async () => {
      forwarder = await startForwarder({ file: writer.file, port: 0, pollIntervalMs: POLL_MS, maxLineBytes: 1000 });
      const client = await plainClient(forwarder.port);
      cleanups.push(() => client.socket.destroy());
      writer.append('y'.repeat(300_000));
      writer.append('after the long one');
      writer.append('z'.repeat(1000));
      await eventually(() => client.lines().length >= 2);
      expect(client.lines().map((line) => line.slice(line.indexOf(' ') + 1))).to.deep.equal(['after the long one', 'z'.repeat(1000)]);
    });

    it('closes a client that writes anything but a resume hello, as the reference does', async () => {
      const { port } = await start();
      for (const bytes of ['hello\n', 'GET / HTTP/1.1\r\n\r\n', '#storj-log-resume 2 -\n', '#storj-log-resume 1 x.y\n', 'x'.repeat(300)]) {
        const client = await plainClient(port);
        cleanups.push(() => client.socket.destroy());
        client.socket.write(bytes);
        await new Promise((resolve) => client.socket.once('close', resolve));
      }
      const survivor = await plainClient(port);
      cleanups.push(() => survivor.socket.destroy());
      writer.write(1);
      await eventually(() => survivor.lines().length === 1);
    });
  });

  describe('resuming clients (tcpLogSource({ resume: true }))', () => {
    it('loses and repeats nothing across a link cut by a proxy that then refuses for a while', async () => {
      const { port } = await start();
      let proxy = await FreezingProxy.start(port);
      const proxyPort = proxy.port;
      const reader = resumingReader({ port: proxyPort });
      cleanups.push(
        () => reader.stop(),
        () => proxy.close(),
      );
      await eventually(() => reader.status()?.state === 'connected');
      writer.write(200);
      await reader.received(50);
      await proxy.close(); // cut mid-stream; connecting is refused until it is back
      writer.write(200);
      await eventually(() => (reader.status()?.reconnect_attempts ?? 0) >= 2);
      writer.write(100);
      proxy = await FreezingProxy.start(port, proxyPort);
      await reader.received(writer.written.length);
      expectExactly(reader.lines, writer.written);
      expect(reader.status()).to.include({ resume: 'on', state: 'connected' });
    });

    it('follows rotation by rename while connected, including lines the node writes to the renamed file', async () => {
      const { port } = await start();
      const reader = resumingReader({ port });
      cleanups.push(() => reader.stop());
      await eventually(() => reader.status()?.state === 'connected');
      writer.write(100);
      writer.renameAway();
      writer.write(20); // still through the open file: into node.log.1
      await reader.received(120);
      writer.reopen();
      writer.write(100);
      await reader.received(220);
      expectExactly(reader.lines, writer.written);
    });

    it('follows copytruncate while connected (the writer pausing during the copy, as without the race)', async () => {
      const { port } = await start();
      const reader = resumingReader({ port });
      cleanups.push(() => reader.stop());
      await eventually(() => reader.status()?.state === 'connected');
      writer.write(100);
      await reader.received(30);
      writer.copyTruncate();
      writer.write(100);
      await reader.received(200);
      writer.copyTruncate('.2');
      writer.write(10);
      await reader.received(210);
      expectExactly(reader.lines, writer.written);
    });

    it('resumes a stopped reader from its position file, across a rotation; a deleted rotated file is a gap of its size', async () => {
      const { port } = await start();
      const positionFile = join(directory.path, 'monitor', 'node1.position');
      let reader = resumingReader({ port, positionFile });
      await eventually(() => reader.status()?.state === 'connected');
      writer.write(10);
      await reader.received(10);
      reader.stop();
      const missed = writer.write(5);
      const rotated = writer.renameAway();
      writer.reopen();
      await eventually(() => statSync(rotated).size > 0);
      // Wait until the forwarder has sealed the rotated file and started the new one.
      writer.write(1);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5));
      unlinkSync(rotated);
      writer.write(9);
      reader = resumingReader({ port, positionFile });
      cleanups.push(() => reader.stop());
      await reader.received(10);
      expectExactly(reader.lines, writer.written.slice(15));
      expect(reader.status()?.dropped_lines.gap).to.equal(1);
      expect(reader.registry.snapshot().node1?.log_reader?.resume).to.equal('on');
      expect(missed).to.be.greaterThan(0);
    });

    for (const seen of [true, false]) {
      it(`copytruncate while a reader is away and the copy deleted: a gap of ${seen ? 'the size of the lines the forwarder had seen' : 'unknown size (the forwarder never saw them)'}`, async () => {
        const { port } = await start();
        const watcher = await plainClient(port);
        cleanups.push(() => watcher.socket.destroy());
        const positionFile = join(directory.path, 'position');
        const events: Array<{ reason: string; bytes: number | null }> = [];
        let reader = resumingReader({ port, positionFile });
        await eventually(() => reader.status()?.state === 'connected');
        writer.write(2);
        await reader.received(2);
        reader.stop();
        const lost = writer.write(4);
        // A plain client gets a line only once the forwarder has seen it.
        if (seen) await eventually(() => watcher.lines().length === 6);
        writer.copyTruncate();
        unlinkSync(`${writer.file}.1`);
        writer.write(3);
        reader = resumingReader({
          port,
          positionFile,
          onEvent: (event) => event.type === 'lines_dropped' && events.push({ reason: event.reason, bytes: event.bytes ?? null }),
        });
        cleanups.push(() => reader.stop());
        await reader.received(3);
        expectExactly(reader.lines, writer.written.slice(6));
        expect(events).to.deep.equal([{ reason: 'gap', bytes: seen ? lost : null }]);
        expect(reader.status()?.dropped_lines.gap).to.equal(1);
      });
    }
  });

  it('rejects bad options with a RangeError naming the option', async () => {
    writeFileSync(writer.file, '');
    for (const [options, message] of [
      [{ file: '' }, /^file must be a non-empty string/],
      [{ file: writer.file, port: 70_000 }, /^port must be an integer 0-65535/],
      [{ file: writer.file, pollIntervalMs: 0 }, /^pollIntervalMs must be an integer >= 1/],
      [{ file: writer.file, maxSegments: 1 }, /^maxSegments must be an integer >= 2/],
    ] as const) {
      let caught: unknown;
      await startForwarder(options).catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(RangeError);
      expect((caught as Error).message).to.match(message);
    }
  });
});
