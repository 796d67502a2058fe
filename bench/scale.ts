// 2. Scale: 10,000 nodes in one registry, all 20,000 sources changing state in one tick;
// one 10,000-node frame built and serialised; memory per connected idle TCP source.
import { ConnectionRegistry, initialApiClientStatus, initialLogReaderStatus, type ConnectionStatusFrame } from 'storj-monitor-rx';
import { cpuMs, median, memoryPerSource, settleGarbage, tick } from './support.js';

export interface ScaleResult {
  mass_transition_cpu_ms: number;
  mass_reconnect_cpu_ms: number;
  states_emissions: number;
  frame_build_ms: number;
  frame_stringify_ms: number;
  /** Resident-set growth per connected, silent log source (1,000 of them, in a process of their own). */
  bytes_per_connected_source: number;
  /** The V8 heap's share of it. */
  heap_bytes_per_connected_source: number;
}

async function massTransitions(nodes: number): Promise<{ disconnect: number; reconnect: number; emissions: number }> {
  const registry = new ConnectionRegistry();
  const sinks = Array.from({ length: nodes }, (_, index) => ({
    log: registry.track(`node${index}`, 'log_reader', initialLogReaderStatus('10.0.0.1', 9000 + (index % 1000))),
    api: registry.track(`node${index}`, 'api_client', initialApiClientStatus()),
  }));
  for (const { log, api } of sinks) {
    log({ type: 'connected', reconnectAttempts: 0 });
    api({ type: 'connected', reconnectAttempts: 0 });
  }
  let emissions = 0;
  const subscription = registry.states$.subscribe(() => emissions++);
  const before = emissions;
  const disconnect = await cpuMs(async () => {
    for (const { log, api } of sinks) {
      log({ type: 'failed', error: 'read ECONNRESET', reconnectAttempts: 1, retryInMs: 2000, retryAt: 2000 });
      api({ type: 'failed', error: 'fetch failed', reconnectAttempts: 1, retryInMs: 2000, retryAt: 2000 });
    }
    await tick();
  });
  const afterDisconnect = emissions - before;
  const reconnect = await cpuMs(async () => {
    for (const { log, api } of sinks) {
      log({ type: 'connected', reconnectAttempts: 0 });
      api({ type: 'connected', reconnectAttempts: 0 });
    }
    await tick();
  });
  subscription.unsubscribe();
  return { disconnect, reconnect, emissions: afterDisconnect };
}

function frameCosts(nodes: number, rounds: number): { build: number; stringify: number } {
  const registry = new ConnectionRegistry();
  for (let index = 0; index < nodes; index++) {
    registry.track(`node${index}`, 'log_reader', initialLogReaderStatus('10.0.0.1', 9001))({ type: 'connected', reconnectAttempts: 0 });
    registry.track(`node${index}`, 'api_client', initialApiClientStatus())({ type: 'request_succeeded', at: Date.now() });
  }
  const plain = JSON.parse(JSON.stringify(registry.snapshot())) as object;
  const build: number[] = [];
  const stringify: number[] = [];
  for (let round = 0; round < rounds; round++) {
    build.push(measureSync(() => JSON.stringify({ type: 'connection_status', states: registry.snapshot() } satisfies ConnectionStatusFrame)));
    stringify.push(measureSync(() => JSON.stringify({ type: 'connection_status', states: plain })));
  }
  return { build: median(build), stringify: median(stringify) };
}

function measureSync(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

export async function runScale(quick: boolean): Promise<ScaleResult> {
  const nodes = quick ? 2000 : 10_000;
  const perSource = await memoryPerSource('log', quick ? 200 : 1000);
  // The earlier benchmarks' garbage is not the transitions' to collect.
  await settleGarbage();
  // The first run warms the JIT; the median of the next seven is reported.
  await massTransitions(nodes);
  const runs = [];
  for (let run = 0; run < 7; run++) runs.push(await massTransitions(nodes));
  const frame = frameCosts(nodes, quick ? 5 : 15);
  return {
    mass_transition_cpu_ms: round(median(runs.map((run) => run.disconnect))),
    mass_reconnect_cpu_ms: round(median(runs.map((run) => run.reconnect))),
    states_emissions: Math.max(...runs.map((run) => run.emissions)),
    frame_build_ms: round(frame.build),
    frame_stringify_ms: round(frame.stringify),
    bytes_per_connected_source: perSource.rss,
    heap_bytes_per_connected_source: perSource.heap,
  };
}

const round = (value: number): number => Math.round(value * 100) / 100;
