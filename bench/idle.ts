// 5. Idle cost: connected, silent log sources and API clients checking every 30 s (or
// `--idle-interval-s`) against loopback peers: our CPU ms per minute in the steady state,
// beside a bare cross-fetch loop doing the same checks, paced the same at start (as a
// monitor paces them, DEFAULT_FIRST_CHECKS_PER_SECOND), each in a fresh process of its
// own, over three rounds of fresh processes (the ratio is the median of each round's
// own); and the memory each API client takes (in a process of their own).
import { DEFAULT_FIRST_CHECKS_PER_SECOND, firstCheckSpacingMs } from 'storj-monitor-rx';
import { BOUNDED_YOUNG_GENERATION, median, memoryPerSource, sleep, startPeer, type Peer } from './support.js';

export interface IdleResult {
  /** The median over the rounds, as are the other CPU figures but the ratios. */
  cpu_ms_per_min: number;
  /** Ours' process before any source existed (a 15 s window): its own idle cost. */
  empty_process_cpu_ms_per_min: number;
  /** A bare loop doing the same checks through cross-fetch with the same agents, plus the silent log sockets (bench/peer.ts), in the same window. */
  baseline_cpu_ms_per_min: number;
  /** The median over the rounds of ours' CPU over the bare loop's in the same window. */
  cpu_ratio: number;
  /** Each round's ratio, in the order they ran. */
  cpu_ratios: number[];
  /** CPU per health check: the window's CPU (log sources' included, nearly nothing) over the checks in it. */
  cpu_us_per_check: number;
  baseline_cpu_us_per_check: number;
  /**
   * Resident-set growth per connected API client, all started at once, in a process of
   * their own (bench/peer.ts 'sources') whose young generation is bounded
   * (support's BOUNDED_YOUNG_GENERATION), after garbage collection: what the target is
   * checked on.
   */
  bounded_bytes_per_api_client: number;
  /** The same for a bare keep-alive agent that fetched the dashboard once through cross-fetch (bench/peer.ts 'bare-api'). */
  bounded_baseline_bytes_per_api_client: number;
  /** As `bounded_bytes_per_api_client`, V8's defaults: up to 32 KB of it is the young generation's resident pages. */
  bytes_per_api_client: number;
  /** Of which V8 heap. */
  heap_bytes_per_api_client: number;
  /** The same for a bare keep-alive agent that fetched the dashboard once through cross-fetch (bench/peer.ts 'bare-api'). */
  baseline_bytes_per_api_client: number;
  baseline_heap_bytes_per_api_client: number;
  /** The same four, the clients (or agents) started 50 at a time, each batch connected first: what one more client holds, without the transient of all first requests at once. */
  steady_bytes_per_api_client: number;
  steady_heap_bytes_per_api_client: number;
  steady_baseline_bytes_per_api_client: number;
  steady_baseline_heap_bytes_per_api_client: number;
  /**
   * What one more client costs: the growth with twice as many clients (all at once) less
   * the growth with `sources / 2`, over the clients added. The figures above divide the
   * whole growth by the clients, so they also charge them the process's one-off costs
   * (the code compiled for them, the heap's own growth).
   */
  marginal_bytes_per_api_client: number;
  marginal_heap_bytes_per_api_client: number;
  marginal_baseline_bytes_per_api_client: number;
  marginal_baseline_heap_bytes_per_api_client: number;
  interval_s: number;
  /** The first checks went out one every this many ms, ours and the bare loop's (`createMonitor`'s default pace). */
  first_check_spacing_ms: number;
  sources: number;
  measured_s: number;
}

/**
 * Rounds of checks before the CPU window. After one round (the window this benchmark
 * used to start after) TurboFan was still compiling the check's code for the first time
 * in both processes: `--trace-opt` counted 146, 100, 39 and 7 compilations in the bare
 * loop's first four 30 s rounds (ours 200, 106, 51, 87, then 33, 10), and the bare loop
 * read 383 to 397 µs per check over the 90 s after one round and 224 to 235 over the 90 s
 * after that, in the same processes (README, Performance).
 */
const WARM_UP_ROUNDS = 3;
/** The least warm-up, whatever the interval: the memory reducer acts on seconds of idling, not on rounds. */
const WARM_UP_MIN_MS = 90_000;

/** Clients started at a time for the steady memory figures. */
const STEADY_BATCH = 50;

/**
 * Rounds of the CPU figures, each with fresh processes: a process's idle CPU settles into
 * one of two modes and stays there (a fast one, and one with a full collection every few
 * seconds, each throwing away optimized code: README, Performance), ours' and the bare
 * loop's alike, so one round's ratio says as much about which mode each process fell
 * into as about the library.
 */
const CPU_ROUNDS = 3;

