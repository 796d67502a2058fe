// `npm start`: the example monitor on a simulated storage node. Until the monitor lands
// (createMonitor, the simulator and the CLI), this says so plainly.
console.error('storj-monitor-rx: `npm start` is not available yet: createMonitor, the simulator and the example CLI are still being built.');
process.exitCode = 1;
