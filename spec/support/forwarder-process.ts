import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** The example forwarder (examples/forwarder.ts) in a process of its own, to be killed with SIGKILL. */
export class ForwarderProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts it and resolves once it listens (port 0: a free one, read back). */
  static async start(args: { file: string; stateDir?: string; port?: number; pollMs?: number }): Promise<ForwarderProcess> {
    const argv = [
      '--import',
      'tsx',
      'examples/forwarder.ts',
      '--file',
      args.file,
      '--listen',
      `127.0.0.1:${args.port ?? 0}`,
      '--poll-ms',
      String(args.pollMs ?? 20),
    ];
    if (args.stateDir !== undefined) argv.push('--state-dir', args.stateDir);
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const port = await new Promise<number>((resolvePort, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (match) resolvePort(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`forwarder exited with ${code}: ${output}`)));
    });
    return new ForwarderProcess(child, port);
  }

  /** SIGKILL: no cleanup, no last save. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}
