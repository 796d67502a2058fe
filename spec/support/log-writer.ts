import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

/**
 * A storagenode writing its log, as the tests drive it: numbered lines appended through
 * an open file (O_APPEND, as the node's logger writes), rotated by rename or by
 * copytruncate the way logrotate does it. `written` is every line it wrote, in order.
 */
export class LogWriter {
  readonly written: string[] = [];
  private fd: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'a');
  }

  /** The text of line `n`: a storagenode line with a leading-whitespace-free ISO time and a number. */
  static line(n: number): string {
    return `2025-10-06T00:00:14-07:00\tINFO\tpiecestore\tdownloaded\t{"Piece ID": "P${n}", "Size": ${n}}`;
  }

  /** Appends `count` numbered lines (or the given text as one line), returns the bytes written. */
  write(count = 1): number {
    let bytes = 0;
    for (let index = 0; index < count; index++) bytes += this.append(LogWriter.line(this.written.length));
    return bytes;
  }

  /** Appends one line with this exact text. */
  append(text: string): number {
    this.written.push(text);
    return writeSync(this.fd, `${text}\n`);
  }

  /** Writes raw bytes (a line in the making). */
  raw(text: string): void {
    writeSync(this.fd, text);
  }

  /** logrotate without copytruncate: rename to `.1`; the node writes on through its open file until it reopens. */
  renameAway(suffix = '.1'): string {
    const rotated = `${this.file}${suffix}`;
    renameSync(this.file, rotated);
    return rotated;
  }

  /** The node reopens its log at the path (after a rename rotation). */
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
  }

  /** logrotate's copytruncate: copy to `.1`, then truncate the file in place (the node keeps writing to it). */
  copyTruncate(suffix = '.1'): string {
    const rotated = `${this.file}${suffix}`;
    copyFileSync(this.file, rotated);
    ftruncateSync(this.fd, 0);
    return rotated;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A fresh directory under the system's temp dir; `remove()` deletes it. */
export function tempDirectory(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'storj-forwarder-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Every line written arrived once, in order: nothing lost, nothing repeated. */
export function expectExactly(received: readonly string[], written: readonly string[]): void {
  const seen = new Set<string>();
  const repeated = received.filter((line) => seen.has(line) || !seen.add(line));
  const lost = written.filter((line) => !seen.has(line));
  expect({ lost: lost.length, repeated: repeated.length }, `lost ${lost.slice(0, 3).join(' | ')}; repeated ${repeated.slice(0, 3).join(' | ')}`).to.deep.equal({
    lost: 0,
    repeated: 0,
  });
  expect(received).to.deep.equal(written);
}
