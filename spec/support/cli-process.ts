import { spawn, type ChildProcess } from 'node:child_process';

/** The example CLI (or another example) run as a user would, with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exit: Promise<number | null>;
}

/** Runs `examples/<script>` (the CLI by default) with `args` under tsx; `env` is added to the environment. */
export function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}, script = 'cli.ts'): CliProcess {
  return program([process.execPath, '--import', 'tsx', `examples/${script}`, ...args], { env });
}

/** Runs `command` (a program and its arguments, e.g. an installed bin) in `cwd`; `env` is added to the environment. */
export function program(command: readonly string[], options: { readonly env?: Readonly<Record<string, string>>; readonly cwd?: string } = {}): CliProcess {
  const [file = process.execPath, ...args] = command;
  const child = spawn(file, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (data: Buffer) => (output.stdout += String(data)));
  child.stderr?.on('data', (data: Buffer) => (output.stderr += String(data)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exit };
}
