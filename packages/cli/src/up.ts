import { isIP } from 'node:net';
import {
  CONFIG_HELP,
  parseConfig,
  startEmbedded,
  streamLogger,
  type EmbeddedConfig,
  type EmbeddedPlatform,
} from '@wardstream/platform';
import type { CommandIo } from './io.js';

const HELP = `Usage: wardstream up [options]

Starts the whole platform in one process: the MQTT endpoint for devices, the durable telemetry
log, the processor, the hot store, and the HTTP API with live feeds and /metrics. Ctrl-C stops it
cleanly (stop intake, drain, commit, close); the next start resumes where it stopped.

${CONFIG_HELP}
`;

/** A listening address as it goes in a URL: wildcard → 127.0.0.1, IPv6 bracketed. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** What an operator needs after a start: where everything listens, and how to get in the first time. */
export async function banner(config: EmbeddedConfig, platform: EmbeddedPlatform): Promise<string> {
  const lines = [
    'Wardstream is up.',
    `  MQTT  mqtts://${urlHost(config.mqttHost)}:${platform.mqttPort}  mutual TLS; device id = certificate CN; topic wardstream/v1/devices/{deviceId}/telemetry`,
  ];
  if (platform.devPlaintextMqttPort !== undefined) {
    lines.push(
      `  MQTT  mqtt://127.0.0.1:${platform.devPlaintextMqttPort}  DEVELOPMENT ONLY: plain TCP, trusts the client id`,
    );
  }
  if (platform.enrollmentPort !== undefined && config.enrollment !== undefined) {
    lines.push(
      `  ENROL https://${urlHost(config.enrollment.host)}:${platform.enrollmentPort}/enroll/v1  zero-touch enrollment`,
    );
  }
  lines.push(
    `  HTTP  ${config.httpTls.kind === 'off' ? 'http' : 'https'}://${urlHost(config.host)}:${platform.httpPort}/api/v1  bearer token required (OpenAPI at /api/v1/openapi.json)`,
    `  data  ${config.dataDir}`,
    `  keys  ${config.keyDir}  (device CA, token-signing and audit keys: back up separately)`,
  );
  const dirFlag = `--data-dir ${config.dataDir}`;
  // The certs and token commands find the keys by --data-dir only when they are in <data-dir>-keys.
  const keyFlag = config.keyDir === `${config.dataDir}-keys` ? dirFlag : `--key-dir ${config.keyDir}`;
  if (platform.identity !== undefined && (await platform.identity.listUsers()).length === 0) {
    lines.push(
      'No user yet. Create the first administrator (there is no default password):',
      `  npx wardstream users create-admin admin ${dirFlag}`,
    );
  }
  lines.push(
    `Device certificates: npx wardstream certs issue DEVICE_ID ${keyFlag}`,
    `A token for scripts on this machine: npx wardstream token --subject me --role nurse --wards demo-ward ${keyFlag}`,
    'Press Ctrl-C to stop.',
  );
  return `${lines.join('\n')}\n`;
}

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
  const { config } = parsed;
  const platform = await startEmbedded(config, { logger });
  io.stdout.write(await banner(config, platform));
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
