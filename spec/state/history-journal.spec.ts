import { expect } from 'chai';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { ConnectionHistory, ConnectionRegistry, initialLogReaderStatus } from '../../lib/index.js';
import { HistoryJournal, type HistoryRecord } from '../../lib/state/history-journal.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { TestForwarder } from '../support/forwarder.js';
import { tempDirectory } from '../support/log-writer.js';
import { eventually } from '../support/wait.js';

const failed = { type: 'failed', error: 'Connection refused', reconnectAttempts: 1, retryInMs: 1000, retryAt: 0 } as const;
const connected = { type: 'connected', reconnectAttempts: 0 } as const;

/** A virtual clock that starts at `startMs`: `at(ms, work)` runs work then. */
function virtualClock(startMs: number) {
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  scheduler.frame = startMs;
  const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms - scheduler.now());
  /** Runs every action due by `ms` (the flush timer runs for ever, so not all of them). */
  const runUntil = (ms: number): void => {
    scheduler.schedule(() => undefined, ms - scheduler.now());
    scheduler.maxFrames = ms;
    scheduler.flush();
  };
  return { scheduler, at, runUntil };
}

/** A monitor's registry and history on a virtual clock that starts at `startMs`, journalled to `file`. */
function journalled(file: string, startMs: number, maxSegments = 512) {
  const clock = virtualClock(startMs);
  const registry = new ConnectionRegistry({ scheduler: clock.scheduler });
  const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
  const history = new ConnectionHistory(registry, { scheduler: clock.scheduler, historyFile: file, historyFlushMs: 1000, historyMaxSegments: maxSegments });
  return { ...clock, registry, log, history };
}

const HEADER = '{"storj_monitor_history":1}';
/** A journal line of node1's log reader, `fields` over a closed `connected` segment; `"INFINITY"` is written as `1e999` (JSON for Infinity). */
const line = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ node: 'node1', component: 'log_reader', state: 'connected', from: 1000, to: 2000, last_error: null, ...fields }).replaceAll(
    '"INFINITY"',
    '1e999',
  );
/** Writes a journal of `lines` (the header first unless told otherwise). */
const writeJournal = (file: string, lines: readonly string[], header = true): void =>
  writeFileSync(file, `${[...(header ? [HEADER] : []), ...lines].join('\n')}\n`);
const WARN = 'storj-monitor:history:warn';

/** Before each test a folder of its own (handed to `use`); after it, the folder and its `.away` twin (where a test moves it for a while) are removed. */
function folderPerTest(use: (folder: string) => void): void {
  let folder = '';
  beforeEach(() => {
    folder = tempDirectory().path;
    use(folder);
  });
  afterEach(() => [folder, `${folder}.away`].forEach((path) => rmSync(path, { recursive: true, force: true })));
}

const states = (history: ConnectionHistory) => history.snapshot().node1?.log_reader?.map(({ state, from, to }) => [state, from, to]);

