// 1. Ingest: forwarder lines through the TCP log source, against what a user could write
// instead, each receiving the same bytes from a sender in a child process.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { tcpLogSource, type ForwarderLine } from 'storj-monitor-rx';
import { median, medianRatio, startPeer } from './support.js';

export interface IngestResult {
  raw_lines_per_s: number;
  splitter_lines_per_s: number;
  readline_lines_per_s: number;
  parsed_lines_per_s: number;
  splitter_parse_lines_per_s: number;
  filtered_lines_per_s: number;
  /** How many times faster than the baseline: the median over rounds of the ratio within each round. */
  raw_vs_splitter: number;
  raw_vs_readline: number;
  parsed_vs_splitter_parse: number;
  filtered_vs_splitter_parse: number;
  /** Minor page faults of the bench process while one round of lines is read (median over rounds). */
  raw_page_faults: number;
  splitter_page_faults: number;
  bytes_per_line: number;
  lines: number;
}

type Receiver = (port: number, lines: number) => Promise<number>;

/** Times one connection's worth of lines, from connect to the last line, in ms. */
function timeSocket(port: number, lines: number, onData: (chunk: Buffer, done: () => void) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      socket.destroy();
      resolve(performance.now() - started);
    };
    socket.on('data', (chunk: Buffer) => onData(chunk, done));
    socket.on('error', reject);
    socket.on('end', () => (finished ? undefined : reject(new Error(`connection ended before ${lines} lines`))));
  });
}

/** The hand-written baseline: StringDecoder, indexOf('\n'), a slice per line. */
function splitter(perLine: (line: string) => void): Receiver {
  return (port, lines) => {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let count = 0;
    return timeSocket(port, lines, (chunk, done) => {
      const text = rest + decoder.write(chunk);
      let start = 0;
      let newline = text.indexOf('\n');
      while (newline !== -1) {
        perLine(text.slice(start, newline));
        if (++count === lines) return done();
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      rest = text.slice(start);
    });
  };
}

let sink = 0;
const splitterOnly = splitter(() => sink++);
const splitterParse = splitter((line) => {
  const space = line.indexOf(' ');
  sink += Number.parseFloat(line.slice(0, space));
  const fields = line.lastIndexOf('\t');
  if (fields !== -1 && line.charCodeAt(fields + 1) === 123) sink += Object.keys(JSON.parse(line.slice(fields + 1)) as object).length;
});

const readlineReceiver: Receiver = (port, lines) =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    socket.on('error', reject);
    const reader = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    let count = 0;
    reader.on('line', () => {
      if (++count === lines) {
        reader.close();
        socket.destroy();
        resolve(performance.now() - started);
      }
    });
  });

/** Ours: the lines as `ForwarderLine`s, each handed to `use`, as a subscriber would. */
function ours(use: (line: ForwarderLine) => void): Receiver {
  return (port, lines) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      let count = 0;
      const subscription = tcpLogSource({ node: 'bench', host: '127.0.0.1', port, backoff: { initialMs: 60_000 } }).subscribe({
        next: (line) => {
          use(line);
          if (++count === lines) {
            resolve(performance.now() - started);
            subscription.unsubscribe();
          }
        },
        error: reject,
      });
    });
}

const raw = ours(() => sink++);
const parsed = ours((line) => {
  // A fully parsed storagenode event: the tab fields and the JSON of its piece.
  sink += line.entry.piece?.size ?? 0;
});
// A consumer that filters on the message first: the JSON is parsed only for what passes.
const filtered = ours((line) => {
  if (line.entry.message === 'downloaded') sink += line.entry.piece?.size ?? 0;
});

/**
 * Methods compared in one round, each round in a different order (a rotation), so that no
 * method always follows the same one; the ratios are taken within each round, between
 * runs seconds apart, and their median is reported: on a shared machine whose speed
 * moves within seconds, that is steadier than a ratio of medians taken rounds apart.
 */
async function rounds(port: number, lines: number, count: number, group: Record<string, Receiver>, measured: Measured): Promise<void> {
  const entries = Object.entries(group);
  for (let round = 0; round < count; round++) {
    for (let step = 0; step < entries.length; step++) {
      const [name, receive] = entries[(round + step) % entries.length] ?? [];
      if (name === undefined || receive === undefined) continue;
      // Page faults too: reading into fresh 64 KiB Buffers made tens of thousands per round (see README).
      const faults = process.resourceUsage().minorPageFault;
      (measured.times[name] ??= []).push(await receive(port, lines));
      (measured.faults[name] ??= []).push(process.resourceUsage().minorPageFault - faults);
    }
  }
}

/** Per method, one figure per round. */
interface Measured {
  readonly times: Record<string, number[]>;
  readonly faults: Record<string, number[]>;
}

/** The median over rounds of how many times faster `ours` was than `baseline` in the same round. */
function pairedRatio(times: Record<string, number[]>, ours: string, baseline: string): number {
  return medianRatio(times[baseline] ?? [], times[ours] ?? []);
}

export async function runIngest(quick: boolean): Promise<IngestResult> {
  const lines = quick ? 200_000 : 2_000_000;
  const sender = await startPeer('sender', { lines });
  const port = Number(sender.ready.port);
  try {
    const reading = { raw, splitterOnly, readlineReceiver };
    const parsing = { parsed, splitterParse, filtered };
    // One unmeasured pass first, so no method pays for the JIT warming up.
    for (const receive of Object.values({ ...reading, ...parsing })) await receive(port, Math.min(lines, 200_000));
    // Reading a line costs a few hundred ns, so its rounds are short and noisy: more of them.
    const measured: Measured = { times: {}, faults: {} };
    await rounds(port, lines, quick ? 1 : 7, reading, measured);
    await rounds(port, lines, quick ? 1 : 5, parsing, measured);
    const { times } = measured;
    const rate = (name: string): number => Math.round(lines / (median(times[name] ?? []) / 1000));
    return {
      raw_lines_per_s: rate('raw'),
      splitter_lines_per_s: rate('splitterOnly'),
      readline_lines_per_s: rate('readlineReceiver'),
      parsed_lines_per_s: rate('parsed'),
      splitter_parse_lines_per_s: rate('splitterParse'),
      filtered_lines_per_s: rate('filtered'),
      raw_vs_splitter: pairedRatio(times, 'raw', 'splitterOnly'),
      raw_vs_readline: pairedRatio(times, 'raw', 'readlineReceiver'),
      parsed_vs_splitter_parse: pairedRatio(times, 'parsed', 'splitterParse'),
      filtered_vs_splitter_parse: pairedRatio(times, 'filtered', 'splitterParse'),
      raw_page_faults: median(measured.faults.raw ?? []),
      splitter_page_faults: median(measured.faults.splitterOnly ?? []),
      bytes_per_line: Math.round(Number(sender.ready.bytesPerLine)),
      lines,
    };
  } finally {
    await sender.stop();
  }
}
