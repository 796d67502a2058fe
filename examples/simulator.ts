// A simulated storage node on its own, for pointing any monitor at:
// `npx tsx examples/simulator.ts [--name N] [--log-port 9001] [--api-port 14002] [--rate 20] [--chaos]
//   [--log-format v1.162] [--api-format v1.162] [--log-encoding console|json] [--log-caller] [--log-notime]`.
// --log-format and --api-format take any storagenode release v1.80 .. v1.162 (the latest by
// default); --log-format drift writes field names no release writes (to see schema drift).
// Type commands on stdin to break it: forwarder-stop, forwarder-start, api-ok, api-unavailable, api-hang.
import { createInterface } from 'node:readline';
import { apiFormat, LATEST, logFormat } from './simulator/releases.js';
import { SimulatedNode } from './simulator/simulated-node.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`simulator: --${name} must be an integer ${min}-${max}\n`);
    process.exit(2);
  }
  return value;
}

/** The value of a checked option, or exit 2 with the check's message. */
function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    process.stderr.write(`simulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

const encoding = option('log-encoding', 'console');
if (encoding !== 'console' && encoding !== 'json') {
  process.stderr.write('simulator: --log-encoding must be console or json\n');
  process.exit(2);
}

const node = await SimulatedNode.start({
  name: option('name', 'simulated'),
  logPort: integer('log-port', 9001, 0, 65_535),
  apiPort: integer('api-port', 14002, 0, 65_535),
  linesPerSecond: integer('rate', 20, 0, 100_000),
  chaos: process.argv.includes('--chaos'),
  log: {
    format: checked(() => logFormat(option('log-format', LATEST))),
    encoding,
    caller: process.argv.includes('--log-caller'),
    noTime: process.argv.includes('--log-notime'),
  },
  api: checked(() => apiFormat(option('api-format', LATEST))),
});
const status = node.status();
process.stdout.write(
  `simulated node ${status.name}: log forwarder on 127.0.0.1:${status.logPort} (${status.logFormat}), API on http://127.0.0.1:${status.apiPort} (${status.apiFormat})\n`,
);
process.stdout.write('commands: forwarder-stop, forwarder-start, api-ok, api-unavailable, api-hang, status\n');

const commands: Record<string, () => Promise<void> | void> = {
  'forwarder-stop': () => node.stopForwarder(),
  'forwarder-start': () => node.startForwarder(),
  'api-ok': () => node.setApiFault('ok'),
  'api-unavailable': () => node.setApiFault('unavailable'),
  'api-hang': () => node.setApiFault('hang'),
  status: () => void process.stdout.write(`${JSON.stringify(node.status())}\n`),
};
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = commands[line.trim()];
  if (command) void Promise.resolve(command()).then(() => process.stdout.write(`ok: ${JSON.stringify(node.status())}\n`));
  else if (line.trim()) process.stdout.write(`unknown command; try: ${Object.keys(commands).join(', ')}\n`);
});
const stop = (): void => void node.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
