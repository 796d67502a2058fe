import { spawn, type ChildProcess } from 'node:child_process';

/** The example CLI (or another example) run as a user would, with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exit: Promise<number | null>;
}

/** Runs `examples/<script>` (the CLI by default) with `args` under tsx; `env` is added to the environment. */
export function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}, script = 'cli.ts'): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${script}`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (data: Buffer) => (output.stdout += String(data)));
  child.stderr.on('data', (data: Buffer) => (output.stderr += String(data)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exit };
}
