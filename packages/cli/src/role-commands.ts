import { streamLogger } from '@wardstream/platform';
import type { Command, CommandIo } from './io.js';

type Role = 'gateway' | 'processor' | 'api';

const ROLE_SUMMARY: Record<Role, string> = {
  gateway:
    'The MQTT endpoint for devices: validates each message, appends it to the JetStream telemetry log and\nanswers PUBACK once JetStream acknowledged it. Stateless: run as many as you like behind any balancer.',
  processor:
    'Takes a share of the telemetry log partitions (leases in NATS KV, rebalanced as processors come and\ngo) and writes their readings to PostgreSQL, each partition from its own checkpoint.',
  api: 'The HTTP API and live feeds on PostgreSQL, with tokens from the hospital OIDC provider.',
};

/** The first SIGINT or SIGTERM from now on (listened for before the role starts). */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** How long a clean stop may take (batches finished, leases handed over) before the process exits anyway. */
const STOP_DEADLINE_MS = 30_000;

/** `wardstream gateway|processor|api`: one role of the scaled-out shape, until SIGINT or SIGTERM. */
export function roleCommand(role: Role): Command {
  return async (argv: string[], io: CommandIo): Promise<number> => {
    const scaled = await import('@wardstream/platform/scaled');
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(
        `Usage: wardstream ${role} [options]\n\n${ROLE_SUMMARY[role]}\nSee docs/DEPLOYMENT.md.\n\n${scaled.roleHelp(role)}`,
      );
      return 0;
    }
    const parsed = scaled.parseRoleConfig(role, argv, io.env);
    if (!parsed.ok) {
      for (const error of parsed.errors) io.stderr.write(`wardstream ${role}: ${error}\n`);
      return 2;
    }
    const logger = streamLogger(
      (line) => io.stderr.write(line),
      () => Date.now(),
    );
    const { config } = parsed;
    // Listened for before the start: a signal during it stops what has started, in order.
    const signal = nextSignal();
    const starting =
      config.role === 'gateway'
        ? scaled.startGatewayRole(config, { logger })
        : config.role === 'processor'
          ? scaled.startProcessorRole(config, { logger })
          : scaled.startApiRole(config, { logger });
    const first = await Promise.race([starting.then(() => 'up' as const), signal]);
    const running: { stop(): Promise<void> } = await starting;
    if (first === 'up') {
      io.stdout.write(`wardstream ${role} is up. Ctrl-C stops it.\n`);
      logger.info(role, `stopping (${await signal})`);
    } else {
      logger.info(role, `stopping (${first}, during the start)`);
    }
    const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), STOP_DEADLINE_MS).unref());
    const stopped = await Promise.race([running.stop().then(() => 'stopped' as const), deadline]);
    if (stopped === 'late') {
      logger.error(role, `did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`);
      return 1;
    }
    logger.info(role, 'stopped');
    return 0;
  };
}

const MIGRATE_HELP = `Usage: wardstream migrate --postgres URL [--pg-schema NAME]

Creates or upgrades the PostgreSQL tables of the scaled-out shape (registry, readings, clinical) to
this release and prints what it applied. Safe to run at any time and more than once; the roles also
migrate at start. [WARDSTREAM_POSTGRES, WARDSTREAM_PG_SCHEMA]
`;

/** `wardstream migrate`: runs the schema migrations of every PostgreSQL adapter. */
export const migrateCommand: Command = async (argv, io) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(MIGRATE_HELP);
    return 0;
  }
  const { parseArgs } = await import('node:util');
  let values: { postgres?: string | undefined; 'pg-schema'?: string | undefined };
  try {
    values = parseArgs({
      args: argv,
      options: { postgres: { type: 'string' }, 'pg-schema': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.stderr.write(`wardstream migrate: ${(err as Error).message}\n`);
    return 2;
  }
  const url = values.postgres ?? io.env.WARDSTREAM_POSTGRES;
  const schema = values['pg-schema'] ?? io.env.WARDSTREAM_PG_SCHEMA ?? 'wardstream';
  if (url === undefined || url === '') {
    io.stderr.write('wardstream migrate: --postgres (WARDSTREAM_POSTGRES) is required\n');
    return 2;
  }
  const { migrateAll } = await import('@wardstream/platform/scaled');
  for (const report of await migrateAll(url, schema)) {
    const what = report.applied.length === 0 ? 'up to date' : `applied ${report.applied.join(', ')}`;
    io.stdout.write(`${report.component.padEnd(9)} ${report.schema}: ${what} (version ${report.version})\n`);
  }
  return 0;
};
