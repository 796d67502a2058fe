// When the example CLI reads its config file again: on SIGHUP (what `systemctl reload`
// sends with `ExecReload=kill -HUP $MAINPID`) and, with --watch, when the file changes.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Changes within this long of each other are one (an editor's save is several events). */
const SETTLE_MS = 100;

export interface ReloadTriggers {
  /** Stops listening for SIGHUP and watching the file. */
  close(): void;
}

/**
 * Calls `reload` on every SIGHUP and, with `watchFile`, when the file at `path` changes.
 * The file's directory is watched, not the file, so a save that replaces the file (write
 * to a temporary file, rename over) is seen as well as one that rewrites it. Reloads
 * never overlap: one asked for while another runs follows it. From the call on, SIGHUP
 * no longer ends the process (Node's default).
 */
export function reloadTriggers(path: string, watchFile: boolean, reload: () => Promise<void>): ReloadTriggers {
  let running: Promise<void> = Promise.resolve();
  let queued = false;
  const trigger = (): void => {
    if (queued) return;
    queued = true;
    running = running.then(async () => {
      queued = false;
      await reload();
    });
  };
  let settle: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  if (watchFile) {
    const name = basename(path);
    watcher = watch(dirname(path), (_event, changed) => {
      if (changed !== name) return;
      clearTimeout(settle);
      settle = setTimeout(trigger, SETTLE_MS);
    });
  }
  process.on('SIGHUP', trigger);
  return {
    close() {
      process.off('SIGHUP', trigger);
      clearTimeout(settle);
      watcher?.close();
    },
  };
}
