#!/usr/bin/env node
// The example log forwarder, installed as the package's `storj-log-forwarder` bin:
// `npx storj-log-forwarder --file PATH [--listen HOST:PORT] [--state-dir DIR]`.
// Runs startForwarder beside a storagenode; prints `listening on HOST:PORT` once ready
// (with the port picked when --listen asks for port 0). SIGINT or SIGTERM stops it
// gracefully and exits 0; a bad argument prints one line and exits 2.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startForwarder, type ForwarderOptions } from 'storj-monitor-rx/forwarder';

export const FORWARDER_USAGE = 'usage: storj-log-forwarder --file PATH [--listen HOST:PORT] [--state-dir DIR] [--poll-ms MS]';

/** A problem with the arguments: one line, exit code 2. */
export class ForwarderUsageError extends Error {}

/** The forwarder's options from its command line. */
export function parseForwarderArguments(argv: readonly string[]): ForwarderOptions {
  let file: string | undefined;
  let listen = '127.0.0.1:9001';
  let stateDir: string | undefined;
  let pollMs: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined || next.startsWith('--')) throw new ForwarderUsageError(`${argument} needs a value; ${FORWARDER_USAGE}`);
      return next;
    };
    if (argument === '--file') file = value();
    else if (argument === '--listen') listen = value();
    else if (argument === '--state-dir') stateDir = value();
    else if (argument === '--poll-ms') pollMs = value();
    else throw new ForwarderUsageError(`unknown argument ${JSON.stringify(argument)}; ${FORWARDER_USAGE}`);
  }
  if (file === undefined) throw new ForwarderUsageError(`--file is required; ${FORWARDER_USAGE}`);
  const match = /^(.+):(\d+)$/.exec(listen);
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65_535)
    throw new ForwarderUsageError(`--listen must be HOST:PORT (e.g. 0.0.0.0:9001); got ${JSON.stringify(listen)}`);
  const pollIntervalMs = pollMs === undefined ? undefined : Number(pollMs);
  if (pollIntervalMs !== undefined && !(Number.isInteger(pollIntervalMs) && pollIntervalMs > 0))
    throw new ForwarderUsageError(`--poll-ms must be an integer > 0; got ${JSON.stringify(pollMs)}`);
  return {
    file,
    host: (match[1] ?? '').replace(/^\[(.*)\]$/, '$1'),
    port,
    ...(stateDir !== undefined && { stateDir }),
    ...(pollIntervalMs !== undefined && { pollIntervalMs }),
  };
}

async function main(): Promise<void> {
  const options = parseForwarderArguments(process.argv.slice(2));
  const forwarder = await startForwarder(options);
  process.stdout.write(`storj-log-forwarder: forwarding ${options.file}; listening on ${options.host}:${forwarder.port}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    forwarder.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`storj-log-forwarder: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run as a program (also through the package's bin link, which argv[1] names): not when imported.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  main().catch((error: unknown) => {
    const usage = error instanceof ForwarderUsageError || error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(`storj-log-forwarder: ${(error as Error).message}\n`);
    process.exit(usage ? 2 : 1);
  });
}
