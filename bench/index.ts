// `npm run bench [-- --quick] [-- --json]`: what storj-monitor-rx costs, each figure next
// to a baseline measured in the same run. --quick is a small smoke run (CI) whose
// figures mean nothing; --json ends the output with one JSON object on the last line.
import { cpus } from 'node:os';
import { runFanout } from './fanout.js';
import { runFleet } from './fleet.js';
import { runForwarder } from './forwarder.js';
import { runIdle } from './idle.js';
import { runIngest } from './ingest.js';
import { runReconnect } from './reconnect.js';
import { runScale } from './scale.js';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
/** `--only=idle` (or ingest, scale, fanout, reconnect, forwarder): one benchmark, for working on it; prints its raw result. */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
/** `--idle-interval-s=10`: the idle benchmark's health-check interval (30 s by default, as the library's). */
const idleIntervalSeconds = Number(process.argv.find((arg) => arg.startsWith('--idle-interval-s='))?.slice('--idle-interval-s='.length) ?? 30);
if (!(idleIntervalSeconds > 0)) throw new RangeError(`--idle-interval-s must be a positive number of seconds; got ${idleIntervalSeconds}`);
const idle = (quickRun: boolean) => runIdle(quickRun, idleIntervalSeconds);
// fleet (how many nodes one process holds, ~6 min) runs only on its own: --only=fleet.
const runners = { ingest: runIngest, scale: runScale, fanout: runFanout, reconnect: runReconnect, idle, fleet: runFleet, forwarder: runForwarder } as const;
const log = (text: string): void => void process.stdout.write(`${text}\n`);

interface Row {
  readonly figure: string;
  readonly value: string;
  readonly baseline: string;
  readonly target: string;
  readonly met: boolean | null;
}

const number = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

