import { CONFIG_HELP, parseConfig, startEmbedded, streamLogger } from '@wardstream/platform';
import type { CommandIo } from './io.js';

const HELP = `Usage: wardstream up [options]

Starts the whole platform in one process: the MQTT endpoint for devices, the durable telemetry
log, the processor, the hot store, and the HTTP API with live feeds and /metrics. Ctrl-C stops it
cleanly (stop intake, drain, commit, close); the next start resumes where it stopped.

${CONFIG_HELP}
`;

/** `wardstream up`: runs until SIGINT or SIGTERM, then shuts down in order. */
export async function upCommand(argv: string[], io: CommandIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const parsed = parseConfig(argv, io.env);
  if (!parsed.ok) {
    for (const error of parsed.errors) io.stderr.write(`wardstream up: ${error}\n`);
    return 2;
  }
  const logger = streamLogger(
    (line) => io.stderr.write(line),
    () => Date.now(),
  );
  const platform = await startEmbedded(parsed.config, { logger });
  io.stdout.write(
    `Wardstream is up.\n  MQTT  mqtt://${parsed.config.mqttHost}:${platform.mqttPort}  (topic wardstream/v1/devices/{deviceId}/telemetry)\n` +
      `  HTTP  http://${parsed.config.host}:${platform.httpPort}/api/v1  (OpenAPI at /api/v1/openapi.json, metrics at /metrics)\n` +
      `  data  ${parsed.config.dataDir}\nPress Ctrl-C to stop.\n`,
  );
  const signal = await new Promise<NodeJS.Signals | 'fatal'>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    platform.onFatal(() => resolve('fatal'));
  });
  logger.info('platform', `stopping (${signal})`);
  await platform.stop();
  logger.info('platform', 'stopped');
  return signal === 'fatal' ? 1 : 0;
}
