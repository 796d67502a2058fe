import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * SIGKILLs `child` if it is still running and resolves once it has exited, so that
 * nothing it uses (a directory, a port) is taken away while it still runs. A child that
 * never started (no pid) or has already exited is left alone.
 *
 * @example
 * ```ts
 * const running = cli(['--config', path]);
 * try {
 *   // ...
 * } finally {
 *   await killAndWait(running.child);
 * }
 * ```
 */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
