import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { startForwarder } from '../../lib/forwarder/index.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { TestForwarder } from '../support/forwarder.js';
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
      const port = (await TestForwarder.start().then(async (probe) => (await probe.stop(), probe))).port;
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
        reader.stop();
      });
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
    try {
      let reader = resumingReader({ port: forwarder.port, positionFile });
      await eventually(() => reader.status()?.resume === 'on');
      writer.write(30);
      await reader.received(30);
      reader.stop();
      const first = [...reader.lines];
      writer.write(30);
      reader = resumingReader({ port: forwarder.port, positionFile });
      await reader.received(30);
      reader.stop();
      expectExactly([...first, ...reader.lines], writer.written);
    } finally {
      await forwarder.close();
    }
  });
});
