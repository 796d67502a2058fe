// `npm start`: the whole library on an embedded default, no real node needed. Starts two
// simulated storage nodes ("alpha" steady, "beta" with chaos on) and the example CLI
// against them, with the dashboard's fault controls. Accepts the CLI's --listen and --json.
import { fail, parseArguments, runCli, stopOnSignals, type RunningCli } from './cli.js';
import { simulatorRoutes } from './simulator/control-routes.js';
import { SimulatedNode } from './simulator/simulated-node.js';

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2), false);
  const nodes: SimulatedNode[] = [];
  let cli: RunningCli | undefined;
  stopOnSignals(async () => {
    await cli?.close();
    for (const node of nodes) await node.close();
  });
  nodes.push(
    await SimulatedNode.start({ name: 'alpha', linesPerSecond: 25 }),
    await SimulatedNode.start({ name: 'beta', linesPerSecond: 10, chaos: true, chaosIntervalMs: 20_000 }),
  );
  const config = {
    nodes: nodes.map((node) => ({
      name: node.name,
      log: { host: node.host, port: node.logPort },
      api: { url: `http://${node.host}:${node.apiPort}` },
    })),
    // Short timings so recovery is visible within a demo; real nodes use the defaults.
    logReader: { initialBackoffMs: 1000, maxBackoffMs: 8000 },
    apiClient: { healthCheckIntervalMs: 5000, timeoutMs: 3000, initialBackoffMs: 1000, maxBackoffMs: 8000 },
    broadcastIntervalMs: 2000,
  };
  cli = await runCli(args, config, { routes: simulatorRoutes(nodes) }).catch(async (error: unknown) => {
    for (const node of nodes) await node.close();
    throw error;
  });
}

main().catch(fail);
