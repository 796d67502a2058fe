// Which storagenode release the simulator speaks: the log format and the API shapes of
// each generation v1.80 .. v1.162, as storj/storj writes them (the same research as the
// library's fixtures: spec/fixtures/storagenode-logs, spec/fixtures/node-api). A release
// is named `v1.MINOR` (or `v1.MINOR.PATCH`); every minor from 80 to 162 is accepted and
// speaks as the generation it belongs to. `drift` is no release: the current format with
// renamed fields, to see the library's schema-drift count move.

export const FIRST_MINOR = 80;
export const LATEST_MINOR = 162;
/** What `--log-format` and `--api-format` default to: the latest release. */
export const LATEST = `v1.${LATEST_MINOR}`;

/** How one release writes its piecestore lines (storagenode/piecestore/endpoint.go). */
export interface LogFormat {
  readonly release: string;
  /** Up to v1.82 ISO-8601 with milliseconds; from v1.83 RFC 3339 (storj.io/private ccd4db5a). */
  readonly time: 'iso8601' | 'rfc3339';
  /** `Process` v1.100 .. v1.145 (cmd/storagenode/main.go), `process` before and after. */
  readonly processKey: 'process' | 'Process';
  /** snake_case from v1.146 (7d89b49dad). */
  readonly snakeCase: boolean;
  /** Fields from log.With from v1.99 (order changes, downloaded carries the requested size). */
  readonly withFields: boolean;
  /** v1.86 on: INFO `download canceled (race lost or node shutdown)` + DEBUG `download canceled`. */
  readonly raceLost: boolean;
  /** v1.86 .. v1.112: INFO `upload canceled (race lost ...)` + DEBUG `upload failed`. */
  readonly raceLostUpload: boolean;
  /** v1.113 on: `download canceled` carries `reason`. */
  readonly cancelReason: boolean;
  /** `download started` / `upload started`: INFO up to v1.115, DEBUG from v1.116. */
  readonly startedLevel: 'INFO' | 'DEBUG';
  /** `deleted` / `delete failed` up to v1.117. */
  readonly deletes: boolean;
  /** `New bloomfilter is received` from v1.120. */
  readonly bloomFilter: boolean;
  /** `upload rejected, too many requests`: ERROR up to v1.121, INFO from v1.122. */
  readonly rejectedLevel: 'ERROR' | 'INFO';
  /** v1.147 on: `upload failed` at WARN for a client that went away. */
  readonly uploadWarn: boolean;
  /** The field names of a release that does not exist (`drift`). */
  readonly drift: boolean;
}

/** Which fields one release's console API sends (storagenode/console, storagenode/payouts). */
export interface ApiFormat {
  readonly release: string;
  /** The `version` the dashboard reports. */
  readonly version: string;
  /** `satellites[].currentStorageUsed` up to v1.121. */
  readonly currentStorageUsed: boolean;
  /** `satellites[].vettedAt` from v1.131. */
  readonly vettedAt: boolean;
  /** `diskSpace` with `allocated`, `reclaimable`, `available` the free space, from v1.143 (4e52fd0b2d). */
  readonly diskSpaceV143: boolean;
  /** `storageDaily[].calculated` from v1.162. */
  readonly calculatedDays: boolean;
}

/**
 * The log format of `release` (`v1.99`, `v1.142.3`, `drift`); a RangeError for anything
 * else, naming the option.
 */
export function logFormat(release: string): LogFormat {
  const minor = release === 'drift' ? LATEST_MINOR : minorOf('--log-format', release);
  return {
    release,
    time: minor >= 83 ? 'rfc3339' : 'iso8601',
    processKey: minor >= 100 && minor < 146 ? 'Process' : 'process',
    snakeCase: minor >= 146,
    withFields: minor >= 99,
    raceLost: minor >= 86,
    raceLostUpload: minor >= 86 && minor < 113,
    cancelReason: minor >= 113,
    startedLevel: minor >= 116 ? 'DEBUG' : 'INFO',
    deletes: minor < 118,
    bloomFilter: minor >= 120,
    rejectedLevel: minor >= 122 ? 'INFO' : 'ERROR',
    uploadWarn: minor >= 147,
    drift: release === 'drift',
  };
}

/** The API shapes of `release` (`v1.142`, `v1.162.3`); a RangeError for anything else. */
export function apiFormat(release: string): ApiFormat {
  const minor = minorOf('--api-format', release);
  const patch = /^v1\.\d+\.(\d+)$/.exec(release)?.[1] ?? '0';
  return {
    release,
    version: `1.${minor}.${patch}`,
    currentStorageUsed: minor < 122,
    vettedAt: minor >= 131,
    diskSpaceV143: minor >= 143,
    calculatedDays: minor >= 162,
  };
}

function minorOf(option: string, release: string): number {
  const minor = Number(/^v1\.(\d+)(?:\.\d+)?$/.exec(release)?.[1]);
  if (!Number.isInteger(minor) || minor < FIRST_MINOR || minor > LATEST_MINOR) {
    throw new RangeError(
      `${option} must be a storagenode release v1.${FIRST_MINOR} .. v1.${LATEST_MINOR} (e.g. v1.142)${option === '--log-format' ? ' or drift' : ''}; got ${JSON.stringify(release)}`,
    );
  }
  return minor;
}
