// 1. Ingest: forwarder lines through the TCP log source, against what a user could write
// instead, each receiving the same bytes from a sender in a child process.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { tcpLogSource, type ForwarderLine } from 'storj-monitor-rx';
import { median, startPeer } from './support.js';

export interface IngestResult {
  raw_lines_per_s: number;
  splitter_lines_per_s: number;
  readline_lines_per_s: number;
  parsed_lines_per_s: number;
  splitter_parse_lines_per_s: number;
  filtered_lines_per_s: number;
  bytes_per_line: number;
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

export async function runIngest(quick: boolean): Promise<IngestResult> {
  const lines = quick ? 200_000 : 2_000_000;
  const rounds = quick ? 1 : 3;
  const sender = await startPeer('sender', { lines });
  const port = Number(sender.ready.port);
  try {
    const receivers: Record<string, Receiver> = { raw, splitterOnly, readlineReceiver, parsed, splitterParse, filtered };
    const times: Record<string, number[]> = {};
    // One unmeasured pass first, so no method pays for the JIT warming up.
    for (const receive of Object.values(receivers)) await receive(port, Math.min(lines, 200_000));
    for (let round = 0; round < rounds; round++) {
      // Interleaved, so a noisy moment of the machine is shared by every method.
      for (const [name, receive] of Object.entries(receivers)) (times[name] ??= []).push(await receive(port, lines));
    }
    const rate = (name: string): number => Math.round(lines / (median(times[name] ?? []) / 1000));
    return {
      raw_lines_per_s: rate('raw'),
      splitter_lines_per_s: rate('splitterOnly'),
      readline_lines_per_s: rate('readlineReceiver'),
      parsed_lines_per_s: rate('parsed'),
      splitter_parse_lines_per_s: rate('splitterParse'),
      filtered_lines_per_s: rate('filtered'),
      bytes_per_line: Math.round(Number(sender.ready.bytesPerLine)),
    };
  } finally {
    await sender.stop();
  }
}

