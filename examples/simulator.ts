// A simulated storage node on its own, for pointing any monitor at:
// `npx tsx examples/simulator.ts [--name N] [--log-port 9001] [--api-port 14002] [--rate 20] [--chaos]`.
// Type commands on stdin to break it: forwarder-stop, forwarder-start, api-ok, api-unavailable, api-hang.
import { createInterface } from 'node:readline';
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

const node = await SimulatedNode.start({
  name: option('name', 'simulated'),
  logPort: integer('log-port', 9001, 0, 65_535),
  apiPort: integer('api-port', 14002, 0, 65_535),
  linesPerSecond: integer('rate', 20, 0, 100_000),
  chaos: process.argv.includes('--chaos'),
});
const status = node.status();
process.stdout.write(`simulated node ${status.name}: log forwarder on 127.0.0.1:${status.logPort}, API on http://127.0.0.1:${status.apiPort}\n`);
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
