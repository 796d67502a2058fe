// Storagenode log lines (SPEC §3.2) for the simulator, as a release of `releases.ts` writes
// them through zap with storj's encoder config (storj.io/common process/logging.go): the
// console encoder's `time\tLEVEL\tlogger\t[caller\t]message\t{"key": value, ...}` or the
// JSON encoder's one object (L, T, N, C, M), transfers of every kind and outcome in the
// proportions of a busy node, plus other loggers.
import { LATEST, logFormat, type LogFormat } from './releases.js';

const SATELLITES = [
  '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S',
  '121RTSDpyNZVcEU84Ticf2L1ntiuUimbWgfATz21tuvgk3vzoA6',
  '12L9ZFwhzVpuEKMUNUqkaTLGzwY9G24tbiigLiXpmZWKwmcNDDs',
  '1wFTAgs9DP5RSnCqKV1eLf6N9wtk4EAtmN5DpSxcs8EjT69tGE',
];
const FAILURES = [
  'pieces error: filestore error: file does not exist',
  'manager closed: read tcp 172.17.0.2:28967->109.61.92.70:40624: read: connection reset by peer',
  'hashstore: disk full',
];

/** How the simulated node's logger is set up (storj's `log.encoding`, `log.caller`, `STORJ_LOG_NOTIME`). */
export interface LogSettings {
  readonly format: LogFormat;
  readonly encoding: 'console' | 'json';
  readonly caller: boolean;
  readonly noTime: boolean;
}

/** The latest release's console lines, as a node writes them by default. */
export const DEFAULT_LOG_SETTINGS: LogSettings = { format: logFormat(LATEST), encoding: 'console', caller: false, noTime: false };

type Random = () => number;
type Fields = Array<[key: string, value: string | number]>;

const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)] as T;

function pieceId(random: Random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from({ length: 52 }, () => pick([...alphabet], random)).join('');
}

function remoteAddress(random: Random): string {
  const octet = () => Math.floor(random() * 254) + 1;
  return `${octet()}.${octet()}.${octet()}.${octet()}:${Math.floor(random() * 50_000) + 10_000}`;
}

/** zapcore.RFC3339TimeEncoder (local time, to the second) or, up to v1.82, ISO8601TimeEncoder (milliseconds, +hhmm). */
function timeText(at: Date, time: LogFormat['time']): string {
  const offset = -at.getTimezoneOffset();
  const pad = (value: number, width = 2) => String(Math.floor(Math.abs(value))).padStart(width, '0');
  const local = new Date(at.getTime() + offset * 60_000).toISOString();
  const sign = offset >= 0 ? '+' : '-';
  if (time === 'iso8601') return `${local.slice(0, 23)}${offset === 0 ? 'Z' : `${sign}${pad(offset / 60)}${pad(offset % 60)}`}`;
  return `${local.slice(0, 19)}${offset === 0 ? 'Z' : `${sign}${pad(offset / 60)}:${pad(offset % 60)}`}`;
}

/** The key a release writes for one of the fields named as up to v1.145. */
function key(format: LogFormat, name: string): string {
  if (format.drift) return DRIFT_KEYS[name] ?? name;
  if (!format.snakeCase) return name;
  return SNAKE_KEYS[name] ?? name;
}

// 7d89b49dad ("all: Homogenize zap fields", v1.146.0-rc).
const SNAKE_KEYS: Readonly<Record<string, string>> = {
  'Piece ID': 'piece_id',
  'Satellite ID': 'satellite_id',
  Action: 'action',
  Size: 'size',
  Offset: 'offset',
  'Remote Address': 'remote_address',
  'Available Space': 'available_space',
  'live requests': 'live_requests',
  requestLimit: 'request_limit',
  Location: 'location',
};
// No release writes these: `--log-format drift` only.
const DRIFT_KEYS: Readonly<Record<string, string>> = { ...SNAKE_KEYS, 'Piece ID': 'pieceID', 'Satellite ID': 'satelliteID', Size: 'bytes' };

