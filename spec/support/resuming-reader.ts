import { ConnectionRegistry, tcpLogSource, type LogReaderStatus, type TcpLogSourceOptions } from '../../lib/index.js';
import { eventually } from './wait.js';

/** A `tcpLogSource({ resume: true })` under test: the lines it handed on, its status, and a way to stop it. */
export function resumingReader(options: Omit<TcpLogSourceOptions, 'node' | 'host' | 'registry' | 'resume'>) {
  const registry = new ConnectionRegistry();
  const lines: string[] = [];
  const subscription = tcpLogSource({ node: 'node1', host: '127.0.0.1', registry, resume: true, backoff: { initialMs: 50, maxMs: 50 }, ...options }).subscribe(
    (line) => lines.push(line.line),
  );
  const status = (): LogReaderStatus | undefined => registry.snapshot().node1?.log_reader;
  return {
    lines,
    registry,
    status,
    /** Resolves once `count` lines arrived (and fails clearly if they do not within `ms`). */
    received: (count: number, ms = 8000) => eventually(() => lines.length >= count, ms),
    stop: () => subscription.unsubscribe(),
  };
}
