import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMonitor, type Monitor } from '../lib/index.js';
import { startForwarder, type RunningForwarder } from '../lib/forwarder/index.js';
import { expectExactly, LogWriter, tempDirectory } from './support/log-writer.js';
import { plainClient } from './support/plain-client.js';
import { eventually } from './support/wait.js';

describe('createMonitor(config, { stateDir }): a restarted monitor resumes (our forwarder, real files and sockets)', () => {
  let directory: ReturnType<typeof tempDirectory>;
  let writer: LogWriter;
  let forwarder: RunningForwarder;
  let monitor: Monitor | undefined;
  beforeEach(async () => {
    directory = tempDirectory();
    writer = new LogWriter(join(directory.path, 'node.log'));
    forwarder = await startForwarder({ file: writer.file, port: 0, pollIntervalMs: 10 });
  });
  afterEach(async () => {
    await monitor?.stop();
    await forwarder.close();
    writer.close();
    directory.remove();
  });

  const run = (stateDir: string | undefined, received: string[]): Monitor => {
    const started = createMonitor(
      {
        nodes: [{ name: 'node/1', log: { host: '127.0.0.1', port: forwarder.port, resume: true } }],
        logReader: { initialBackoffMs: 50, maxBackoffMs: 50 },
      },
      stateDir === undefined ? {} : { stateDir },
    );
    started.lines$.subscribe((line) => received.push(line.line));
    started.start();
    return started;
  };
  const resumed = (): boolean => monitor?.frame().states['node/1']?.log_reader?.resume === 'on';

  it('gets every line written while it was stopped, and none twice', async () => {
    const stateDir = join(directory.path, 'monitor-state');
    const received: string[] = [];
    monitor = run(stateDir, received);
    await eventually(resumed);
    writer.write(40);
    await eventually(() => received.length === 40);
    await monitor.stop();
    writer.write(25); // while no monitor runs
    monitor = run(stateDir, received);
    await eventually(resumed);
    writer.write(10);
    await eventually(() => received.length >= 75);
    expectExactly(received, writer.written);
    expect(readdirSync(stateDir)).to.deep.equal(['log-position-node%2F1']);
  });

  it('without a stateDir, a restarted monitor starts from now (the lines of its downtime are not replayed)', async () => {
    const received: string[] = [];
    monitor = run(undefined, received);
    await eventually(resumed);
    writer.write(5);
    await eventually(() => received.length === 5);
    await monitor.stop();
    const watcher = await plainClient(forwarder.port);
    writer.write(5);
    // "Now" is when the forwarder has seen them: a plain client gets a line once it has.
    await eventually(() => watcher.lines().length === 5);
    watcher.socket.destroy();
    monitor = run(undefined, received);
    await eventually(resumed);
    writer.write(5);
    await eventually(() => received.length >= 10);
    expectExactly(received, [...writer.written.slice(0, 5), ...writer.written.slice(10)]);
  });

  it('rejects a stateDir that is not a non-empty string, naming it', () => {
    expect(() => createMonitor({ nodes: [{ name: 'a', log: { host: 'h', port: 1 } }] }, { stateDir: '' })).to.throw(
      RangeError,
      /^stateDir must be a non-empty string/,
    );
  });
});
