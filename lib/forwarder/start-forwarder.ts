import createDebug from 'debug';
import { createServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_MAX_LINE_BYTES } from '../log-lines/line-framer.js';
import { requireInteger, requireText } from '../validate.js';
import { ForwarderClient } from './forwarder-client.js';
import { LogFileTailer } from './log-file-tailer.js';

const info = createDebug('storj-monitor:forwarder');
const warn = createDebug('storj-monitor:forwarder:warn');

/** Options of {@link startForwarder}; all but `file` have defaults. */
export interface ForwarderOptions {
  /** The storagenode's log file. */
  readonly file: string;
  /** Defaults to `127.0.0.1` (SPEC §8); `0.0.0.0` to serve monitors on other machines. */
  readonly host?: string;
  /** 0 picks a free port (read it back from the result). Defaults to 9001. */
  readonly port?: number;
  /**
   * Where the forwarder keeps the history of the files it followed, so that after a
   * restart (graceful or `kill -9`) resuming clients continue where they were. Without
   * it, the history lives in memory and a restart is a gap for them.
   */
  readonly stateDir?: string;
  /** How often the file is looked at (growth, rotation), in ms. Defaults to 250. */
  readonly pollIntervalMs?: number;
  /** Rotated files kept in the history (the replay window, as far as they are still on disk). Defaults to 16. */
  readonly maxSegments?: number;
  /** Longer lines are skipped with a warning. Defaults to 1048576 (1 MiB), as the monitor's `maxLineBytes`. */
  readonly maxLineBytes?: number;
  /** More clients than this are closed at once. Defaults to 64. */
  readonly maxClients?: number;
  /** The clock of the lines' `<unix_ts>`, in ms. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** A running forwarder. */
export interface RunningForwarder {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening, closes every client and the file, and saves the history. */
  close(): Promise<void>;
}

/**
 * Starts a log forwarder beside a storagenode: it follows the node's log file for as
 * long as it runs (rotation by rename and by `copytruncate`, also while it was down),
 * and serves it over TCP. Plain clients (the reference monitor, `nc`) get SPEC §3.1 as
 * the reference forwarder sends it: they send nothing and get `<unix_ts> <line>` for
 * every line from the moment they connect, each line's bytes unchanged. Clients that
 * ask to resume (`tcpLogSource({ resume: true })`) get every line after the last one
 * they received, from the files on disk. Bad options throw a `RangeError` naming the
 * option. Warnings go to `storj-monitor:forwarder:warn`.
 *
 * @example
 * ```ts
 * import { startForwarder } from 'storj-monitor-rx/forwarder';
 *
 * const forwarder = await startForwarder({ file: '/var/log/storj/node.log', host: '0.0.0.0', stateDir: '/var/lib/storj-forwarder' });
 * process.once('SIGTERM', () => void forwarder.close());
 * ```
 */
export async function startForwarder(options: ForwarderOptions): Promise<RunningForwarder> {
  const file = resolve(requireText('file', options.file));
  const host = requireText('host', options.host ?? '127.0.0.1');
  const port = requireInteger('port', options.port ?? 9001, 0, 65_535);
  const stateDir = options.stateDir === undefined ? undefined : resolve(requireText('stateDir', options.stateDir));
  const pollIntervalMs = requireInteger('pollIntervalMs', options.pollIntervalMs ?? 250, 1);
  const maxSegments = requireInteger('maxSegments', options.maxSegments ?? 16, 2);
  const maxLineBytes = requireInteger('maxLineBytes', options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, 1);
  const maxClients = requireInteger('maxClients', options.maxClients ?? 64, 1);
  const now = options.now ?? Date.now;
  const onNotice = (message: string): void => warn('%s', message);

  const tailer = await LogFileTailer.start({ file, ...(stateDir !== undefined && { stateDir }), pollIntervalMs, maxSegments, saveIntervalMs: 1000, onNotice });
  const clients = new Set<Socket>();
  const server = createServer((socket) => {
    if (clients.size >= maxClients) {
      onNotice(`refused a client: already ${maxClients} (maxClients)`);
      socket.destroy();
      return;
    }
    clients.add(socket);
    socket.setKeepAlive(true, 10_000);
    socket.once('close', () => clients.delete(socket));
    info('client connected: %s:%d (%d connected)', socket.remoteAddress, socket.remotePort, clients.size);
    new ForwarderClient(socket, { tailer, maxLineBytes, now, onNotice });
  });
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (error) {
    await tailer.close();
    throw error;
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  info('forwarding %s on %s:%d', file, host, boundPort);

  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        for (const socket of clients) socket.end();
        await tailer.close();
        for (const socket of clients) socket.destroy();
        await closed;
      })()),
  };
}
