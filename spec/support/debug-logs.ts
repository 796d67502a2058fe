import createDebug from 'debug';
import { format } from 'node:util';

/**
 * Runs `body` with the `debug` namespaces given enabled (and no others) and every line
 * they log captured, as `debug` formats it; the previous settings come back afterwards.
 *
 * @example
 * ```ts
 * await withDebugLogs('storj-monitor:*', async (logs) => {
 *   api.start();
 *   await eventually(() => logs.some((line) => line.includes('connected')));
 * });
 * ```
 */
export async function withDebugLogs<T>(namespaces: string, body: (logs: readonly string[]) => T | Promise<T>): Promise<T> {
  const logs: string[] = [];
  const previous = createDebug.disable();
  createDebug.enable(namespaces);
  const log = createDebug.log;
  createDebug.log = (...args: unknown[]) => logs.push(format(...args));
  try {
    return await body(logs);
  } finally {
    createDebug.log = log;
    createDebug.disable();
    if (previous) createDebug.enable(previous);
  }
}
