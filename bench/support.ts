// Shared bits of the benchmarks: statistics, CPU and wall clocks, child-process peers.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Component, ConnectionRegistry } from 'storj-monitor-rx';

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * The median over rounds of `numerators[round] / denominators[round]`: two methods run
 * seconds apart in each round, so their ratio is steadier than the ratio of their medians
 * on a machine whose speed moves within seconds.
 */
export function medianRatio(numerators: readonly number[], denominators: readonly number[]): number {
  return median(numerators.map((value, round) => value / (denominators[round] ?? Number.NaN)));
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** CPU time (user + system) this process spent running `work`, in ms. */
export async function cpuMs(work: () => Promise<void> | void): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once every node of `registry` has each of `components` connected (polled every 20 ms). */
export async function allConnected(registry: ConnectionRegistry, components: readonly Component[]): Promise<void> {
  const up = (): boolean => Object.values(registry.snapshot()).every((node) => components.every((component) => node[component]?.state === 'connected'));
  while (!up()) await sleep(20);
}

/** Three full collections with a tick after each, so that what they free (and its finalizers) is gone. */
export async function settleGarbage(): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    collectGarbage();
    await tick();
  }
}

/** A peer in a child process (bench/peer.ts), so its work is not counted as ours. */
export interface Peer {
  readonly child: ChildProcess;
  /** What the peer said when it was ready (its ports, for instance). */
  readonly ready: Record<string, unknown>;
  /** The next message of this type from the peer. */
  next<T extends Record<string, unknown>>(type: string): Promise<T>;
  send(message: Record<string, unknown>): void;
  stop(): Promise<void>;
}

/** `nodeFlags` go to the peer's node (V8 flags, for instance) besides `--expose-gc`. */
export async function startPeer(mode: string, options: Record<string, unknown> = {}, nodeFlags: readonly string[] = []): Promise<Peer> {
  // Compiled (npm run bench) the peer is peer.js under plain node; from source, peer.ts under tsx.
  const compiled = import.meta.url.endsWith('.js');
  const child = fork(join(import.meta.dirname, compiled ? 'peer.js' : 'peer.ts'), [mode, JSON.stringify(options)], {
    execArgv: [...(compiled ? [] : ['--import', 'tsx']), '--expose-gc', ...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: Array<Record<string, unknown>> = [];
  const waiters: Array<{ type: string; resolve: (message: Record<string, unknown>) => void }> = [];
  child.on('message', (message: Record<string, unknown>) => {
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index === -1) queue.push(message);
    else waiters.splice(index, 1)[0]?.resolve(message);
  });
  const peer: Omit<Peer, 'ready'> = {
    child,
    next: <T extends Record<string, unknown>>(type: string) =>
      new Promise<T>((resolve) => {
        const index = queue.findIndex((message) => message.type === type);
        if (index !== -1) resolve(queue.splice(index, 1)[0] as T);
        else waiters.push({ type, resolve: resolve as (message: Record<string, unknown>) => void });
      }),
    send: (message) => child.send(message),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
  return { ...peer, ready: await peer.next('ready') };
}

/**
 * RSS and heap (with off-heap) growth per connected source, measured in a process of
 * their own (bench/peer.ts 'sources'): silent `tcpLogSource`s ('log') or `NodeApiClient`s
 * checking a node ('api'), or bare keep-alive agents that fetched it once through
 * cross-fetch ('bare-api', the baseline of 'api'), against the loopback peers of the idle benchmark.
 * `batch` starts them that many at a time (each batch connected first); by default all at once.
 * `nodeFlags` go to the measured process's node ({@link BOUNDED_YOUNG_GENERATION}).
 */
export async function memoryPerSource(
  kind: 'log' | 'api' | 'bare-api',
  count: number,
  batch = count,
  nodeFlags: readonly string[] = [],
): Promise<{ rss: number; heap: number }> {
  const peer = await startPeer('idle');
  try {
    const sources = await startPeer('sources', { kind, port: Number(kind === 'log' ? peer.ready.logPort : peer.ready.apiPort), count, batch }, nodeFlags);
    await sources.stop();
    return { rss: Math.round(Number(sources.ready.rssBytes)), heap: Math.round(Number(sources.ready.heapBytes)) };
  } finally {
    await peer.stop();
  }
}

/**
 * V8 grows its young generation to two 16 MB semi-spaces once a process allocates fast
 * (a thousand clients' first requests) and keeps them after the garbage is collected;
 * how much of those 32 MB is resident then depends on how much garbage went through them,
 * not on what the sources hold, and is up to 32 KB per source of a thousand. With 1 MB
 * semi-spaces (this flag) the resident set's growth is what the sources keep.
 */
export const BOUNDED_YOUNG_GENERATION = ['--max-semi-space-size=1'] as const;
