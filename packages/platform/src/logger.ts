/** Structured log lines: `<ISO time> <level> <component> <message> key=value…`, one per line. */
export interface Logger {
  info(component: string, message: string, fields?: Record<string, unknown>): void;
  warn(component: string, message: string, fields?: Record<string, unknown>): void;
  error(component: string, message: string, fields?: Record<string, unknown>): void;
}

function format(fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return '';
  return Object.entries(fields)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join('');
}

/** A logger writing to a stream (stderr by default), with time from `now`. */
export function streamLogger(write: (line: string) => void, now: () => number): Logger {
  const line = (level: string) => (component: string, message: string, fields?: Record<string, unknown>) => {
    write(`${new Date(now()).toISOString()} ${level} ${component} ${message}${format(fields)}\n`);
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

export const SILENT_LOGGER: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
