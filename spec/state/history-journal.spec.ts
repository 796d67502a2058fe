import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { ConnectionHistory, ConnectionRegistry, initialLogReaderStatus } from '../../lib/index.js';
import { TestForwarder } from '../support/forwarder.js';
import { eventually } from '../support/wait.js';

const failed = { type: 'failed', error: 'Connection refused', reconnectAttempts: 1, retryInMs: 1000, retryAt: 0 } as const;
const connected = { type: 'connected', reconnectAttempts: 0 } as const;

/** A monitor's registry and history on a virtual clock that starts at `startMs`, journalled to `file`. */
function journalled(file: string, startMs: number, maxSegments = 512) {
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  scheduler.frame = startMs;
  const registry = new ConnectionRegistry({ scheduler });
  const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
  const history = new ConnectionHistory(registry, { scheduler, historyFile: file, historyFlushMs: 1000, historyMaxSegments: maxSegments });
  const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms - scheduler.now());
  /** Runs every action due by `ms` (the flush timer runs for ever, so not all of them). */
  const runUntil = (ms: number): void => {
    scheduler.schedule(() => undefined, ms - scheduler.now());
    scheduler.maxFrames = ms;
    scheduler.flush();
  };
  return { scheduler, registry, log, history, at, runUntil };
}

const states = (history: ConnectionHistory) => history.snapshot().node1?.log_reader?.map(({ state, from, to }) => [state, from, to]);

describe('ConnectionHistory with a history file', function () {
  let directory: string;
  let file: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'storj-history-'));
    file = join(directory, 'history.jsonl');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('reads the history back after a restart, with the time the monitor was not running as a gap', () => {
    const first = journalled(file, 0);
    const persisting = first.history.persist();
    first.at(1000, () => first.log(connected));
    first.at(5000, () => first.log(failed));
    first.at(9000, () => first.log(connected));
    first.at(20_000, () => first.log({ type: 'stopped' }));
    first.at(20_000, () => persisting.unsubscribe());
    first.runUntil(20_000);

    const second = journalled(file, 60_000);
    expect(second.history.skippedRecords).to.equal(0);
    expect(states(second.history)).to.deep.equal([
      ['disconnected', 0, 1000],
      ['connected', 1000, 5000],
      ['error', 5000, 9000],
      ['connected', 9000, 20_000],
      ['stopped', 20_000, 20_000],
      ['disconnected', 60_000, null],
    ]);
    expect(second.history.snapshot().node1?.log_reader?.[3]?.reconnected_after_ms).to.equal(4000);
  });

  it('a node removed is not brought back by a restart: its removal is journalled', () => {
    const first = journalled(file, 0);
    const persisting = first.history.persist();
    first.at(1000, () => first.log(connected));
    first.at(2000, () => first.registry.remove('node1'));
    first.at(3000, () => persisting.unsubscribe());
    first.runUntil(3000);
    expect(readFileSync(file, 'utf8')).to.include('{"node":"node1","component":"log_reader","removed":true}');
    expect(states(journalled(file, 60_000).history)).to.deep.equal([['disconnected', 60_000, null]]);
  });

  it('after a kill (no last flush), ends the history at the last alive stamp; a torn last record is skipped and counted', () => {
    const first = journalled(file, 0);
    first.history.persist();
    first.at(1000, () => first.log(connected));
    first.at(7500, () => first.log(failed));
    first.runUntil(10_400);
    appendFileSync(file, '{"node":"node1","component":"log_reader","state":"conn');

    const second = journalled(file, 30_000);
    expect(second.history.skippedRecords).to.equal(1);
    expect(states(second.history)).to.deep.equal([
      ['disconnected', 0, 1000],
      ['connected', 1000, 7500],
      ['error', 7500, 10_000],
      ['disconnected', 30_000, null],
    ]);
    expect(readFileSync(file, 'utf8')).to.not.include('"conn\n');
    expect(journalled(file, 31_000).history.skippedRecords).to.equal(0);
  });

  it('refuses a file that is not a journal, and one that cannot be read, with a RangeError naming historyFile', () => {
    writeFileSync(file, 'my notes\n');
    expect(() => journalled(file, 0)).to.throw(RangeError, /^historyFile ".*history\.jsonl" is not a history journal/);
    expect(readFileSync(file, 'utf8')).to.equal('my notes\n');
    expect(() => journalled(directory, 0)).to.throw(RangeError, /^historyFile ".*" cannot be read: EISDIR/);
  });

  it('stays bounded on disk whatever the flapping rate: compacted as it grows, and complete when read back', () => {
    const run = journalled(file, 0, 64);
    run.history.persist();
    const hours = 30;
    let largest = 0;
    let compactions = 0;
    let previous = 0;
    // One step schedules the next: a virtual scheduler sorts its whole queue on every schedule.
    const step = (time: number): void => {
      run.log(time % 6000 === 0 ? connected : failed);
      const size = statSync(file).size;
      if (size < previous) compactions++;
      previous = size;
      largest = Math.max(largest, size);
      if (time + 3000 < hours * 3_600_000) run.at(time + 3000, () => step(time + 3000));
    };
    run.at(0, () => step(0));
    run.runUntil(hours * 3_600_000);
    expect(compactions).to.be.at.least(2);
    expect(largest).to.be.at.most(1024 * 1024 + 4096);
    const back = journalled(file, hours * 3_600_000 + 1000, 64);
    const segments = back.history.snapshot().node1?.log_reader ?? [];
    expect(segments.length).to.be.at.most(64);
    expect(segments[0]?.from).to.be.at.most((hours - 24) * 3_600_000);
    expect(segments.at(-2)?.to).to.be.at.least(hours * 3_600_000 - 1000);
  });

  it('a write that fails (the directory is gone) is retried at each flush, never thrown; the file comes back whole', () => {
    const run = journalled(file, 0);
    run.history.persist();
    run.at(1000, () => run.log(connected));
    run.at(1500, () => rmSync(directory, { recursive: true, force: true }));
    run.at(2000, () => run.log(failed));
    run.at(5500, () => mkdirSync(directory));
    run.at(6000, () => run.log(connected));
    run.runUntil(7500);
    expect(existsSync(file)).to.equal(true);
    const back = journalled(file, 10_000);
    expect(states(back.history)?.map(([state]) => state)).to.deep.equal(['disconnected', 'connected', 'error', 'connected', 'disconnected']);
  });
});

