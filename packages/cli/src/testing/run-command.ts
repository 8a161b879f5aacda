import { Readable } from 'node:stream';
import type { Command } from '../io.js';

/** What a command run printed, and its exit code. */
export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Standard input, fed in these chunks (absent: the command has no stdin). */
  readonly stdin?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs `command` (e.g. `main`, or one command's function) on `argv` with captured output, as a test does. */
export async function runCommand(command: Command, argv: string[], options: RunOptions = {}): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: options.env ?? {},
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([...options.stdin]) }),
  };
  const code = await command(argv, io);
  return { code, stdout, stderr };
}
