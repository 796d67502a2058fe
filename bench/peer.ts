// The other end of a benchmark, in its own process: a log forwarder that writes a block
// of lines to each client ('sender'), silent forwarders and node APIs for idle cost
// ('idle'), the idle benchmark's library side ('idle-ours') and its bare cross-fetch
// baseline ('idle-baseline'), a crowd of
// WebSocket clients ('ws-clients'), our own log sources or API clients in a process of
// their own, for the memory they take ('sources'), our log forwarder on a file
// ('forwarder') and its baseline, `tail -F` piped to each client ('tail-forwarder').
import crossFetch from 'cross-fetch';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { storageNodeLines } from '../examples/simulator/log-lines.js';
import { allConnected, cpuMs, settleGarbage, sleep } from './support.js';

const [mode = '', rawOptions = '{}'] = process.argv.slice(2);
const options = JSON.parse(rawOptions) as Record<string, number | string>;
const send = (message: Record<string, unknown>): void => void process.send?.(message);
/** KeepAliveFetch's agent options (lib/sources/keep-alive-fetch.ts), for the bare baselines. */
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 4 } as const;
/** cross-fetch in Node is node-fetch, which takes an `agent`. */
const fetchWithAgent = crossFetch as unknown as (url: string, init: { headers: Record<string, string>; agent: Agent }) => Promise<Response>;

/** Realistic forwarder lines (~280 bytes), a few thousand distinct ones repeated. */
function lineBlock(distinct: number): Buffer {
  let seed = 7;
  const random = (): number => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
  const lines: string[] = [];
  for (let index = 0; lines.length < distinct; index++) {
    const at = new Date(1_759_735_252_000 + index * 37);
    // The latest release's lines; an event storj logs as two lines gives both.
    for (const line of storageNodeLines(at, random)) if (lines.length < distinct) lines.push(`${(at.getTime() / 1000).toFixed(6)} ${line}\n`);
  }
  return Buffer.from(lines.join(''));
}

async function writeAll(socket: Socket, block: Buffer, repeats: number): Promise<void> {
  for (let index = 0; index < repeats && !socket.destroyed; index++) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
}

