/** Where a command writes: injected so tests capture output instead of touching process streams. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A command of the `wardstream` CLI: argv after the command name → exit code. */
export type Command = (argv: string[], io: CommandIo) => Promise<number>;
