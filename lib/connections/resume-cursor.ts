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
  private current: ResumePosition | null;
  private saved: ResumePosition | null;
  private failing = false;

  constructor(private readonly file?: string) {
    this.current = file === undefined ? null : readPosition(file);
    this.saved = this.current;
  }

  /** Where to resume: `null` for "from now on". */
  get position(): ResumePosition | null {
    return this.current;
  }

  /** The forwarder's checkpoint: the lines that follow start there. */
  checkpoint(position: ResumePosition): void {
    this.current = { ...position, skip: 0 };
  }

  /** One more line received after the checkpoint (nothing while there is no position). */
  advance(): void {
    if (this.current !== null) this.current = { ...this.current, skip: this.current.skip + 1 };
  }

  /** Forgets the position (the forwarder went plain: positions of before mean nothing there). */
  clear(): void {
    this.current = null;
  }

  /** Writes the position to `file` if it changed since the last write; never throws. */
  save(): void {
    if (this.file === undefined || this.saved === this.current) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.tmp`;
      writeFileSync(temporary, this.current === null ? '-\n' : `${formatPosition(this.current)}\n`);
      renameSync(temporary, this.file);
      this.saved = this.current;
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