describe('a monitor with --history-file killed with SIGKILL', function () {
  this.timeout(30_000);

  it('leaves a journal that the next monitor reads back: the outage where it happened', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'storj-history-kill-'));
    const file = join(directory, 'history.jsonl');
    const forwarder = await TestForwarder.start();
    const config = { nodes: [{ name: 'alpha', log: { host: '127.0.0.1', port: forwarder.port } }], logReader: { initialBackoffMs: 100, maxBackoffMs: 100 } };
    const child = spawn(process.execPath, ['--import', 'tsx', 'spec/support/history-writer.ts', JSON.stringify(config), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const journal = (): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    const records = (state: string): number => journal().split(`"state":"${state}"`).length - 1;
    try {
      await eventually(() => records('connected') === 1, 15_000, 20);
      const outageFrom = Date.now();
      await forwarder.kill();
      await eventually(() => records('error') >= 1, 10_000, 20);
      await forwarder.listen();
      await eventually(() => records('connected') === 2, 10_000, 20);
      const outageTo = Date.now();
      const aliveBefore = journal().length;
      await eventually(() => journal().length > aliveBefore, 5000, 20);
      child.kill('SIGKILL');
      expect(await exited).to.equal('SIGKILL');

      const history = new ConnectionHistory(new ConnectionRegistry(), { historyFile: file });
      const segments = history.snapshot().alpha?.log_reader ?? [];
      const outage = segments.filter((segment) => segment.state !== 'connected' && segment.from >= outageFrom - 1000);
      expect(outage.length).to.be.greaterThan(0);
      expect(outage[0]?.from).to.be.within(outageFrom - 200, outageTo);
      expect(outage.at(-1)?.to).to.be.within(outageFrom, outageTo + 200);
      const last = segments.at(-1);
      expect(last).to.deep.include({ state: 'connected' });
      expect(last?.to).to.be.within(outageTo - 200, Date.now());
      expect(last?.reconnected_after_ms).to.be.greaterThan(0);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await forwarder.kill();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
