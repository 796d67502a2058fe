// A simulated storage node: a log forwarder speaking SPEC §3.1 and a node API speaking
// SPEC §3.3, with fault controls and an optional chaos timer, so the demo shows recovery.
import { createServer, type Server, type Socket } from 'node:net';
import { createSimulatedApi, type ApiFault, type SimulatedApi } from './node-api.js';
import { DEFAULT_LOG_SETTINGS, storageNodeLines, type LogSettings } from './log-lines.js';
import { apiFormat, LATEST, type ApiFormat } from './releases.js';

export interface SimulatedNodeOptions {
  readonly name: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly logPort?: number;
  readonly apiPort?: number;
  readonly linesPerSecond?: number;
  /** Break something now and then: restart the forwarder, make the API fail or hang. */
  readonly chaos?: boolean;
  readonly chaosIntervalMs?: number;
  /** The release whose log lines it writes, and the logger's settings. Defaults to the latest release's console lines. */
  readonly log?: LogSettings;
  /** The release whose API shapes it serves. Defaults to the latest (`apiFormat(LATEST)`). */
  readonly api?: ApiFormat;
}

export interface SimulatedNodeStatus {
  readonly name: string;
  readonly logPort: number;
  readonly apiPort: number;
  readonly forwarder: 'running' | 'stopped';
  readonly api: ApiFault;
  /** The release (and logger settings) its lines are written as, e.g. `v1.162 console`. */
  readonly logFormat: string;
  /** The release whose API shapes it serves. */
  readonly apiFormat: string;
}

export class SimulatedNode {
  private forwarder: Server | undefined;
  private readonly clients = new Set<Socket>();
  private readonly api: SimulatedApi;
  private readonly timers = new Set<NodeJS.Timeout>();
  private pendingLines = 0;
  private readonly logSettings: LogSettings;
  private readonly apiRelease: string;

  private constructor(
    private readonly options: SimulatedNodeOptions,
    public logPort: number,
    public apiPort: number,
  ) {
    const nodeId = `1${options.name.replace(/[^A-Za-z0-9]/g, '').padEnd(12, 'X')}SimuLatedNodeId${String(logPort).padStart(5, '0')}`;
    const api = options.api ?? apiFormat(LATEST);
    this.api = createSimulatedApi(nodeId, new Date(), api);
    this.apiRelease = api.release;
    this.logSettings = options.log ?? DEFAULT_LOG_SETTINGS;
  }

  static async start(options: SimulatedNodeOptions): Promise<SimulatedNode> {
    const node = new SimulatedNode(options, options.logPort ?? 0, options.apiPort ?? 0);
    await node.startForwarder();
    await listen(node.api.server, node.apiPort, node.host);
    node.apiPort = port(node.api.server);
    const rate = options.linesPerSecond ?? 20;
    node.timers.add(setInterval(() => node.emit(rate / 10), 100));
    if (options.chaos) node.timers.add(setInterval(() => void node.breakSomething(), options.chaosIntervalMs ?? 20_000));
    return node;
  }

  get name(): string {
    return this.options.name;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  status(): SimulatedNodeStatus {
    const { format, encoding, caller, noTime } = this.logSettings;
    return {
      name: this.name,
      logPort: this.logPort,
      apiPort: this.apiPort,
      forwarder: this.forwarder ? 'running' : 'stopped',
      api: this.api.fault,
      logFormat: [format.release, encoding, ...(caller ? ['caller'] : []), ...(noTime ? ['notime'] : [])].join(' '),
      apiFormat: this.apiRelease,
    };
  }

  /** Stops the forwarder like a restart does: clients see their connection closed. */
  async stopForwarder(): Promise<void> {
    const forwarder = this.forwarder;
    this.forwarder = undefined;
    if (!forwarder) return;
    for (const client of this.clients) client.end();
    await new Promise((resolve) => forwarder.close(resolve));
  }

  async startForwarder(): Promise<void> {
    if (this.forwarder) return;
    const forwarder = createServer((socket) => {
      this.clients.add(socket);
      socket.on('error', () => undefined);
      // The reference forwarder closes a client that sends anything.
      socket.on('data', () => socket.destroy());
      socket.on('close', () => this.clients.delete(socket));
    });
    await listen(forwarder, this.logPort, this.host);
    this.logPort = port(forwarder);
    this.forwarder = forwarder;
  }

  setApiFault(fault: ApiFault): void {
    this.api.fault = fault;
    if (fault !== 'hang') this.api.server.closeIdleConnections();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.stopForwarder();
    for (const client of this.clients) client.destroy();
    this.api.server.closeAllConnections();
    await new Promise((resolve) => this.api.server.close(resolve));
  }

  private emit(lines: number): void {
    this.pendingLines += lines;
    const count = Math.floor(this.pendingLines);
    this.pendingLines -= count;
    if (count === 0 || this.clients.size === 0) return;
    let text = '';
    for (let index = 0; index < count; index++) {
      const now = new Date();
      for (const line of storageNodeLines(now, Math.random, this.logSettings)) text += `${(now.getTime() / 1000).toFixed(6)} ${line}\n`;
    }
    for (const client of this.clients) client.write(text);
  }

  /** A one-off timer that close() cancels, forgotten once it has fired (chaos runs for days). */
  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }

  private async breakSomething(): Promise<void> {
    const roll = Math.random();
    if (roll < 0.4) {
      await this.stopForwarder();
      this.later(3000 + Math.random() * 5000, () => void this.startForwarder());
    } else {
      this.setApiFault(roll < 0.7 ? 'unavailable' : 'hang');
      this.later(8000 + Math.random() * 8000, () => this.setApiFault('ok'));
    }
  }
}

function listen(server: Server | import('node:http').Server, portNumber: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(portNumber, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function port(server: Server | import('node:http').Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
