import { expect } from 'chai';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shardOf, type ConnectionStatusFrame, type NodeConfig } from '../../lib/index.js';
import { cli as cliProcess, type CliProcess } from '../support/cli-process.js';
import { TestForwarder } from '../support/forwarder.js';
import { eventually } from '../support/wait.js';
import { killAndWait } from '../support/kill-and-wait.js';

/** The frames a `--json` CLI printed, parsed. */
const frames = ({ output }: CliProcess): ConnectionStatusFrame[] =>
  output.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ConnectionStatusFrame);

/** Whether the last frame shows exactly `names`, each log source connected. */
const watching = (cli: CliProcess, names: readonly string[]): boolean => {
  const states = frames(cli).at(-1)?.states ?? {};
  return Object.keys(states).sort().join() === [...names].sort().join() && names.every((name) => states[name]?.log_reader?.state === 'connected');
};

/** The CLI's config reload (examples/config-reload.ts), run as a user would: SIGHUP and --watch. */
describe('examples/cli.ts config reload', function () {
  this.timeout(30_000);
  let directory: string;
  let forwarders: TestForwarder[];
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'storj-monitor-reload-'));
    forwarders = [];
  });
  afterEach(async () => {
    for (const forwarder of forwarders) await forwarder.kill();
    await rm(directory, { recursive: true, force: true });
  });

  const forwarder = async (): Promise<TestForwarder> => {
    const started = await TestForwarder.start();
    forwarders.push(started);
    return started;
  };
  const logNode = (name: string, { port }: TestForwarder): NodeConfig => ({ name, log: { host: '127.0.0.1', port } });
  const config = (nodes: readonly NodeConfig[]): string => JSON.stringify({ nodes, broadcastIntervalMs: 100 });

  it('SIGHUP reloads: a node added, one removed, the unchanged one keeps its connection; a bad file keeps the running config, in one line', async () => {
    const [kept, dropped, added] = [await forwarder(), await forwarder(), await forwarder()];
    const path = join(directory, 'monitor.json');
    await writeFile(path, config([logNode('kept', kept), logNode('dropped', dropped)]));
    const cli = cliProcess(['--config', path, '--listen', '127.0.0.1:0', '--json']);
    try {
      await eventually(() => watching(cli, ['kept', 'dropped']), 10_000);
      await writeFile(path, config([logNode('kept', kept), logNode('added', added)]));
      cli.child.kill('SIGHUP');
      await eventually(() => watching(cli, ['kept', 'added']), 10_000);
      expect(cli.output.stderr).to.include(`storj-monitor-rx: reloaded ${path}: stopped dropped (log); started added (log)\n`);
      await eventually(() => dropped.clients.length === 0);
      expect([kept.connections, kept.clients.length, added.connections]).to.deep.equal([1, 1, 1]);

      const before = cli.output.stderr;
      await writeFile(path, config([logNode('kept', kept), { name: 'broken', log: { host: '127.0.0.1', port: 0 } }]));
      cli.child.kill('SIGHUP');
      await eventually(() => cli.output.stderr.length > before.length, 10_000);
      await eventually(() => cli.output.stderr.endsWith('\n'));
      expect(cli.output.stderr.slice(before.length)).to.equal(
        `storj-monitor-rx: config ${path}: nodes[1].log.port must be an integer 1-65535; got 0; kept the running config\n`,
      );
      const framesBefore = frames(cli).length;
      await eventually(() => frames(cli).length > framesBefore + 2);
      expect(watching(cli, ['kept', 'added'])).to.equal(true);
      expect(kept.connections).to.equal(1);
      cli.child.kill('SIGTERM');
      expect(await cli.exit).to.equal(0);
    } finally {
      await killAndWait(cli.child);
    }
  });

  it('--watch reloads when the file is replaced (an editor saving by rename), and a file that is no JSON is one line', async () => {
    const [first, second] = [await forwarder(), await forwarder()];
    const path = join(directory, 'monitor.json');
    await writeFile(path, config([logNode('first', first)]));
    const cli = cliProcess(['--config', path, '--listen', '127.0.0.1:0', '--json', '--watch']);
    try {
      await eventually(() => watching(cli, ['first']), 10_000);
      await writeFile(`${path}.tmp`, config([logNode('first', first), logNode('second', second)]));
      await rename(`${path}.tmp`, path);
      await eventually(() => watching(cli, ['first', 'second']), 10_000);
      expect(cli.output.stderr).to.include(`storj-monitor-rx: reloaded ${path}: started second (log)\n`);
      const before = cli.output.stderr;
      await writeFile(path, '{"nodes": [');
      await eventually(() => cli.output.stderr.length > before.length && cli.output.stderr.endsWith('\n'), 10_000);
      expect(cli.output.stderr.slice(before.length)).to.match(
        new RegExp(`^storj-monitor-rx: config .*monitor\\.json is not valid JSON: [^\\n]*; kept the running config\\n$`),
      );
      expect(first.connections + second.connections).to.equal(2);
      cli.child.kill('SIGTERM');
      expect(await cli.exit).to.equal(0);
    } finally {
      await killAndWait(cli.child);
    }
  });

  it('--shard I/N watches only the nodes of its shard, over the same file', async () => {
    const nodes = await Promise.all(['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].map(async (name) => logNode(name, await forwarder())));
    const path = join(directory, 'monitor.json');
    await writeFile(path, config(nodes));
    const mine = nodes.map(({ name }) => name).filter((name) => shardOf(name, 2) === 2);
    expect(mine.length).to.be.within(1, 5);
    const cli = cliProcess(['--config', path, '--listen', '127.0.0.1:0', '--json', '--shard', '2/2']);
    try {
      await eventually(() => watching(cli, mine), 10_000);
      expect(forwarders.filter(({ connections }) => connections > 0)).to.have.length(mine.length);
      cli.child.kill('SIGTERM');
      expect(await cli.exit).to.equal(0);
    } finally {
      await killAndWait(cli.child);
    }
  });
});