if (mode === 'sender') {
  const distinct = 10_000;
  const block = lineBlock(distinct);
  const repeats = Math.ceil(Number(options.lines) / distinct);
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    void writeAll(socket, block, repeats);
  });
  server.listen(0, '127.0.0.1', () => {
    send({ type: 'ready', port: (server.address() as { port: number }).port, bytesPerLine: block.length / distinct, linesPerConnection: repeats * distinct });
  });
} else if (mode === 'idle') {
  const sockets: Socket[] = [];
  const forwarder = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.splice(sockets.indexOf(socket), 1));
  });
  const api = createHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"nodeID":"1IdlePeerXXXXXXXXXXXXXXXXXXXXXXXX","satellites":[]}');
  });
  // Like the node's Go server, which keeps idle connections open (Node's default closes them after 5 s).
  api.keepAliveTimeout = 120_000;
  let listening = 0;
  const ready = (): void => {
    if (++listening < 2) return;
    send({ type: 'ready', logPort: (forwarder.address() as { port: number }).port, apiPort: (api.address() as { port: number }).port });
  };
  forwarder.listen(0, '127.0.0.1', 4096, ready);
  api.listen(0, '127.0.0.1', 4096, ready);
  // With linesPerSecond, every forwarder connection gets that many realistic lines each second (the fleet benchmark).
  const linesPerSecond = Number(options.linesPerSecond ?? 0);
  if (linesPerSecond > 0) {
    const block = lineBlock(linesPerSecond);
    setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed && socket.writableLength < block.length * 4) socket.write(block);
    }, 1000);
  }
} else if (mode === 'idle-baseline') {
  // A bare loop doing the library's idle work the plainest way: per node one silent socket
  // to the forwarder, and a `cross-fetch` of the dashboard every interval through a
  // keep-alive agent of its own with KeepAliveFetch's options (lib/sources/keep-alive-fetch.ts),
  // the body read with `json()` and its nodeID checked: no timeouts, no redirects of its
  // own, no body limit, no state. The first checks one every `spacingMs`, as the library's
  // in the same benchmark. Its CPU is measured on request, in the same window as the
  // library's.
  const count = Number(options.count);
  const intervalMs = Number(options.intervalMs);
  const spacingMs = Number(options.spacingMs ?? 0);
  const url = `http://127.0.0.1:${options.apiPort}/api/sno/`;
  let healthy = 0;
  const check = async (agent: Agent): Promise<boolean> => {
    const response = await fetchWithAgent(url, { headers: { accept: 'application/json' }, agent });
    return typeof ((await response.json()) as { nodeID?: unknown }).nodeID === 'string';
  };
  for (let index = 0; index < count; index++) {
    connect(Number(options.logPort), '127.0.0.1')
      .setKeepAlive(true, 10_000)
      .on('error', () => undefined);
    const agent = new Agent(AGENT_OPTIONS);
    setTimeout(() => {
      void check(agent).then((ok) => ok && ++healthy === count && send({ type: 'ready' }));
      setInterval(() => void check(agent), intervalMs);
    }, index * spacingMs);
  }
  measureOnRequest();
} else if (mode === 'idle-ours') {
  // The library's side of the idle benchmark, in a fresh process like the bare loop's: in
  // the bench process, after the memory figures' child processes, ours ran in the slow
  // mode (frequent full collections, each throwing away optimized code: README,
  // Performance) in 6 of 10 windows. Its own empty cost first (`emptySeconds`), then
  // `count` silent log sources and API clients, their first checks `spacingMs` apart.
  const { ConnectionRegistry, NodeApiClient, tcpLogSource } = await import('storj-monitor-rx');
  const emptyMs = await cpuMs(() => sleep(Number(options.emptySeconds) * 1000));
  const count = Number(options.count);
  const spacingMs = Number(options.spacingMs ?? 0);
  const registry = new ConnectionRegistry();
  for (let index = 0; index < count; index++) tcpLogSource({ node: `node${index}`, host: '127.0.0.1', port: Number(options.logPort), registry }).subscribe();
  for (let index = 0; index < count; index++) {
    new NodeApiClient({
      node: `node${index}`,
      url: `http://127.0.0.1:${Number(options.apiPort)}`,
      registry,
      healthCheckIntervalMs: Number(options.intervalMs),
    }).start({ firstCheckDelayMs: index * spacingMs });
  }
  await allConnected(registry, ['log_reader', 'api_client']);
  send({ type: 'ready', empty_cpu_ms: emptyMs });
  measureOnRequest();
} else if (mode === 'ws-clients') {
  // One crowd per server, all in this one process, so that every server's frames are read
  // by the same process on the same core: a broadcast's cost depends on how fast the
  // other end reads.
  interface Crowd {
    received: number;
    target: number;
  }
  const crowds = new Map<string, Crowd>();
  process.on('message', (message: { type: string; url?: string; count?: number; expect?: number }) => {
    const url = message.url ?? '';
    if (message.type === 'connect') {
      const crowd: Crowd = { received: 0, target: Number.POSITIVE_INFINITY };
      crowds.set(url, crowd);
      let open = 0;
      for (let index = 0; index < (message.count ?? 0); index++) {
        const client = new WebSocket(url);
        client.on('open', () => ++open === message.count && send({ type: 'connected', url }));
        client.on('message', () => {
          if (++crowd.received >= crowd.target) {
            crowd.target = Number.POSITIVE_INFINITY;
            send({ type: 'received', url });
          }
        });
        client.on('error', () => undefined);
      }
    } else if (message.type === 'expect') {
      const crowd = crowds.get(url);
      if (!crowd) throw new Error(`no crowd connected to ${url}`);
      crowd.received = 0;
      crowd.target = message.expect ?? 0;
      send({ type: 'armed', url });
    }
  });
  send({ type: 'ready' });
} else if (mode === 'sources') {
  // Alone in this process, so that no other benchmark's heap or freed memory moves the
  // resident set: its growth per connected, silent log source (kind 'log') or per API
  // client checking a node (kind 'api'), after garbage collection. With `batch`, they
  // start that many at a time, each batch connected before the next: what one more source
  // holds, without the buffers of a thousand first requests at once, which the allocator
  // keeps as resident memory after they are freed.
  const { ConnectionRegistry, NodeApiClient, tcpLogSource } = await import('storj-monitor-rx');
  // Kind 'bare-api' is the baseline of 'api': per node a keep-alive agent with KeepAliveFetch's
  // options that has done one `cross-fetch` of the dashboard, its connection kept open.
  const count = Number(options.count);
  const batch = Number(options.batch ?? count);
  const kind = String(options.kind);
  await settleGarbage();
  const before = process.memoryUsage();
  const registry = new ConnectionRegistry();
  const url = `http://127.0.0.1:${Number(options.port)}`;
  const agents: Agent[] = [];
  for (let first = 0; first < count; first += batch) {
    const last = Math.min(count, first + batch);
    if (kind === 'bare-api') {
      const started = agents.length;
      for (let index = first; index < last; index++) agents.push(new Agent(AGENT_OPTIONS));
      await Promise.all(
        agents
          .slice(started)
          .map(async (agent): Promise<unknown> => (await fetchWithAgent(`${url}/api/sno/`, { headers: { accept: 'application/json' }, agent })).json()),
      );
    } else {
      for (let index = first; index < last; index++) {
        if (kind === 'api') new NodeApiClient({ node: `node${index}`, url, registry }).start();
        else tcpLogSource({ node: `node${index}`, host: '127.0.0.1', port: Number(options.port), registry }).subscribe();
      }
      // Every source is in the map from its creation, so all of them connected is all started so far.
      await allConnected(registry, [kind === 'api' ? 'api_client' : 'log_reader']);
    }
  }
  await settleGarbage();
  const after = process.memoryUsage();
  send({ type: 'ready', rssBytes: (after.rss - before.rss) / count, heapBytes: (after.heapUsed - before.heapUsed) / count });
  // The agents stay referenced until measured (nothing else holds them).
  agents.length = 0;
} else if (mode === 'forwarder') {
  // Our forwarder on options.file; `cpu` asks for this process's CPU time so far.
  const { startForwarder } = await import('storj-monitor-rx/forwarder');
  const forwarder = await startForwarder({ file: String(options.file), port: 0 });
  answerCpu(() => 0);
  send({ type: 'ready', port: forwarder.port });
} else if (mode === 'tail-forwarder') {
  // The baseline: `tail -F` piped to each client's socket, what the reference forwarder
  // does without its Python queue. `cpu` counts the tail processes too.
  const tails = new Set<number>();
  const server = createServer((socket) => {
    const tail = spawn('tail', ['-F', '-n', '+1', String(options.file)], { stdio: ['ignore', 'pipe', 'ignore'] });
    if (tail.pid !== undefined) tails.add(tail.pid);
    tail.stdout.pipe(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => tail.kill());
  });
  answerCpu(() => [...tails].reduce((sum, pid) => sum + processCpuMs(pid), 0));
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as { port: number }).port }));
} else {
  throw new Error(`unknown peer mode ${mode}`);
}

/** Answers `{ type: 'cpu' }` with this process's CPU ms (user + system) plus `others()`. */
function answerCpu(others: () => number): void {
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'cpu') return;
    const used = process.cpuUsage();
    send({ type: 'cpu', ms: (used.user + used.system) / 1000 + others() });
  });
}

/** CPU ms of another process, from /proc (utime + stime, in clock ticks of 10 ms on Linux). */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** On each `measure` message, this process's CPU ms over the next `seconds`, sent as `measured`. */
function measureOnRequest(): void {
  process.on('message', (message: { type: string; seconds?: number }) => {
    if (message.type !== 'measure') return;
    void cpuMs(() => sleep((message.seconds ?? 0) * 1000)).then((ms) => send({ type: 'measured', cpu_ms: ms }));
  });
}
