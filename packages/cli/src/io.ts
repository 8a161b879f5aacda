/** Where a command reads and writes: injected so tests use buffers instead of touching process streams. */
export interface CommandIo {
  /** Standard input, for commands that read it (absent: such a command needs a file argument). */
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A command of the `wardstream` CLI: argv after the command name → exit code. */
export type Command = (argv: string[], io: CommandIo) => Promise<number>;
