// Realistic storagenode log lines (SPEC §3.2) for the simulator: transfers of every kind
// and outcome, in the shape and proportions a busy node writes them, plus other loggers.

const SATELLITES = [
  '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S',
  '121RTSDpyNZVcEU84Ticf2L1ntiuUimbWgfATz21tuvgk3vzoA6',
  '12L9ZFwhzVpuEKMUNUqkaTLGzwY9G24tbiigLiXpmZWKwmcNDDs',
  '1wFTAgs9DP5RSnCqKV1eLf6N9wtk4EAtmN5DpSxcs8EjT69tGE',
];
const CANCEL_REASONS = ['context canceled', 'downloaded size (0 bytes) does not match received message size (8192 bytes)', 'race lost'];
const FAILURES = [
  'unexpected EOF',
  'write tcp 10.0.0.2:28967->109.61.92.70:40624: write: connection reset by peer',
  'pieces error: filestore error: file does not exist',
];

type Random = () => number;

const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)] as T;

function pieceId(random: Random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from({ length: 52 }, () => pick([...alphabet], random)).join('');
}

function remoteAddress(random: Random): string {
  const octet = () => Math.floor(random() * 254) + 1;
  return `${octet()}.${octet()}.${octet()}.${octet()}:${Math.floor(random() * 50_000) + 10_000}`;
}

/** The node's local time with offset, one-second precision, as storagenode writes it. */
function localTime(at: Date): string {
  const offset = -at.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (value: number) => String(Math.floor(Math.abs(value))).padStart(2, '0');
  const local = new Date(at.getTime() + offset * 60_000);
  return `${local.toISOString().slice(0, 19)}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** One storagenode log line, as the node writes it (tab-separated, JSON fields last). */
export function storageNodeLine(at: Date, random: Random = Math.random): string {
  const time = localTime(at);
  const roll = random();
  if (roll < 0.03) {
    return `${time}\tINFO\tcollector\tcollect\t${JSON.stringify({ count: Math.floor(random() * 20) })}`;
  }
  if (roll < 0.05) {
    return `${time}\tINFO\tbandwidth\tPerforming bandwidth usage rollups`;
  }
  const kind = random();
  const action = kind < 0.45 ? 'GET' : kind < 0.85 ? 'PUT' : kind < 0.9 ? 'GET_AUDIT' : kind < 0.95 ? 'GET_REPAIR' : kind < 0.98 ? 'PUT_REPAIR' : 'DELETE';
  const fields: Record<string, unknown> = {
    'Piece ID': pieceId(random),
    'Satellite ID': pick(SATELLITES, random),
    Action: action,
  };
  if (action === 'DELETE') return `${time}\tINFO\tpiecestore\tdeleted\t${JSON.stringify(fields)}`;
  const download = action.startsWith('GET');
  const size = Math.floor(random() * 2_300_000) + 256;
  if (download) Object.assign(fields, { Offset: 0, Size: size });
  else Object.assign(fields, { Size: size });
  fields['Remote Address'] = remoteAddress(random);
  const outcome = random();
  const verb = download ? 'download' : 'upload';
  if (outcome < 0.35) return `${time}\tDEBUG\tpiecestore\t${verb} started\t${JSON.stringify(fields)}`;
  if (outcome < 0.88) return `${time}\tINFO\tpiecestore\t${download ? 'downloaded' : 'uploaded'}\t${JSON.stringify(fields)}`;
  if (outcome < 0.95) {
    return `${time}\tINFO\tpiecestore\t${verb} canceled\t${JSON.stringify({ ...fields, reason: pick(CANCEL_REASONS, random) })}`;
  }
  if (outcome < 0.985) return `${time}\tERROR\tpiecestore\t${verb} failed\t${JSON.stringify({ ...fields, error: pick(FAILURES, random) })}`;
  return download
    ? `${time}\tINFO\tpiecestore\tdownload canceled (race lost or node shutdown)\t${JSON.stringify(fields)}`
    : `${time}\tERROR\tpiecestore\tupload rejected, too many requests\t${JSON.stringify({ ...fields, 'live requests': 11 })}`;
}

export { SATELLITES };
