import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseForwarderArguments } from '../../examples/forwarder.js';
import { ForwarderProcess } from '../support/forwarder-process.js';
import { expectExactly, LogWriter, tempDirectory } from '../support/log-writer.js';
import { resumingReader } from '../support/resuming-reader.js';
import { eventually } from '../support/wait.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/** Rotations a storagenode's log goes through while its forwarder is down. */
const WHILE_DOWN: ReadonlyArray<[string, (writer: LogWriter) => void]> = [
  ['nothing (a crash and a restart)', () => undefined],
  [
    'a rotation by rename (the rotated file still has lines never read)',
    (writer) => {
      writer.renameAway();
      writer.write(7); // the node writes on to node.log.1 until it reopens
      writer.reopen();
    },
  ],
  ['a copytruncate (the copy has the lines never read)', (writer) => void writer.copyTruncate()],
];

describe('examples/forwarder.ts (a real process, killed with SIGKILL)', function () {
  this.timeout(30_000);
  let directory: ReturnType<typeof tempDirectory>;
  let writer: LogWriter;
  let forwarder: ForwarderProcess | undefined;
  let reader: ReturnType<typeof resumingReader> | undefined;

  beforeEach(() => {
    directory = tempDirectory();
    writer = new LogWriter(join(directory.path, 'node.log'));
  });
  afterEach(async () => {
    reader?.stop();
    reader = undefined;
    await forwarder?.kill();
    forwarder = undefined;
    writer.close();
    directory.remove();
  });

  for (const [what, rotate] of WHILE_DOWN) {
    it(`a resuming reader loses and repeats nothing across kill -9, ${what}, and a restart`, async () => {
      const stateDir = join(directory.path, 'state');
      forwarder = await ForwarderProcess.start({ file: writer.file, stateDir });
      const { port } = forwarder;
      reader = resumingReader({ port });
      await eventually(() => reader?.status()?.state === 'connected');
      writer.write(100);
      await reader.received(100);
      writer.write(50); // perhaps read, perhaps not, when the kill comes
      await forwarder.kill();
      writer.write(30);
      rotate(writer);
      writer.write(40);
      forwarder = await ForwarderProcess.start({ file: writer.file, stateDir, port });
      writer.write(20);
      await reader.received(writer.written.length, 15_000);
      expectExactly(reader.lines, writer.written);
      expect(reader.status()).to.include({ resume: 'on' });
      expect(reader.status()?.dropped_lines.gap).to.equal(0);
    });
  }

  it('without a state directory, a restart is a gap of unknown size for resuming readers, never a silent loss', async () => {
    forwarder = await ForwarderProcess.start({ file: writer.file });
    const { port } = forwarder;
    reader = resumingReader({ port });
    await eventually(() => reader?.status()?.state === 'connected');
    writer.write(10);
    await reader.received(10);
    await forwarder.kill();
    writer.write(5);
    forwarder = await ForwarderProcess.start({ file: writer.file, port });
    await eventually(() => reader?.status()?.dropped_lines.gap === 1, 15_000);
    writer.write(5);
    await reader.received(15);
    expectExactly(reader.lines, [...writer.written.slice(0, 10), ...writer.written.slice(15)]);
  });

  it('parses its arguments, and a bad one is one line and exit code 2', async () => {
    expect(parseForwarderArguments(['--file', 'node.log', '--listen', '0.0.0.0:9001', '--state-dir', '/var/lib/f'])).to.deep.equal({
      file: 'node.log',
      host: '0.0.0.0',
      port: 9001,
      stateDir: '/var/lib/f',
    });
    expect(parseForwarderArguments(['--file', 'x', '--listen', '[::1]:0'])).to.include({ host: '::1', port: 0 });
    for (const argv of [[], ['--file'], ['--file', 'x', '--listen', 'nowhere'], ['--file', 'x', '--poll-ms', '0'], ['--bogus']]) {
      const failure = await run(process.execPath, ['--import', 'tsx', 'examples/forwarder.ts', ...argv], { cwd: ROOT }).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).to.equal(2);
      expect(failure?.stderr.trim().split('\n')).to.have.length(1);
    }
  });
});