async function main(): Promise<void> {
  log(`storj-monitor-rx benchmarks${quick ? ' (--quick: a smoke run, figures not meaningful)' : ''}`);
  log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
  const started = performance.now();
  if (only !== undefined) {
    const runner = runners[only as keyof typeof runners] as ((quick: boolean) => Promise<unknown>) | undefined;
    if (!runner) throw new RangeError(`--only must be one of ${Object.keys(runners).join(', ')}; got ${JSON.stringify(only)}`);
    log(JSON.stringify(await runner(quick)));
    return;
  }

  log('1/6 ingest ...');
  const ingest = await runIngest(quick);
  log('2/6 scale ...');
  const scale = await runScale(quick);
  log('3/6 fan-out ...');
  const fanout = await runFanout(quick);
  log('4/6 reconnect ...');
  const reconnect = await runReconnect(quick);
  log('5/6 idle ...');
  const idleResult = await idle(quick);
  log('6/6 forwarder ...');
  const forwarder = await runForwarder(quick);

  const rows: Row[] = [
    // Ingest and fan-out ratios are the median of each round's own ratio, not the ratio of the two medians.
    row('ingest raw lines/s', ingest.raw_lines_per_s, 'splitter', ingest.splitter_lines_per_s, '>= 0.85 x', (r) => r >= 0.85, ingest.raw_vs_splitter),
    row('ingest raw lines/s', ingest.raw_lines_per_s, 'readline', ingest.readline_lines_per_s, '>= 2 x', (r) => r >= 2, ingest.raw_vs_readline),
    beside(`ingest page faults per ${number(ingest.lines)} lines`, ingest.raw_page_faults, 'splitter', ingest.splitter_page_faults),
    row(
      'parsed events/s',
      ingest.parsed_lines_per_s,
      'splitter+parseFloat+JSON.parse',
      ingest.splitter_parse_lines_per_s,
      '>= 0.75 x',
      (r) => r >= 0.75,
      ingest.parsed_vs_splitter_parse,
    ),
    row(
      'filter on message, then parse /s',
      ingest.filtered_lines_per_s,
      'splitter+parseFloat+JSON.parse',
      ingest.splitter_parse_lines_per_s,
      '> 1 x',
      (r) => r > 1,
      ingest.filtered_vs_splitter_parse,
    ),
    absolute('mass transition, 20,000 sources (CPU ms)', scale.mass_transition_cpu_ms, '<= 100', scale.mass_transition_cpu_ms <= 100),
    absolute('mass reconnect, 20,000 sources (CPU ms)', scale.mass_reconnect_cpu_ms, '<= 100', scale.mass_reconnect_cpu_ms <= 100),
    absolute('states$ emissions for one mass transition', scale.states_emissions, '1 (coalesced)', scale.states_emissions === 1),
    row('10,000-node frame build+serialise (ms)', scale.frame_build_ms, 'JSON.stringify', scale.frame_stringify_ms, '<= 1.5 x', (r) => r <= 1.5),
    absolute('RSS per connected idle source (bytes)', scale.bytes_per_connected_source, '<= 50 KB', scale.bytes_per_connected_source <= 50 * 1024),
    row(
      `fan-out CPU ms per broadcast (${fanout.clients} clients)`,
      fanout.broadcast_cpu_ms,
      'plain ws, one Buffer',
      fanout.baseline_cpu_ms,
      '<= 1.15 x',
      (r) => r <= 1.15,
      fanout.ratio,
    ),
    absolute(`reconnect p50 late (ms, ${reconnect.cycles} cycles)`, reconnect.p50_late_ms, '', null),
    absolute('reconnect p99 late (ms)', reconnect.p99_late_ms, '<= 50', reconnect.p99_late_ms <= 50),
    row(
      `idle CPU ms per minute (${idleResult.sources} sources, checks every ${idleResult.interval_s} s)`,
      idleResult.cpu_ms_per_min,
      'bare cross-fetch loop',
      idleResult.baseline_cpu_ms_per_min,
      '<= 1.25 x',
      (r) => r <= 1.25,
      idleResult.cpu_ratio,
    ),
    {
      figure: '  ratio of each round, fresh processes',
      value: idleResult.cpu_ratios.map((ratio) => `${ratio} x`).join(', '),
      baseline: '',
      target: '',
      met: null,
    },
    beside('  CPU µs per health check', idleResult.cpu_us_per_check, 'bare cross-fetch loop', idleResult.baseline_cpu_us_per_check),
    absolute('  the same process before any source', idleResult.empty_process_cpu_ms_per_min, '', null),
    {
      ...absolute(
        'RSS per connected API client (bytes, young generation bounded)',
        idleResult.bounded_bytes_per_api_client,
        '<= 30 KB',
        idleResult.bounded_bytes_per_api_client <= 30 * 1024,
      ),
      baseline: `bare cross-fetch agent: ${number(idleResult.bounded_baseline_bytes_per_api_client)}`,
    },
    beside('  V8 defaults: RSS', idleResult.bytes_per_api_client, 'bare cross-fetch agent', idleResult.baseline_bytes_per_api_client),
    beside('  of which V8 heap', idleResult.heap_bytes_per_api_client, 'bare cross-fetch agent', idleResult.baseline_heap_bytes_per_api_client),
    beside('  started 50 at a time: RSS', idleResult.steady_bytes_per_api_client, 'bare cross-fetch agent', idleResult.steady_baseline_bytes_per_api_client),
    beside(
      '  started 50 at a time: V8 heap',
      idleResult.steady_heap_bytes_per_api_client,
      'bare cross-fetch agent',
      idleResult.steady_baseline_heap_bytes_per_api_client,
    ),
    beside(
      `  one more client (${number(idleResult.sources / 2)} -> ${number(idleResult.sources)}): RSS`,
      idleResult.marginal_bytes_per_api_client,
      'bare cross-fetch agent',
      idleResult.marginal_baseline_bytes_per_api_client,
    ),
    beside(
      '  one more client: V8 heap',
      idleResult.marginal_heap_bytes_per_api_client,
      'bare cross-fetch agent',
      idleResult.marginal_baseline_heap_bytes_per_api_client,
    ),
    row(
      `forwarder lines/s, file to client (${number(forwarder.lines)} lines)`,
      forwarder.lines_per_s,
      'tail -F to the socket',
      forwarder.baseline_lines_per_s,
      '>= 1 x',
      (r) => r >= 1,
      forwarder.ratio,
    ),
    beside(
      `  CPU ms per 1,000 lines at ${forwarder.pace_lines_per_s} lines/s`,
      forwarder.cpu_ms_per_1000_lines,
      'tail -F to the socket',
      forwarder.baseline_cpu_ms_per_1000_lines,
    ),
  ];
  log('');
  printTable(rows);
  log(`\n(${Math.round((performance.now() - started) / 1000)} s)`);

  if (json) {
    log(
      JSON.stringify({
        ingest: {
          raw_lines_per_s: ingest.raw_lines_per_s,
          splitter_lines_per_s: ingest.splitter_lines_per_s,
          readline_lines_per_s: ingest.readline_lines_per_s,
          parsed_lines_per_s: ingest.parsed_lines_per_s,
          splitter_parse_lines_per_s: ingest.splitter_parse_lines_per_s,
          filtered_lines_per_s: ingest.filtered_lines_per_s,
          raw_vs_splitter: ingest.raw_vs_splitter,
          raw_vs_readline: ingest.raw_vs_readline,
          parsed_vs_splitter_parse: ingest.parsed_vs_splitter_parse,
          filtered_vs_splitter_parse: ingest.filtered_vs_splitter_parse,
          raw_page_faults: ingest.raw_page_faults,
          splitter_page_faults: ingest.splitter_page_faults,
        },
        scale: {
          mass_transition_cpu_ms: scale.mass_transition_cpu_ms,
          frame_build_ms: scale.frame_build_ms,
          frame_stringify_ms: scale.frame_stringify_ms,
          bytes_per_connected_source: scale.bytes_per_connected_source,
        },
        fanout: { broadcast_cpu_ms: fanout.broadcast_cpu_ms, baseline_cpu_ms: fanout.baseline_cpu_ms, ratio: fanout.ratio },
        reconnect: { p50_late_ms: reconnect.p50_late_ms, p99_late_ms: reconnect.p99_late_ms },
        idle: {
          cpu_ms_per_min: idleResult.cpu_ms_per_min,
          baseline_cpu_ms_per_min: idleResult.baseline_cpu_ms_per_min,
          cpu_ratio: idleResult.cpu_ratio,
          cpu_ratios: idleResult.cpu_ratios,
          cpu_us_per_check: idleResult.cpu_us_per_check,
          baseline_cpu_us_per_check: idleResult.baseline_cpu_us_per_check,
          bounded_bytes_per_api_client: idleResult.bounded_bytes_per_api_client,
          bounded_baseline_bytes_per_api_client: idleResult.bounded_baseline_bytes_per_api_client,
          bytes_per_api_client: idleResult.bytes_per_api_client,
          baseline_bytes_per_api_client: idleResult.baseline_bytes_per_api_client,
          steady_bytes_per_api_client: idleResult.steady_bytes_per_api_client,
          steady_baseline_bytes_per_api_client: idleResult.steady_baseline_bytes_per_api_client,
          marginal_bytes_per_api_client: idleResult.marginal_bytes_per_api_client,
          marginal_baseline_bytes_per_api_client: idleResult.marginal_baseline_bytes_per_api_client,
          interval_s: idleResult.interval_s,
        },
        forwarder: {
          lines_per_s: forwarder.lines_per_s,
          baseline_lines_per_s: forwarder.baseline_lines_per_s,
          ratio: forwarder.ratio,
          cpu_ms_per_1000_lines: forwarder.cpu_ms_per_1000_lines,
          baseline_cpu_ms_per_1000_lines: forwarder.baseline_cpu_ms_per_1000_lines,
        },
      }),
    );
  }
}

function row(
  figure: string,
  value: number,
  baselineName: string,
  baseline: number,
  target: string,
  meets: (ratio: number) => boolean,
  unrounded = value / baseline,
): Row {
  const measured = Math.round(unrounded * 100) / 100;
  return { figure, value: number(value), baseline: `${baselineName}: ${number(baseline)} (${measured} x)`, target, met: quick ? null : meets(measured) };
}

/** A figure shown beside its baseline, with no target. */
function beside(figure: string, value: number, baselineName: string, baseline: number): Row {
  return { figure, value: number(value), baseline: `${baselineName}: ${number(baseline)}`, target: '', met: null };
}

function absolute(figure: string, value: number, target: string, met: boolean | null): Row {
  return { figure, value: number(value), baseline: '', target, met: quick || met === null ? null : met };
}

function printTable(rows: readonly Row[]): void {
  const table = [
    ['figure', 'ours', 'baseline (ratio)', 'target', ''],
    ...rows.map((r) => [r.figure, r.value, r.baseline, r.target, r.met === null ? '' : r.met ? 'met' : 'MISSED']),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((cells) => (cells[column] ?? '').length)));
  for (const cells of table)
    log(
      cells
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
