// The CLI's live terminal view: one table row per node, drawn from a connection_status
// frame. A pure function of the frame, the line rates and the clock, so it is testable.
import type { ApiClientStatus, ConnectionStatusFrame, HealthMap, LogReaderStatus } from 'storj-monitor-rx';

const COLOURS: Record<string, string> = {
  connected: '32',
  connecting: '33',
  disconnected: '33',
  error: '31',
  stopped: '90',
  ok: '32',
  degraded: '33',
  'at-risk': '33',
  'satellites-unreachable': '31',
  offline: '31',
  unreachable: '31',
};
/** The columns drawn in colour: log state, API state, verdict. */
const COLOURED_COLUMNS = new Set([1, 6, 11]);

export interface ViewOptions {
  /** Lines per second per node over the last interval. */
  readonly rates: ReadonlyMap<string, number>;
  /** Unix ms, for the retry countdowns. */
  readonly now: number;
  readonly colour: boolean;
}

export function renderTable(frame: ConnectionStatusFrame & { readonly health?: HealthMap }, options: ViewOptions): string {
  const rows = Object.entries(frame.states).map(([node, { log_reader, api_client }]) => [
    node,
    ...connectionCells(log_reader, options),
    log_reader ? (options.rates.get(node) ?? 0).toFixed(1) : '',
    ...connectionCells(api_client, options),
    api_client ? mode(log_reader, api_client) : log_reader?.state === 'connected' ? 'log-only' : '',
    frame.health?.[node]?.verdict ?? '',
    truncate(frame.health?.[node]?.reasons.join('; ') ?? '', 60),
  ]);
  const header = ['NODE', 'LOG', 'ATT', 'RETRY', 'LAST LOG ERROR', 'LINES/S', 'API', 'ATT', 'RETRY', 'LAST API ERROR', 'MODE', 'HEALTH', 'WHY'];
  const table = [header, ...rows.map((row) => row.map(oneLine))];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  return table
    .map((row, index) =>
      row
        .map((cell, column) => {
          const padded = cell.padEnd(widths[column] ?? 0);
          const colour = COLOURS[cell.endsWith(' (degraded)') ? 'degraded' : cell];
          return index > 0 && options.colour && colour && COLOURED_COLUMNS.has(column) ? `\x1b[${colour}m${padded}\x1b[0m` : padded;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function connectionCells(status: LogReaderStatus | ApiClientStatus | undefined, options: ViewOptions): string[] {
  if (!status) return ['-', '', '', ''];
  const retry = status.next_retry_at === null ? '' : `${Math.max(0, Math.ceil(status.next_retry_at - options.now / 1000))}s`;
  // A degraded source stays `connected`: the state cell says both.
  return [status.degraded ? `${status.state} (degraded)` : status.state, String(status.reconnect_attempts), retry, truncate(status.last_error ?? '', 48)];
}

function mode(log: LogReaderStatus | undefined, api: ApiClientStatus): string {
  const logs = log?.state === 'connected';
  if (logs) return api.is_available ? 'log+api' : 'log-only';
  return api.is_available ? 'api-only' : 'offline';
}

/** Node names and errors come from config and peers: no control characters reach the terminal. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
