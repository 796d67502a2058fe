// 6. The forwarder: lines/s from a growing file to a reading client, ours against `tail -F`
// piped to the socket (the reference forwarder's engine) in the same run, each in a
// process of its own; and the CPU each takes per 1,000 lines while the file grows at a
// storagenode's pace (50 lines/s, a busy node), one client connected.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageNodeLines } from '../examples/simulator/log-lines.js';
import { median, medianRatio, sleep, startPeer, type Peer } from './support.js';

export interface ForwarderResult {
  lines: number;
  lines_per_s: number;
  baseline_lines_per_s: number;
  /** Median of each round's ours / baseline. */
  ratio: number;
  cpu_ms_per_1000_lines: number;
  baseline_cpu_ms_per_1000_lines: number;
  pace_lines_per_s: number;
}

type Method = 'forwarder' | 'tail-forwarder';

/** Storagenode lines (~230 bytes), a few thousand distinct ones repeated. */
function lineBlock(distinct: number): Buffer {
  let seed = 11;
  const random = (): number => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
  const lines: string[] = [];
  for (let index = 0; lines.length < distinct; index++) {
    for (const line of storageNodeLines(new Date(1_759_735_252_000 + index * 37), random)) if (lines.length < distinct) lines.push(`${line}\n`);
  }
  return Buffer.from(lines.join(''));
}

/** A client that counts the lines it receives and resolves when `count` have come. */
function countingClient(port: number): Promise<{ socket: Socket; until: (count: number) => Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let received = 0;
  let waiting: { count: number; resolve: () => void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) received++;
    if (waiting && received >= waiting.count) waiting.resolve();
  });
  const until = (count: number): Promise<void> => (received >= count ? Promise.resolve() : new Promise((resolve) => (waiting = { count, resolve })));
  return new Promise((resolve) => socket.once('connect', () => resolve({ socket, until })));
}

/** A fresh empty log file, its forwarder (ours or the baseline) and a connected client. */
async function setUp(method: Method): Promise<{ file: string; peer: Peer; client: Awaited<ReturnType<typeof countingClient>>; done: () => Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'storj-bench-forwarder-'));
  const file = join(directory, 'node.log');
  closeSync(openSync(file, 'w'));
  const peer = await startPeer(method, { file });
  const client = await countingClient(Number(peer.ready.port));
  // Time for the accept (and for `tail` to start) before the file grows.
  await sleep(300);
  return {
    file,
    peer,
    client,
    done: async () => {
      client.socket.destroy();
      await peer.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function throughput(method: Method, block: Buffer, repeats: number, linesPerBlock: number): Promise<number> {
  const { file, client, done } = await setUp(method);
  try {
    const started = performance.now();
    const fd = openSync(file, 'a');
    for (let index = 0; index < repeats; index++) writeSync(fd, block);
    closeSync(fd);
    await client.until(repeats * linesPerBlock);
    return (repeats * linesPerBlock * 1000) / (performance.now() - started);
  } finally {
    await done();
  }
}

async function cpuAtPace(method: Method, lines: readonly Buffer[], linesPerSecond: number): Promise<number> {
  const { file, peer, client, done } = await setUp(method);
  const cpu = async (): Promise<number> => {
    const answer = peer.next<{ ms: number }>('cpu');
    peer.send({ type: 'cpu' });
    return (await answer).ms;
  };
  try {
    const before = await cpu();
    const fd = openSync(file, 'a');
    const perTick = linesPerSecond / 10;
    for (let written = 0; written < lines.length; written += perTick) {
      for (const line of lines.slice(written, written + perTick)) writeSync(fd, line);
      await sleep(100);
    }
    closeSync(fd);
    await client.until(lines.length);
    return ((await cpu()) - before) / (lines.length / 1000);
  } finally {
    await done();
  }
}

export async function runForwarder(quick: boolean): Promise<ForwarderResult> {
  const distinct = 5000;
  const block = lineBlock(distinct);
  const repeats = quick ? 1 : 100;
  const rounds = quick ? 1 : 5;
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order: Method[] = round % 2 === 0 ? ['forwarder', 'tail-forwarder'] : ['tail-forwarder', 'forwarder'];
    for (const method of order) (method === 'forwarder' ? ours : baseline).push(await throughput(method, block, repeats, distinct));
  }
  const paceLinesPerSecond = 50;
  const paced = block
    .toString()
    .split('\n')
    .slice(0, quick ? 50 : 1000)
    .map((line) => Buffer.from(`${line}\n`));
  const cpuOurs = await cpuAtPace('forwarder', paced, paceLinesPerSecond);
  const cpuBaseline = await cpuAtPace('tail-forwarder', paced, paceLinesPerSecond);
  return {
    lines: repeats * distinct,
    lines_per_s: median(ours),
    baseline_lines_per_s: median(baseline),
    ratio: medianRatio(ours, baseline),
    cpu_ms_per_1000_lines: cpuOurs,
    baseline_cpu_ms_per_1000_lines: cpuBaseline,
    pace_lines_per_s: paceLinesPerSecond,
  };
}
