// A monitor with a history file, run as a child process so that a test can kill -9 it:
// `node --import tsx spec/support/history-writer.ts CONFIG_JSON HISTORY_FILE`.
import { createMonitor, type MonitorConfig } from '../../lib/index.js';

const [config, historyFile] = process.argv.slice(2);
const monitor = createMonitor(JSON.parse(config ?? '') as MonitorConfig, { historyFile, historyFlushMs: 50 });
monitor.start();
process.stdout.write('started\n');
