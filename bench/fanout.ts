// 3. Fan-out: one 1,000-node frame to 1,000 ws clients (in a child process): server CPU
// per broadcast through serveFrames, against plain ws sending one stringified Buffer.
import { Subject } from 'rxjs';
import { ConnectionRegistry, initialApiClientStatus, initialLogReaderStatus, serveFrames, type ConnectionStatusFrame } from 'storj-monitor-rx';
import { WebSocketServer } from 'ws';
import { cpuMs, median, startPeer, type Peer } from './support.js';

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

/** CPU ms per broadcast: `broadcast()` K times, each time until every client has it. */
async function perBroadcast(peer: Peer, url: string, clients: number, rounds: number, broadcast: () => void): Promise<number> {
  peer.send({ type: 'connect', url, count: clients });
  await peer.next('connected');
  // Let the frame serveFrames sends on connect arrive before counting starts.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    peer.send({ type: 'expect', expect: clients });
    await peer.next('armed');
    samples.push(
      await cpuMs(async () => {
        broadcast();
        await peer.next('received');
      }),
    );
  }
  return median(samples);
}

export async function runFanout(quick: boolean): Promise<FanoutResult> {
  const clients = quick ? 100 : 1000;
  const rounds = quick ? 5 : 15;
  const frame = bigFrame(1000);
  const peer = await startPeer('ws-clients');
  const frames$ = new Subject<ConnectionStatusFrame>();
  const ours = await serveFrames({ frames$, frame: () => frame }, { port: 0, maxBufferedBytes: 64 * 1024 * 1024 });
  const plain = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => plain.once('listening', resolve));
  try {
    const baselineBroadcast = (): void => {
      const data = Buffer.from(JSON.stringify(frame));
      for (const client of plain.clients) client.send(data, { binary: false });
    };
    const ourBroadcast = (): void => frames$.next(frame);
    const oursUrl = `ws://127.0.0.1:${ours.port}/ws`;
    const plainUrl = `ws://127.0.0.1:${(plain.address() as { port: number }).port}`;
    const broadcast = await perBroadcast(peer, oursUrl, clients, rounds, ourBroadcast);
    const baseline = await perBroadcast(peer, plainUrl, clients, rounds, baselineBroadcast);
    return { broadcast_cpu_ms: Math.round(broadcast * 100) / 100, baseline_cpu_ms: Math.round(baseline * 100) / 100, clients };
  } finally {
    await peer.stop();
    await ours.close();
    for (const client of plain.clients) client.terminate();
    await new Promise((resolve) => plain.close(resolve));
  }
}
