import type { SnoDashboard } from './node-api-types.js';

/** A node's disk, in bytes, with the same meaning on every release (see {@link diskUsage}). */
export interface DiskUsage {
  /** The space given to the node (its allocation, or the disk if smaller). */
  readonly allocatedBytes: number;
  /** Used by pieces, trash not included. */
  readonly usedBytes: number;
  /** Free in the allocation. */
  readonly freeBytes: number;
  readonly trashBytes: number;
  /** Used beyond the allocation. */
  readonly overusedBytes: number;
}

/**
 * The dashboard's `diskSpace`, read the same way before and after v1.143.0-rc, when its
 * meaning changed (storj commit `4e52fd0b2d`, storagenode/console/service.go):
 *
 * - up to v1.142 `{ used, available, trash, overused }`: `used` is the pieces, `available`
 *   the allocation, free is `available - used - trash` (what the web UI computed);
 * - from v1.143 `{ used, available, overused, allocated, trash, reclaimable }`: `used` is
 *   everything used, trash included, and `available` the free space in the allocation
 *   (at most the free space on the disk).
 *
 * A v1.143+ dashboard is recognised by its `allocated` field. `null` without `diskSpace`.
 * Negative figures (a full disk can make `available` negative on v1.143.x) read as 0.
 *
 * @example
 * ```ts
 * const disk = diskUsage(await lastValueFrom(api.dashboard()));
 * if (disk) console.log(`${((disk.usedBytes / disk.allocatedBytes) * 100).toFixed(1)} % used, ${disk.freeBytes} bytes free`);
 * ```
 */
export function diskUsage(dashboard: Pick<SnoDashboard, 'diskSpace'>): DiskUsage | null {
  const disk = dashboard.diskSpace;
  if (disk === undefined) return null;
  const trashBytes = atLeastZero(disk.trash);
  const overusedBytes = atLeastZero(disk.overused);
  if (disk.allocated !== undefined) {
    return {
      allocatedBytes: atLeastZero(disk.allocated),
      usedBytes: atLeastZero(disk.used - disk.trash),
      freeBytes: atLeastZero(disk.available),
      trashBytes,
      overusedBytes,
    };
  }
  return {
    allocatedBytes: atLeastZero(disk.available),
    usedBytes: atLeastZero(disk.used),
    freeBytes: atLeastZero(disk.available - disk.used - disk.trash),
    trashBytes,
    overusedBytes,
  };
}

function atLeastZero(value: number): number {
  return Math.max(0, value);
}
