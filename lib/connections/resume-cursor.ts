import createDebug from 'debug';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatPosition, parsePosition, type ResumePosition } from '../sources/resume-protocol.js';

const warn = createDebug('storj-monitor:log-reader:warn');

/**
 * A resuming log source's position (the forwarder's last checkpoint and the lines
 * received after it), kept in `file` when given, so that a restarted monitor resumes
 * too. It is written after every chunk of lines is handed on (a small synchronous
 * write and rename, no fsync: it survives the monitor being killed, not necessarily a
 * power cut), so a restart repeats nothing and loses nothing. A file that cannot be
 * read as a position is treated as none (the forwarder then sends from now on). A file
 * that cannot be written (a full disk, a read-only folder) is warned about on
 * `storj-monitor:log-reader:warn`, once while writes fail, and tried again at the next
 * save; the position is kept in memory meanwhile, so only a restart loses it.
 *
 * @example
 * ```ts
 * const cursor = new ResumeCursor('/var/lib/storj-monitor/node1.position');
 * cursor.position; // null before anything was received
 * ```
 */
export class ResumeCursor {
  /** The last checkpoint (or the position read back), with the lines received after it as a count: one more line is `skip++`, not a new object. */
  private base: ResumePosition | null;
  private skip: number;
  private savedBase: ResumePosition | null;
  private savedSkip: number;
  private failing = false;

  constructor(private readonly file?: string) {
    this.base = file === undefined ? null : readPosition(file);
    this.skip = this.base?.skip ?? 0;
    this.savedBase = this.base;
    this.savedSkip = this.skip;
  }

  /** Where to resume: `null` for "from now on". */
  get position(): ResumePosition | null {
    if (this.base === null || this.base.skip === this.skip) return this.base;
    return { ...this.base, skip: this.skip };
  }

  /** The forwarder's checkpoint: the lines that follow start there. */
  checkpoint(position: ResumePosition): void {
    this.base = { ...position, skip: 0 };
    this.skip = 0;
  }

  /** One more line received after the checkpoint (nothing while there is no position). */
  advance(): void {
    if (this.base !== null) this.skip++;
  }

  /** Forgets the position (the forwarder went plain: positions of before mean nothing there). */
  clear(): void {
    this.base = null;
    this.skip = 0;
  }

  /** Writes the position to `file` if it changed since the last write; never throws. */
  save(): void {
    if (this.file === undefined || (this.savedBase === this.base && this.savedSkip === this.skip)) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.tmp`;
      const position = this.position;
      writeFileSync(temporary, position === null ? '-\n' : `${formatPosition(position)}\n`);
      renameSync(temporary, this.file);
      this.savedBase = this.base;
      this.savedSkip = this.skip;
      this.failing = false;
    } catch (error) {
      if (!this.failing) warn('Cannot write the position file %s: %s (kept in memory, retrying at every save)', this.file, (error as Error).message);
      this.failing = true;
    }
  }
}

function readPosition(file: string): ResumePosition | null {
  try {
    return parsePosition(readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
}