export async function runIdle(quick: boolean, intervalSeconds = 30): Promise<IdleResult> {
  const count = quick ? 100 : 1000;
  // Three rounds of checks at 30 s (nine at 10 s): the health checks' garbage and its collection are counted.
  const seconds = quick ? 5 : 90;
  const emptySeconds = quick ? 2 : 15;
  // As createMonitor starts a fleet's clients: their checks stay apart every interval after.
  const spacingMs = firstCheckSpacingMs(DEFAULT_FIRST_CHECKS_PER_SECOND);
  const rounds: IdleCpu[] = [];
  for (let round = 0; round < (quick ? 1 : CPU_ROUNDS); round++) rounds.push(await idleCpu(quick, count, seconds, emptySeconds, intervalSeconds, spacingMs));
  const used = rounds.map((round) => round.used);
  const baseline = rounds.map((round) => round.baseline);
  const usedMs = median(used);
  const baselineMs = median(baseline);
  const boundedPerClient = await memoryPerSource('api', count, count, BOUNDED_YOUNG_GENERATION);
  const boundedPerBareClient = await memoryPerSource('bare-api', count, count, BOUNDED_YOUNG_GENERATION);
  const perClient = await memoryPerSource('api', count);
  const perBareClient = await memoryPerSource('bare-api', count);
  const steadyPerClient = await memoryPerSource('api', count, STEADY_BATCH);
  const steadyPerBareClient = await memoryPerSource('bare-api', count, STEADY_BATCH);
  const marginal = (once: { rss: number; heap: number }, twice: { rss: number; heap: number }): { rss: number; heap: number } => ({
    rss: 2 * twice.rss - once.rss,
    heap: 2 * twice.heap - once.heap,
  });
  const perMoreClient = marginal(perClient, await memoryPerSource('api', 2 * count));
  const perMoreBareClient = marginal(perBareClient, await memoryPerSource('bare-api', 2 * count));
  const perMinute = (ms: number, windowSeconds: number): number => Math.round((ms * 60) / windowSeconds);
  const checks = (count * seconds) / intervalSeconds;
  const ratios = used.map((ms, round) => ms / (baseline[round] ?? Number.NaN));
  return {
    cpu_ms_per_min: perMinute(usedMs, seconds),
    empty_process_cpu_ms_per_min: perMinute(median(rounds.map((round) => round.empty)), emptySeconds),
    baseline_cpu_ms_per_min: perMinute(baselineMs, seconds),
    cpu_ratio: median(ratios),
    cpu_ratios: ratios.map((ratio) => Math.round(ratio * 100) / 100),
    cpu_us_per_check: Math.round((usedMs * 1000) / checks),
    baseline_cpu_us_per_check: Math.round((baselineMs * 1000) / checks),
    bounded_bytes_per_api_client: boundedPerClient.rss,
    bounded_baseline_bytes_per_api_client: boundedPerBareClient.rss,
    bytes_per_api_client: perClient.rss,
    heap_bytes_per_api_client: perClient.heap,
    baseline_bytes_per_api_client: perBareClient.rss,
    baseline_heap_bytes_per_api_client: perBareClient.heap,
    steady_bytes_per_api_client: steadyPerClient.rss,
    steady_heap_bytes_per_api_client: steadyPerClient.heap,
    steady_baseline_bytes_per_api_client: steadyPerBareClient.rss,
    steady_baseline_heap_bytes_per_api_client: steadyPerBareClient.heap,
    marginal_bytes_per_api_client: perMoreClient.rss,
    marginal_heap_bytes_per_api_client: perMoreClient.heap,
    marginal_baseline_bytes_per_api_client: perMoreBareClient.rss,
    marginal_baseline_heap_bytes_per_api_client: perMoreBareClient.heap,
    interval_s: intervalSeconds,
    first_check_spacing_ms: spacingMs,
    sources: count * 2,
    measured_s: seconds,
  };
}

/** One round's CPU ms: ours, the bare loop's in the same window, ours' process before any source. */
interface IdleCpu {
  readonly empty: number;
  readonly used: number;
  readonly baseline: number;
}

/**
 * CPU ms of ours ('idle-ours') and of the bare loop ('idle-baseline') over the same
 * window, each in a fresh process of its own, and of ours' process before any source
 * (`empty`).
 */
async function idleCpu(quick: boolean, count: number, seconds: number, emptySeconds: number, intervalSeconds: number, spacingMs: number): Promise<IdleCpu> {
  const peer = await startPeer('idle');
  const sides: Peer[] = [];
  try {
    const options = { logPort: Number(peer.ready.logPort), apiPort: Number(peer.ready.apiPort), count, intervalMs: intervalSeconds * 1000, spacingMs };
    const ours = await startPeer('idle-ours', { ...options, emptySeconds });
    sides.push(ours);
    const baseline = await startPeer('idle-baseline', options);
    sides.push(baseline);
    // Nor is setting up 2,000 sources, nor V8's first tiering-up of the check's code:
    // WARM_UP_ROUNDS rounds of health checks pass before the window (at least
    // WARM_UP_MIN_MS), so the collection of the setup's garbage is over, the hot path is
    // optimized, and the window sees the steady state.
    await sleep(quick ? 1000 : Math.max(WARM_UP_ROUNDS * intervalSeconds * 1000, WARM_UP_MIN_MS));
    for (const side of sides) side.send({ type: 'measure', seconds });
    const [used, measured] = await Promise.all(sides.map((side) => side.next<{ cpu_ms: number }>('measured')));
    return { empty: Number(ours.ready.empty_cpu_ms), used: Number(used?.cpu_ms), baseline: Number(measured?.cpu_ms) };
  } finally {
    for (const side of sides) await side.stop();
    await peer.stop();
  }
}
