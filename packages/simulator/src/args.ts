/** A command line that cannot be used; the message says what is wrong with it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The flags a command accepts: `string` flags take a value (`--x v` or `--x=v`), `boolean` ones none. */
export type FlagSpecs = Readonly<Record<string, 'string' | 'boolean'>>;

/** Parsed flags: name → value (`true` for boolean flags that were given). */
export type Flags = ReadonlyMap<string, string | true>;

/** Parses `--name value`, `--name=value` and `--flag`. Throws UsageError for anything else or a repeat. */
export function parseFlags(argv: readonly string[], specs: FlagSpecs): Flags {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = specs[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

/** A string flag's value, or undefined when absent. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/**
 * A numeric flag's value, or undefined when absent. Throws UsageError when it is not a number, not an
 * integer where one is required, or below `min`.
 */
export function numberFlag(
  flags: Flags,
  name: string,
  rules: { readonly integer?: boolean; readonly min?: number; readonly max?: number } = {},
): number | undefined {
  const text = stringFlag(flags, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, not "${text}"`);
  if (rules.integer === true && !Number.isSafeInteger(value)) throw new UsageError(`--${name} must be a whole number`);
  if (rules.min !== undefined && value < rules.min) throw new UsageError(`--${name} must be at least ${rules.min}`);
  if (rules.max !== undefined && value > rules.max) throw new UsageError(`--${name} must be at most ${rules.max}`);
  return value;
}

/** Output streams of a command (process.stdout/stderr, or buffers in tests). */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Stop requests of a command that drains before it exits: Ctrl-C once stops and drains, twice stops at once. */
export interface InterruptSignals {
  /** Aborted at the first SIGINT/SIGTERM: stop sending, wait for outstanding answers. */
  readonly stop: AbortController;
  /** Aborted at the second: stop at once. */
  readonly force: AbortController;
  /** Removes the handlers (call when the command ends). */
  readonly dispose: () => void;
}

/** Installs the two-step Ctrl-C handling; `label` starts the line telling the user what happens. */
export function interruptOnSignals(stderr: { write(text: string): unknown }, label: string): InterruptSignals {
  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) {
      force.abort();
      return;
    }
    stderr.write(`${label}: stopping (waiting for outstanding answers; Ctrl-C again to stop at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop,
    force,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
