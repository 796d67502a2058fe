// 3. Fan-out: one 1,000-node frame to 1,000 ws clients (in a child process): server CPU
// per broadcast through serveFrames, against plain ws sending one stringified Buffer.
import { Subject } from 'rxjs';
import { ConnectionRegistry, initialApiClientStatus, initialLogReaderStatus, serveFrames, type ConnectionStatusFrame } from 'storj-monitor-rx';
import { WebSocketServer } from 'ws';
import { collectGarbage, cpuMs, median, medianRatio, sleep, startPeer, type Peer } from './support.js';

export interface FanoutResult {
  broadcast_cpu_ms: number;
  baseline_cpu_ms: number;
  /** Ours over the baseline: the median of each round's own ratio. */
  ratio: number;
  clients: number;
}

function bigFrame(nodes: number): ConnectionStatusFrame {
  const registry = new ConnectionRegistry();
  for (let index = 0; index < nodes; index++) {
    registry.track(`node${index}`, 'log_reader', initialLogReaderStatus('10.0.0.1', 9001))({ type: 'connected', reconnectAttempts: 0 });
    registry.track(`node${index}`, 'api_client', initialApiClientStatus())({ type: 'request_succeeded', at: Date.now() });
  }
  return { type: 'connection_status', states: registry.snapshot() };
}

/** CPU ms of one broadcast: from `broadcast()` until every client of the crowd at `url` has it. */
async function oneBroadcast(peer: Peer, url: string, clients: number, broadcast: () => void): Promise<number> {
  peer.send({ type: 'expect', url, expect: clients });
  await peer.next('armed');
  return cpuMs(async () => {
    broadcast();
    await peer.next('received');
  });
}

export async function runFanout(quick: boolean): Promise<FanoutResult> {
  const clients = quick ? 100 : 1000;
  const rounds = quick ? 5 : 31;
  const frame = bigFrame(1000);
  const frames$ = new Subject<ConnectionStatusFrame>();
  const ours = await serveFrames({ frames$, frame: () => frame }, { port: 0, maxBufferedBytes: 64 * 1024 * 1024 });
  const plain = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => plain.once('listening', resolve));
  // Both crowds in one child process (bench/peer.ts), so both servers' frames are read alike.
  const crowds = await startPeer('ws-clients');
  try {
    const baselineBroadcast = (): void => {
      const data = Buffer.from(JSON.stringify(frame));
      for (const client of plain.clients) client.send(data, { binary: false });
    };
    const ourBroadcast = (): void => frames$.next(frame);
    const oursUrl = `ws://127.0.0.1:${ours.port}/ws`;
    const plainUrl = `ws://127.0.0.1:${(plain.address() as { port: number }).port}`;
    for (const url of [oursUrl, plainUrl]) {
      crowds.send({ type: 'connect', url, count: clients });
      await crowds.next('connected');
    }
    // The previous benchmark's garbage is not ours to collect (a GC now, its concurrent
    // sweeping over before counting starts), and the frame serveFrames sends on connect arrives.
    collectGarbage();
    await sleep(500);
    const broadcasts: number[] = [];
    const baselines: number[] = [];
    // Interleaved, so a noisy moment of the machine is shared by both, and in turns first,
    // so neither always runs just after the other (and pays for its leftovers).
    for (let round = 0; round < rounds; round++) {
      const oursFirst = round % 2 === 0;
      if (oursFirst) broadcasts.push(await oneBroadcast(crowds, oursUrl, clients, ourBroadcast));
      baselines.push(await oneBroadcast(crowds, plainUrl, clients, baselineBroadcast));
      if (!oursFirst) broadcasts.push(await oneBroadcast(crowds, oursUrl, clients, ourBroadcast));
    }
    const rounded = (ms: number): number => Math.round(ms * 100) / 100;
    return { broadcast_cpu_ms: rounded(median(broadcasts)), baseline_cpu_ms: rounded(median(baselines)), ratio: medianRatio(broadcasts, baselines), clients };
  } finally {
    await crowds.stop();
    await ours.close();
    for (const client of plain.clients) client.terminate();
    await new Promise((resolve) => plain.close(resolve));
  }
}
