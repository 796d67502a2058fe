// 3. Fan-out: one 1,000-node frame to 1,000 ws clients (in a child process): server CPU
// per broadcast through serveFrames, against plain ws sending one stringified Buffer.
import { Subject } from 'rxjs';
import { ConnectionRegistry, initialApiClientStatus, initialLogReaderStatus, serveFrames, type ConnectionStatusFrame } from 'storj-monitor-rx';
import { WebSocketServer } from 'ws';
import { collectGarbage, cpuMs, median, startPeer, type Peer } from './support.js';

export interface FanoutResult {
  broadcast_cpu_ms: number;
  baseline_cpu_ms: number;
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

/** One crowd of clients in a child process, connected to `url`. */
async function crowd(url: string, clients: number): Promise<Peer> {
  const peer = await startPeer('ws-clients');
  peer.send({ type: 'connect', url, count: clients });
  await peer.next('connected');
  return peer;
}

/** CPU ms of one broadcast: from `broadcast()` until every client of the crowd has it. */
async function oneBroadcast(peer: Peer, clients: number, broadcast: () => void): Promise<number> {
  peer.send({ type: 'expect', expect: clients });
  await peer.next('armed');
  return cpuMs(async () => {
    broadcast();
    await peer.next('received');
  });
}

export async function runFanout(quick: boolean): Promise<FanoutResult> {
  const clients = quick ? 100 : 1000;
  const rounds = quick ? 5 : 15;
  const frame = bigFrame(1000);
  const frames$ = new Subject<ConnectionStatusFrame>();
  const ours = await serveFrames({ frames$, frame: () => frame }, { port: 0, maxBufferedBytes: 64 * 1024 * 1024 });
  const plain = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => plain.once('listening', resolve));
  const crowds: Peer[] = [];
  try {
    const baselineBroadcast = (): void => {
      const data = Buffer.from(JSON.stringify(frame));
      for (const client of plain.clients) client.send(data, { binary: false });
    };
    const ourBroadcast = (): void => frames$.next(frame);
    const oursCrowd = await crowd(`ws://127.0.0.1:${ours.port}/ws`, clients);
    crowds.push(oursCrowd);
    const plainCrowd = await crowd(`ws://127.0.0.1:${(plain.address() as { port: number }).port}`, clients);
    crowds.push(plainCrowd);
    // The previous benchmark's garbage is not ours to collect (a GC now, its concurrent
    // sweeping over before counting starts), and the frame serveFrames sends on connect arrives.
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const broadcasts: number[] = [];
    const baselines: number[] = [];
    // Interleaved, so a noisy moment of the machine is shared by both, and in turns first,
    // so neither always runs just after the other (and pays for its leftovers).
    for (let round = 0; round < rounds; round++) {
      const oursFirst = round % 2 === 0;
      if (oursFirst) broadcasts.push(await oneBroadcast(oursCrowd, clients, ourBroadcast));
      baselines.push(await oneBroadcast(plainCrowd, clients, baselineBroadcast));
      if (!oursFirst) broadcasts.push(await oneBroadcast(oursCrowd, clients, ourBroadcast));
    }
    const rounded = (ms: number): number => Math.round(ms * 100) / 100;
    return { broadcast_cpu_ms: rounded(median(broadcasts)), baseline_cpu_ms: rounded(median(baselines)), clients };
  } finally {
    for (const peer of crowds) await peer.stop();
    await ours.close();
    for (const client of plain.clients) client.terminate();
    await new Promise((resolve) => plain.close(resolve));
  }
}