function encode(settings: LogSettings, at: Date, level: string, logger: string | null, caller: string, message: string, fields: Fields): string {
  const { format } = settings;
  const all: Fields = [[format.processKey, 'storagenode'], ...fields.map(([name, value]): [string, string | number] => [key(format, name), value])];
  const time = settings.noTime ? null : timeText(at, format.time);
  if (settings.encoding === 'json') {
    const entry: Fields = [['L', level], ...(time === null ? [] : ([['T', time]] as Fields)), ...(logger === null ? [] : ([['N', logger]] as Fields))];
    if (settings.caller) entry.push(['C', caller]);
    entry.push(['M', message], ...all);
    return `{${entry.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(',')}}`;
  }
  const columns = [time, level, logger, settings.caller ? caller : null, message].filter((column) => column !== null);
  return `${columns.join('\t')}\t{${all.map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`).join(', ')}}`;
}

/**
 * The lines of one storagenode event, as the release of `settings` writes them (the
 * latest by default): one line, or two for a cancellation storj logs twice (v1.86 on).
 */
export function storageNodeLines(at: Date, random: Random = Math.random, settings: LogSettings = DEFAULT_LOG_SETTINGS): readonly string[] {
  return storageNodeEvent(at, random, settings).split('\n');
}

function storageNodeEvent(at: Date, random: Random, settings: LogSettings): string {
  const { format } = settings;
  const line = (level: string, logger: string | null, caller: string, message: string, fields: Fields) =>
    encode(settings, at, level, logger, caller, message, fields);
  const roll = random();
  if (roll < 0.03) return line('INFO', 'collector', 'collector/service.go:92', 'collect', [['count', Math.floor(random() * 20)]]);
  if (roll < 0.04 && format.bloomFilter) {
    return line('INFO', 'piecestore', 'piecestore/endpoint.go:1041', 'New bloomfilter is received', [
      ['satellite', pick(SATELLITES, random)],
      ['creation', timeText(new Date(at.getTime() - 86_400_000), 'rfc3339')],
    ]);
  }
  if (roll < 0.05) return line('INFO', 'bandwidth', 'bandwidth/service.go:64', 'Performing bandwidth usage rollups', []);
  const kind = random();
  const action = kind < 0.45 ? 'GET' : kind < 0.85 ? 'PUT' : kind < 0.9 ? 'GET_AUDIT' : kind < 0.95 ? 'GET_REPAIR' : kind < 0.98 ? 'PUT_REPAIR' : 'DELETE';
  const piece = pieceId(random);
  const satellite = pick(SATELLITES, random);
  const address = remoteAddress(random);
  const caller = (lineNumber: number) => `piecestore/endpoint.go:${lineNumber}`;
  if (action === 'DELETE') {
    // The Delete endpoint, up to v1.117; later releases delete through garbage collection and log no transfer.
    if (!format.deletes) return line('INFO', 'collector', 'collector/service.go:92', 'collect', [['count', 1]]);
    const fields: Fields = [
      ['Satellite ID', satellite],
      ['Piece ID', piece],
      ['Remote Address', address],
    ];
    return random() < 0.9
      ? line('INFO', 'piecestore', caller(169), 'deleted', fields)
      : line('ERROR', 'piecestore', caller(167), 'delete failed', [...fields, ['error', 'pieces error: context canceled']]);
  }
  const head: Fields = [
    ['Piece ID', piece],
    ['Satellite ID', satellite],
    ['Action', action],
  ];
  const outcome = random();
  if (action.startsWith('GET')) {
    const size = Math.floor(random() * 2_300_000) + 256;
    const fields = (sent: number): Fields => [...head, ['Offset', 0], ['Size', format.withFields ? size : sent], ['Remote Address', address]];
    if (outcome < 0.35) return line(format.startedLevel, 'piecestore', caller(641), 'download started', fields(size));
    if (outcome < 0.88) return line('INFO', 'piecestore', caller(714), 'downloaded', fields(size));
    if (outcome < 0.95) {
      const reason: Fields = format.cancelReason ? [['reason', `downloaded size (0 bytes) does not match received message size (${size} bytes)`]] : [];
      return line('INFO', 'piecestore', caller(695), 'download canceled', [...fields(0), ...reason]);
    }
    if (outcome < 0.985 || !format.raceLost)
      return line('ERROR', 'piecestore', caller(706), 'download failed', [...fields(0), ['error', pick(FAILURES, random)]]);
    return [
      line('INFO', 'piecestore', caller(703), 'download canceled (race lost or node shutdown)', format.withFields ? fields(0) : [['Piece ID', piece]]),
      line('DEBUG', 'piecestore', caller(704), 'download canceled', [...fields(0), ['error', 'context canceled']]),
    ].join('\n');
  }
  const size = Math.floor(random() * 2_300_000) + 256;
  // Up to v1.98 every call passes its fields, Remote Address last; from v1.99 it is in log.With.
  const upload = (extra: Fields): Fields =>
    format.withFields ? [...head, ['Remote Address', address], ...extra] : [...head, ...extra, ['Remote Address', address]];
  const failed = (error: string): Fields =>
    format.withFields
      ? upload([
          ['Size', size],
          ['error', error],
        ])
      : upload([
          ['error', error],
          ['Size', size],
        ]);
  if (outcome < 0.35) return line(format.startedLevel, 'piecestore', caller(371), 'upload started', upload([['Available Space', 7_316_153_485_312]]));
  if (outcome < 0.88) return line('INFO', 'piecestore', caller(367), 'uploaded', upload([['Size', size]]));
  if (outcome < 0.95) return line('INFO', 'piecestore', caller(340), 'upload canceled', upload([['Size', size]]));
  if (outcome < 0.97) {
    const level = format.uploadWarn && random() < 0.5 ? 'WARN' : 'ERROR';
    return line(level, 'piecestore', caller(358), 'upload failed', failed(level === 'WARN' ? FAILURES[1]! : pick(FAILURES, random)));
  }
  if (outcome < 0.985 && format.raceLostUpload) {
    return [
      line('INFO', 'piecestore', caller(389), 'upload canceled (race lost or node shutdown)', format.withFields ? upload([]) : [['Piece ID', piece]]),
      line('DEBUG', 'piecestore', caller(390), 'upload failed', failed('context canceled')),
    ].join('\n');
  }
  return line(format.rejectedLevel, 'piecestore', caller(246), 'upload rejected, too many requests', [
    ['live requests', 41],
    ['requestLimit', 40],
  ]);
}

export { SATELLITES };
