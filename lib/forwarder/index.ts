/**
 * storj-monitor-rx/forwarder: the other end of the log stream, a log forwarder that
 * runs beside each storagenode (SPEC §3.1, with the opt-in resume protocol).
 */
export { startForwarder, type ForwarderOptions, type RunningForwarder } from './start-forwarder.js';
