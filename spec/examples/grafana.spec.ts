import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { createMonitor } from '../../lib/index.js';
import { registerPrometheusMetrics } from '../../lib/prometheus.js';

const DASHBOARD = join(import.meta.dirname, '../../examples/grafana/storj-monitor.json');
const PROMTOOL = '/usr/bin/promtool';
/** What Grafana puts in place of its variables, for checking the queries as plain PromQL. */
const VARIABLES: ReadonlyArray<[RegExp, string]> = [
  [/\$node\b/g, '.*'],
  [/\$__rate_interval\b/g, '5m'],
  [/\$__range\b/g, '1d'],
];

interface Target {
  readonly expr?: string;
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid?: string };
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: ReadonlyArray<{ readonly name: string; readonly query: { readonly query: string } }> };
}

/** The metric names a query reads (a histogram's series by their own names). */
function metricsOf(query: string): string[] {
  return query.match(/\bstorj_monitor_[a-z_]+\b/g) ?? [];
}

/** Every series name the exporter serves: each metric, and a histogram's _bucket, _sum and _count. */
async function exportedSeries(): Promise<Set<string>> {
  const monitor = createMonitor({ nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: 9 }, api: { url: 'http://127.0.0.1:9' } }] });
  const registry = new Registry();
  const unregister = registerPrometheusMetrics(monitor, { registry });
  const metrics = await registry.getMetricsAsJSON();
  unregister();
  return new Set(metrics.flatMap(({ name, type }) => (String(type) === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])));
}

describe('examples/grafana/storj-monitor.json', () => {
  let dashboard: Dashboard;
  let queries: string[];
  before(async () => {
    dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
    queries = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? '')),
      ...dashboard.templating.list.map((variable) => variable.query.query),
    ];
  });

  it('parses as a dashboard: unique panel ids, on the grid, every panel on the Prometheus data source input', () => {
    expect(dashboard.uid).to.equal('storj-monitor-rx');
    expect(dashboard.panels.length).to.be.greaterThan(5);
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).to.equal(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel.datasource?.uid, panel.title).to.equal('${DS_PROMETHEUS}');
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).to.be.at.most(24);
      expect(panel.targets?.length, panel.title).to.be.greaterThan(0);
    }
    expect(queries.every((query) => query.trim() !== '')).to.equal(true);
  });

  it('references only metrics the exporter serves', async () => {
    const served = await exportedSeries();
    const referenced = new Set(queries.flatMap(metricsOf));
    expect(referenced.size).to.be.greaterThan(5);
    for (const name of referenced) expect(served.has(name), `${name} is not served by lib/prometheus.ts`).to.equal(true);
  });

  it('has queries that promtool accepts as PromQL', async function () {
    if (!existsSync(PROMTOOL)) {
      console.log(`      skipped: ${PROMTOOL} is not installed (apt-get install prometheus; .ci/run does)`);
      this.skip();
    }
    const directory = await mkdtemp(join(tmpdir(), 'storj-grafana-'));
    try {
      const panelQueries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
      const rules = panelQueries.map((query, index) => {
        const plain = VARIABLES.reduce((text, [variable, value]) => text.replace(variable, value), query);
        return `      - record: grafana_query_${index}\n        expr: ${JSON.stringify(plain)}`;
      });
      const file = join(directory, 'rules.yml');
      await writeFile(file, `groups:\n  - name: grafana\n    rules:\n${rules.join('\n')}\n`);
      const { stdout } = await promisify(execFile)(PROMTOOL, ['check', 'rules', file]);
      expect(stdout).to.include(`SUCCESS: ${panelQueries.length} rules found`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