describe('ConnectionHistory with a history file', function () {
  let directory: string;
  let file: string;
  folderPerTest((folder) => {
    directory = folder;
    file = join(folder, 'history.jsonl');
  });

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
    expect(() => journalled(directory, 0))
      .to.throw(RangeError, /^historyFile ".*" cannot be read: EISDIR/)
      .with.property('cause')
      .that.has.property('code', 'EISDIR');
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

describe('ConnectionHistory with a history file: what is journalled and said', function () {
  let directory: string;
  let file: string;
  folderPerTest((folder) => {
    directory = folder;
    file = join(folder, 'history.jsonl');
  });

  it('says on storj-monitor:history how many records it read back and how many it skipped', async () => {
    writeJournal(file, [line({ from: 0, to: 1000 }), line({ state: 'error', from: 1000, to: 2000 }), '{"node":"node1"', line({ from: 2000, to: null })]);
    const logs = await withDebugLogs('storj-monitor:history', (lines) => {
      journalled(file, 10_000).history.stop();
      return [...lines];
    });
    expect(logs).to.have.length(1);
    expect(logs[0]).to.include('storj-monitor:history').and.to.include(`read 3 records back from ${file} (1 unreadable, skipped)`);
  });

  it('a failed write is said once on storj-monitor:history:warn while it keeps failing, and once more when it fails again after a good write', async () => {
    const missing = join(directory, 'missing');
    const inMissing = join(missing, 'history.jsonl');
    const logs = await withDebugLogs(WARN, (lines) => {
      const run = journalled(inMissing, 0);
      expect(lines, 'the compaction at start fails: said at once').to.have.length(1);
      const persisting = run.history.persist();
      run.at(1500, () => run.log(connected));
      run.at(2500, () => mkdirSync(missing));
      run.at(3500, () => expect(readFileSync(inMissing, 'utf8')).to.include('"state":"connected"'));
      run.at(3500, () => rmSync(missing, { recursive: true, force: true }));
      run.at(4500, () => persisting.unsubscribe());
      run.runUntil(4500);
      return [...lines];
    });
    const said = `cannot write the history file ${inMissing}: ENOENT: no such file or directory`;
    expect(logs).to.have.length(2);
    for (const logged of logs) expect(logged).to.include(WARN).and.to.include(said).and.to.include('(retrying at every flush)');
  });

  it('an append that fails is said, and the same flush writes the file whole (the journal replaced by a link to nowhere)', async () => {
    const logs = await withDebugLogs(WARN, (lines) => {
      const run = journalled(file, 0);
      run.history.persist();
      run.at(1000, () => run.log(connected));
      run.at(1500, () => {
        rmSync(file);
        symlinkSync(join(directory, 'gone', 'history.jsonl'), file);
      });
      run.at(2500, () => run.log(failed));
      run.runUntil(2500);
      expect(lstatSync(file).isFile(), 'the flush at 2000 replaced the link').to.equal(true);
      return [...lines];
    });
    expect(logs).to.have.length(1);
    expect(logs[0]).to.include(WARN).and.to.include(`cannot write the history file ${file}: ENOENT`);
    expect(states(journalled(file, 3000).history)?.map(([state]) => state)).to.deep.equal(['disconnected', 'connected', 'disconnected']);
  });

  it('what a failed flush held is not lost: the directory moved away and back, the next flush writes the file whole', () => {
    const away = `${directory}.away`;
    const run = journalled(file, 0);
    const persisting = run.history.persist();
    run.at(1000, () => run.log(connected));
    run.at(1200, () => renameSync(directory, away));
    run.at(1500, () => run.log(failed));
    run.at(2500, () => renameSync(away, directory));
    run.at(2800, () => run.log(connected));
    run.at(3500, () => persisting.unsubscribe());
    run.runUntil(3500);
    expect(states(journalled(file, 4000).history)?.map(([state, from]) => `${state} ${from}`)).to.deep.equal([
      'disconnected 0',
      'connected 1000',
      'error 1500',
      'connected 2800',
      'disconnected 4000',
    ]);
  });

  it('a file that another writer grew or truncated under it is written whole at the next flush', () => {
    const run = journalled(file, 0);
    run.history.persist();
    run.at(1000, () => run.log(connected));
    run.at(1500, () => appendFileSync(file, 'not ours\n'));
    run.at(2500, () => expect(readFileSync(file, 'utf8')).to.not.include('not ours'));
    run.at(2500, () => truncateSync(file, 0));
    run.at(2800, () => run.log(failed));
    run.runUntil(3500);
    expect(readFileSync(file, 'utf8').split('\n')[0]).to.equal(HEADER);
    const back = journalled(file, 10_000).history;
    expect(back.skippedRecords).to.equal(0);
    expect(states(back)?.map(([state]) => state)).to.deep.equal(['disconnected', 'connected', 'error', 'disconnected']);
  });

  it('an event that changes no state journals nothing (no removal, no segment)', () => {
    const run = journalled(file, 0);
    const persisting = run.history.persist();
    run.at(1000, () => run.log(connected));
    run.at(1500, () => run.log({ type: 'lines_received', count: 10 }));
    run.at(2500, () => persisting.unsubscribe());
    run.runUntil(2500);
    expect(readFileSync(file, 'utf8')).to.not.include('removed');
    expect(states(journalled(file, 3000).history)).to.deep.equal([
      ['disconnected', 0, 1000],
      ['connected', 1000, 2500],
      ['disconnected', 3000, null],
    ]);
  });

  it('the removal of a connection it never saw (its segments lost) changes nothing', () => {
    writeJournal(file, ['{"node":"node2","component":"api_client","removed":true}', line({ component: 'api_client', from: 0, to: 1000 })]);
    const history = journalled(file, 2000).history;
    expect(Object.keys(history.snapshot())).to.deep.equal(['node1']);
    expect(history.snapshot().node1?.api_client).to.have.length(1);
  });
});

describe('HistoryJournal: the file', function () {
  let file: string;
  folderPerTest((folder) => (file = join(folder, 'history.jsonl')));

  const empty = { records: [], aliveAt: null, skipped: 0 };
  const record = (segment: HistoryRecord['segment'], node = 'node1', component: HistoryRecord['component'] = 'log_reader'): HistoryRecord => ({
    node,
    component,
    segment,
  });

  it('no file, an empty one and one of just the header are an empty history', () => {
    expect(HistoryJournal.open(file).contents).to.deep.equal(empty);
    writeFileSync(file, '');
    expect(HistoryJournal.open(file).contents).to.deep.equal(empty);
    writeJournal(file, []);
    expect(HistoryJournal.open(file).contents).to.deep.equal(empty);
  });

  it('a new journal begins with its header, also when its first flush has records to append', () => {
    const { scheduler, runUntil } = virtualClock(0);
    const journal = HistoryJournal.open(file, { scheduler, flushIntervalMs: 1000 });
    const connectedSegment = { state: 'connected', from: 0, to: null, last_error: null } as const;
    journal.append(record(connectedSegment));
    const persisting = journal.persist(() => [record(connectedSegment)]);
    runUntil(1500);
    persisting.unsubscribe();
    expect(readFileSync(file, 'utf8').split('\n')[0]).to.equal(HEADER);
    expect(HistoryJournal.open(file).contents.records).to.deep.equal([record(connectedSegment)]);
  });

  it('keeps every field of a record as written (last_error cut at 1024 characters), and adds none', () => {
    const merged = { segments: 3, tracked_ms: 59_000, connected_ms: 50_000, reconnections: 1, reconnection_ms: 2000 };
    writeJournal(file, [
      line({ component: 'api_client', state: 'error', from: 0, to: 60_000, last_error: 'refused', merged }),
      line({ component: 'api_client', state: 'stopped', from: 60_000, to: 60_000 }),
      line({ state: 'error', from: 1000, to: 2000, last_error: 'x'.repeat(2000) }),
      line({ from: 2000, to: null, last_error: 'x', reconnected_after_ms: 1000 }),
      '{"node":"node2","component":"api_client","removed":true}',
      '{"alive":70000}',
    ]);
    const { records, aliveAt, skipped } = HistoryJournal.open(file).contents;
    expect({ aliveAt, skipped }).to.deep.equal({ aliveAt: 70_000, skipped: 0 });
    expect(records).to.deep.equal([
      record({ state: 'error', from: 0, to: 60_000, last_error: 'refused', merged }, 'node1', 'api_client'),
      record({ state: 'stopped', from: 60_000, to: 60_000, last_error: null }, 'node1', 'api_client'),
      record({ state: 'error', from: 1000, to: 2000, last_error: 'x'.repeat(1024) }),
      record({ state: 'connected', from: 2000, to: null, last_error: 'x', reconnected_after_ms: 1000 }),
      record(null, 'node2', 'api_client'),
    ]);
  });

  it('skips and counts each line it cannot read, whatever is wrong with it', () => {
    const summary = { segments: 3, tracked_ms: 1000, connected_ms: 500, reconnections: 1, reconnection_ms: 200 };
    const bad = [
      ...['null', '42', '"text"', 'true', '[]', '{', '{"alive":-1}', '{"alive":"5"}', '{"alive":1e999}'],
      ...[{ node: undefined }, { node: 42 }, { node: '' }, { component: undefined }, { component: 42 }, { component: 'storage_node' }].map(line),
      '{"node":"","component":"log_reader","removed":true}',
      '{"node":"node1","component":"storage_node","removed":true}',
      ...[{ state: undefined }, { state: 42 }, { state: 'sleeping' }].map(line),
      ...[{ from: undefined }, { from: '5' }, { from: -1 }, { from: 'INFINITY' }].map(line),
      ...[{ to: undefined }, { to: '3000' }, { to: -1 }, { to: 999 }, { to: 'INFINITY' }].map(line),
      ...[{ last_error: undefined }, { last_error: 42 }, { last_error: {} }].map(line),
      ...[{ reconnected_after_ms: 'x' }, { reconnected_after_ms: -1 }, { reconnected_after_ms: null }].map(line),
      ...[null, 42, 'x', [], {}, { ...summary, segments: undefined }].map((merged) => line({ merged })),
      ...Object.keys(summary).flatMap((field) => ['x', -1, 'INFINITY'].map((value) => line({ merged: { ...summary, [field]: value } }))),
      line({ to: null, merged: summary }),
    ];
    const good = line({ from: 0, to: 1000, merged: summary });
    for (const text of bad) {
      writeJournal(file, [good, text]);
      const { records, skipped } = HistoryJournal.open(file).contents;
      expect({ records: records.length, skipped }, text).to.deep.equal({ records: 1, skipped: 1 });
    }
  });

  it('the monitor was last alive at the latest time any line shows, whatever their order; a torn stamp leaves its records', () => {
    const aliveAt = (lines: readonly string[]): number | null => {
      writeJournal(file, lines);
      return HistoryJournal.open(file).contents.aliveAt;
    };
    expect(aliveAt([line({ from: 1000, to: 5000 })])).to.equal(5000);
    expect(aliveAt([line({ from: 7000, to: null })])).to.equal(7000);
    expect(aliveAt(['{"alive":9000}', '{"alive":4000}'])).to.equal(9000);
    expect(aliveAt(['{"alive":9000}', line({ from: 2000, to: 3000 })])).to.equal(9000);
    expect(aliveAt(['{"alive":10000}', line({ from: 14_000, to: null }), '{"alive":150'])).to.equal(14_000);
  });

  it('is compacted only once it has grown past compactAtBytes; until then each flush appends', () => {
    const { scheduler, at, runUntil } = virtualClock(0);
    const added = record({ state: 'connected', from: 500, to: null, last_error: null });
    const start = `${HEADER}\n{"alive":0}\n`;
    const appended = `${start}${JSON.stringify({ node: 'node1', component: 'log_reader', ...added.segment })}\n{"alive":1000}\n`;
    const journal = HistoryJournal.open(file, { scheduler, flushIntervalMs: 1000, compactAtBytes: Buffer.byteLength(appended) });
    journal.rewrite([]);
    journal.append(added);
    const texts: string[] = [];
    const persisting = journal.persist(() => []);
    for (const time of [1500, 2500, 3500]) at(time, () => texts.push(readFileSync(file, 'utf8')));
    runUntil(3500);
    persisting.unsubscribe();
    expect(texts).to.deep.equal([appended, `${appended}{"alive":2000}\n`, `${HEADER}\n{"alive":3000}\n`]);
  });

  it('is compacted once it has grown past twice its compacted size when that is more than compactAtBytes', () => {
    const { scheduler, at, runUntil } = virtualClock(0);
    const journal = HistoryJournal.open(file, { scheduler, flushIntervalMs: 1000, compactAtBytes: 1 });
    journal.rewrite([]);
    const compacted = Buffer.byteLength(`${HEADER}\n{"alive":0}\n`);
    const stamp = Buffer.byteLength('{"alive":1000}\n');
    // Before flush i the file has i - 1 stamps more than compacted: the first flush that finds it past 2 x compacted rewrites it.
    const firstRewrite = Math.floor(compacted / stamp) + 2;
    const stamps: number[] = [];
    const persisting = journal.persist(() => []);
    for (let flush = 1; flush <= firstRewrite + 1; flush++) {
      at(flush * 1000 + 500, () =>
        stamps.push(
          readFileSync(file, 'utf8')
            .split('\n')
            .filter((one) => one.startsWith('{"alive":')).length,
        ),
      );
    }
    runUntil((firstRewrite + 1) * 1000 + 500);
    persisting.unsubscribe();
    expect(stamps).to.deep.equal([...Array.from({ length: firstRewrite - 1 }, (_, index) => index + 2), 1, 2]);
  });
});

describe('a monitor with --history-file killed with SIGKILL', function () {
  this.timeout(30_000);

  it('leaves a journal that the next monitor reads back: the outage where it happened', async () => {
    const directory = tempDirectory();
    const file = join(directory.path, 'history.jsonl');
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
      directory.remove();
    }
  });
});
