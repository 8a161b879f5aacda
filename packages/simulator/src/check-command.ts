import { parseFlags, stringFlag, UsageError, type CommandIo, type FlagSpecs } from './args.js';
import { checkDelivery, type StoredReadingKey } from './checker.js';
import { formatDeliveryReport } from './delivery-report.js';
import { readHistory } from './history-file.js';
import type { HistoryEvent } from './history.js';
import { fetchStoredReadings } from './readings-client.js';

const FLAGS: FlagSpecs = {
  help: 'boolean',
  history: 'string',
  api: 'string',
  token: 'string',
  'time-format': 'string',
  'ignore-other-runs': 'boolean',
  json: 'boolean',
};

const DEFAULT_API = 'http://127.0.0.1:8080';
const DAY_MS = 86_400_000;

const HELP = `Usage: wardstream check --history FILE [--api URL] [options]

Compares a \`wardstream simulate\` history with what the platform stored (read through
GET /api/v1/devices/{id}/readings) and prints the delivery report: attempted, acknowledged, stored,
lost (prefix/middle/suffix), recovered, unexpected, duplicated. Exits 1 when anything acknowledged
is lost, anything unexpected or duplicated is stored, or anything rejected is stored.

  --history FILE          the simulator's history (JSON lines)
  --api URL               the HTTP API (default ${DEFAULT_API})
  --token TOKEN           bearer token for the API
  --time-format iso|ms    how from/to are written in the query (default iso)
  --ignore-other-runs     leave out stored readings whose (device, boot) this history never used
  --json                  print the result as JSON instead of the report
`;

/** The event-time range a history's messages claim (skewed clocks included), as [fromAt, toAt). */
export function historyTimeRange(events: readonly HistoryEvent[]): { fromAt: number; toAt: number } {
  let fromAt = Infinity;
  let toAt = -Infinity;
  let lastAt = 0;
  for (const e of events) {
    lastAt = Math.max(lastAt, e.at);
    if (e.event !== 'sent' || e.ts === undefined) continue;
    fromAt = Math.min(fromAt, e.ts);
    toAt = Math.max(toAt, e.ts + 1);
  }
  // A history without event times (older files) is checked from 1970 to a day past its last event.
  return fromAt === Infinity ? { fromAt: 0, toAt: lastAt + DAY_MS } : { fromAt, toAt };
}

/**
 * `wardstream check …` (see --help). Returns 0 when the check passes, 1 when it fails or cannot be
 * made (history unreadable, API unreachable), 2 for a bad command line.
 */
export async function checkCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, FLAGS);
    if (flags.has('help')) {
      io.stdout.write(HELP);
      return 0;
    }
    if (stringFlag(flags, 'history') === undefined) throw new UsageError('--history FILE is required');
    const format = stringFlag(flags, 'time-format');
    if (format !== undefined && format !== 'iso' && format !== 'ms')
      throw new UsageError('--time-format must be iso or ms');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`wardstream check: ${err.message} (see --help)\n`);
    return 2;
  }
  const historyPath = stringFlag(flags, 'history') ?? '';
  try {
    const events = await readHistory(historyPath);
    if (events.length === 0) throw new Error(`the history ${historyPath} holds no events`);
    const deviceIds = [...new Set(events.map((e) => e.deviceId))].sort();
    const { readings, unknownDevices } = await fetchStoredReadings({
      apiUrl: stringFlag(flags, 'api') ?? DEFAULT_API,
      deviceIds,
      ...historyTimeRange(events),
      timeFormat: stringFlag(flags, 'time-format') === 'ms' ? 'ms' : 'iso',
      ...(stringFlag(flags, 'token') === undefined ? {} : { token: stringFlag(flags, 'token') ?? '' }),
    });
    if (unknownDevices.length > 0) {
      io.stderr.write(
        `wardstream check: the API does not know ${unknownDevices.length} device(s): ${unknownDevices.slice(0, 5).join(', ')}\n`,
      );
    }
    let stored: StoredReadingKey[] = readings;
    if (flags.has('ignore-other-runs')) {
      const boots = new Set(events.map((e) => `${e.deviceId}\u0000${e.boot}`));
      stored = readings.filter((r) => boots.has(`${r.deviceId}\u0000${r.boot}`));
    }
    const result = checkDelivery(events, stored);
    io.stdout.write(flags.has('json') ? JSON.stringify(result, null, 2) + '\n' : formatDeliveryReport(result));
    return result.ok ? 0 : 1;
  } catch (err) {
    io.stderr.write(`wardstream check: ${(err as Error).message}\n`);
    return 1;
  }
}
