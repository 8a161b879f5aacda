import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_EVENT_TIME_POLICY,
  DEFAULT_WIRE_LIMITS,
  type EventTimePolicy,
  type WireLimits,
} from '@wardstream/domain';
import { DEFAULT_ENGINE_POLICY, parseEnginePolicy, type EnginePolicy } from '@wardstream/clinical';
import { DEFAULT_MQTT_PORT, type MqttTlsConfig } from '../config.js';

/** The roles of the scaled-out shape (DESIGN 2): each a process of its own, any number of each. */
export type Role = 'gateway' | 'processor' | 'api';

/** What every role needs: where NATS and PostgreSQL are, and how the telemetry log is laid out. */
export interface ClusterConfig {
  /** NATS servers (`nats://host:port`), any of the cluster's. */
  readonly natsServers: readonly string[];
  readonly postgresUrl: string;
  /** The PostgreSQL schema holding every table. */
  readonly pgSchema: string;
  /** Names the streams (`<prefix>_P<n>`) and buckets of the telemetry log and the leases. */
  readonly streamPrefix: string;
  /** Telemetry log partitions: the same for every role, fixed once the streams exist. */
  readonly partitions: number;
  /** JetStream replicas of the streams and buckets: 3 on a 3-node cluster. */
  readonly replicas: number;
  /** The window in which JetStream recognises a re-sent message by its id. */
  readonly duplicateWindowMs: number;
  /** Where the role's /health and /metrics listen (the api role serves them on its own port). */
  readonly healthHost: string;
  readonly healthPort: number;
}

export interface GatewayConfig extends ClusterConfig {
  readonly role: 'gateway';
  readonly mqttHost: string;
  readonly mqttPort: number;
  readonly mqttTls: MqttTlsConfig;
  /** The platform CA and the revocation list, when the gateways share one (`wardstream certs`). */
  readonly keyDir: string;
  readonly devPlaintextMqttPort: number | undefined;
  readonly wire: WireLimits;
}

export interface ProcessorConfig extends ClusterConfig {
  readonly role: 'processor';
  /** Unique among running processors; a restarted process should take a new one. */
  readonly memberId: string;
  readonly leaseTtlMs: number;
  readonly eventTime: EventTimePolicy;
  /** The clinical engines' local policy (`--clinical-policy`, as for `wardstream up`), else the default. */
  readonly clinicalPolicy: EnginePolicy;
}

export interface ApiConfig extends ClusterConfig {
  readonly role: 'api';
  readonly host: string;
  readonly httpPort: number;
  readonly oidc: { readonly issuer: string; readonly jwksUrl: string; readonly audience: string };
  /** HTTPS with the hospital's certificate; required unless the API listens on loopback only (behind a proxy). */
  readonly httpTls: { readonly certPath: string; readonly keyPath: string } | undefined;
}

export type RoleConfig = GatewayConfig | ProcessorConfig | ApiConfig;

export type ParsedRoleConfig<C> =
  { readonly ok: true; readonly config: C } | { readonly ok: false; readonly errors: string[] };

interface OptionSpec {
  readonly env: string;
  readonly roles: readonly Role[];
  readonly help: string;
}

const ALL: readonly Role[] = ['gateway', 'processor', 'api'];

/** Every option of the roles: a flag, a `WARDSTREAM_*` variable, or a key of the `--config` file. */
const OPTIONS: Record<string, OptionSpec> = {
  config: { env: 'WARDSTREAM_CONFIG', roles: ALL, help: 'JSON file of options (keys as the flags, without --)' },
  nats: { env: 'WARDSTREAM_NATS', roles: ALL, help: 'NATS servers, comma-separated nats://host:port (required)' },
  postgres: { env: 'WARDSTREAM_POSTGRES', roles: ALL, help: 'PostgreSQL URL postgres://user@host:port/db (required)' },
  'pg-schema': { env: 'WARDSTREAM_PG_SCHEMA', roles: ALL, help: 'PostgreSQL schema (default wardstream)' },
  'stream-prefix': {
    env: 'WARDSTREAM_STREAM_PREFIX',
    roles: ALL,
    help: 'JetStream names prefix (default WS_TELEMETRY)',
  },
  partitions: {
    env: 'WARDSTREAM_PARTITIONS',
    roles: ALL,
    help: 'telemetry log partitions, same in every role (default 16)',
  },
  replicas: {
    env: 'WARDSTREAM_REPLICAS',
    roles: ALL,
    help: 'JetStream replicas, 1..5 (default 1; 3 on a 3-node cluster)',
  },
  'duplicate-window-ms': {
    env: 'WARDSTREAM_DUPLICATE_WINDOW_MS',
    roles: ALL,
    help: 'how long JetStream recognises a re-sent message (default 120000)',
  },
  'health-host': {
    env: 'WARDSTREAM_HEALTH_HOST',
    roles: ['gateway', 'processor'],
    help: 'address of /health and /metrics (default 127.0.0.1)',
  },
  'health-port': {
    env: 'WARDSTREAM_HEALTH_PORT',
    roles: ['gateway', 'processor'],
    help: 'port of /health and /metrics (default 9464; 0 picks one)',
  },
  'mqtt-host': {
    env: 'WARDSTREAM_MQTT_HOST',
    roles: ['gateway'],
    help: 'address of the MQTT endpoint (default 127.0.0.1)',
  },
  'mqtt-port': {
    env: 'WARDSTREAM_MQTT_PORT',
    roles: ['gateway'],
    help: `MQTT port for devices (default ${DEFAULT_MQTT_PORT})`,
  },
  'mqtt-tls-cert': {
    env: 'WARDSTREAM_MQTT_TLS_CERT',
    roles: ['gateway'],
    help: "server certificate (PEM) from the hospital's PKI",
  },
  'mqtt-tls-key': { env: 'WARDSTREAM_MQTT_TLS_KEY', roles: ['gateway'], help: 'its key (PEM)' },
  'mqtt-tls-ca': {
    env: 'WARDSTREAM_MQTT_TLS_CA',
    roles: ['gateway'],
    help: "the CA(s) devices' certificates chain to (PEM)",
  },
  'key-dir': {
    env: 'WARDSTREAM_KEY_DIR',
    roles: ['gateway'],
    help: 'the platform CA and revocation list shared by the gateways (without --mqtt-tls-*)',
  },
  'dev-plaintext-mqtt-port': {
    env: 'WARDSTREAM_DEV_PLAINTEXT_MQTT_PORT',
    roles: ['gateway'],
    help: 'development only: plain MQTT on 127.0.0.1 trusting the client id',
  },
  'max-payload-bytes': { env: 'WARDSTREAM_MAX_PAYLOAD_BYTES', roles: ['gateway'], help: 'largest payload accepted' },
  'clock-skew-tolerance-ms': {
    env: 'WARDSTREAM_CLOCK_SKEW_TOLERANCE_MS',
    roles: ['gateway'],
    help: 'device clock tolerance',
  },
  'member-id': {
    env: 'WARDSTREAM_MEMBER_ID',
    roles: ['processor'],
    help: 'unique processor name (default <host>-<pid>)',
  },
  'lease-ttl-ms': {
    env: 'WARDSTREAM_LEASE_TTL_MS',
    roles: ['processor'],
    help: "how long a dead processor's partitions wait for a new owner (default 10000)",
  },
  'allowed-lateness-ms': {
    env: 'WARDSTREAM_ALLOWED_LATENESS_MS',
    roles: ['processor'],
    help: 'lateness before readings are flagged late',
  },
  'clinical-policy': {
    env: 'WARDSTREAM_CLINICAL_POLICY',
    roles: ['processor'],
    help: 'JSON of local clinical policy, as for `wardstream up` (docs/CLINICAL.md); same file on every processor',
  },
  host: { env: 'WARDSTREAM_HOST', roles: ['api'], help: 'address of the HTTP API (default 127.0.0.1)' },
  'http-port': { env: 'WARDSTREAM_HTTP_PORT', roles: ['api'], help: 'HTTP API port (default 8080)' },
  'oidc-issuer': { env: 'WARDSTREAM_OIDC_ISSUER', roles: ['api'], help: "the hospital's OIDC issuer (required)" },
  'oidc-jwks-url': { env: 'WARDSTREAM_OIDC_JWKS_URL', roles: ['api'], help: 'its JWKS URL (required)' },
  'http-tls-cert': { env: 'WARDSTREAM_HTTP_TLS_CERT', roles: ['api'], help: 'HTTPS certificate (PEM)' },
  'http-tls-key': { env: 'WARDSTREAM_HTTP_TLS_KEY', roles: ['api'], help: 'its key (PEM); required off loopback' },
  'oidc-audience': {
    env: 'WARDSTREAM_OIDC_AUDIENCE',
    roles: ['api'],
    help: 'the "aud" tokens carry (default wardstream)',
  },
};

/** The options of one role, for its --help. */
export function roleHelp(role: Role): string {
  const lines = Object.entries(OPTIONS)
    .filter(([, o]) => o.roles.includes(role))
    .map(([name, o]) => `  --${name.padEnd(24)} ${o.help} [${o.env}]`);
  return `Options (flag, else WARDSTREAM_* variable, else --config file key, else default):\n${lines.join('\n')}\n`;
}

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parses a role's options from flags, `WARDSTREAM_*` variables and a JSON `--config` file, in
 * that order of precedence, and validates them: every problem is listed at once, and an option or
 * variable this role does not know is a problem (a misspelling must not become a default).
 */
export function parseRoleConfig(
  role: Role,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedRoleConfig<RoleConfig> {
  const errors: string[] = [];
  const mine = Object.entries(OPTIONS).filter(([, o]) => o.roles.includes(role));
  let flags: Record<string, string | boolean | undefined> = {};
  try {
    flags = parseArgs({
      args: [...argv],
      options: Object.fromEntries(mine.map(([name]) => [name, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
  for (const name of Object.keys(env)) {
    if (!name.startsWith('WARDSTREAM_')) continue;
    const known = mine.some(([, o]) => o.env === name);
    if (!known) errors.push(`${name} is not an option of the ${role} role`);
  }
  const configPath = typeof flags.config === 'string' ? flags.config : env.WARDSTREAM_CONFIG;
  const file =
    configPath === undefined
      ? {}
      : readConfigFile(
          configPath,
          role,
          mine.map(([n]) => n),
          errors,
        );
  const get = (name: string): string | undefined => {
    const flag = flags[name];
    if (typeof flag === 'string') return flag;
    const spec = OPTIONS[name];
    const fromEnv = spec === undefined ? undefined : env[spec.env];
    if (fromEnv !== undefined) return fromEnv;
    return file[name];
  };
  const label = (name: string) => `--${name} (${OPTIONS[name]?.env ?? ''})`;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      errors.push(`${label(name)}: "${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const required = (name: string): string => {
    const raw = get(name);
    if (raw === undefined || raw === '') errors.push(`${label(name)} is required`);
    return raw ?? '';
  };

  const natsServers = required('nats')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const server of natsServers) {
    if (!/^(nats|tls):\/\/[^/\s]+$/.test(server)) errors.push(`${label('nats')}: "${server}" is not nats://host:port`);
  }
  const postgresUrl = required('postgres');
  if (postgresUrl !== '' && !/^postgres(ql)?:\/\//.test(postgresUrl)) {
    errors.push(`${label('postgres')}: "${postgresUrl}" is not a postgres:// URL`);
  }
  const pgSchema = get('pg-schema') ?? 'wardstream';
  if (!SCHEMA.test(pgSchema)) errors.push(`${label('pg-schema')}: "${pgSchema}" must match [a-z_][a-z0-9_]{0,62}`);
  const streamPrefix = get('stream-prefix') ?? 'WS_TELEMETRY';
  if (!NAME.test(streamPrefix))
    errors.push(`${label('stream-prefix')}: "${streamPrefix}" must be 1-32 letters, digits, - or _`);
  const cluster: ClusterConfig = {
    natsServers,
    postgresUrl,
    pgSchema,
    streamPrefix,
    partitions: int('partitions', 16, 1, 256),
    replicas: int('replicas', 1, 1, 5),
    duplicateWindowMs: int('duplicate-window-ms', 120_000, 1_000, 7 * 86_400_000),
    healthHost: get('health-host') ?? '127.0.0.1',
    healthPort: int('health-port', 9464, 0, 65535),
  };

  let config: RoleConfig;
  if (role === 'gateway') {
    const cert = get('mqtt-tls-cert');
    const key = get('mqtt-tls-key');
    const ca = get('mqtt-tls-ca');
    const given = [cert, key, ca].filter((v) => v !== undefined).length;
    if (given !== 0 && given !== 3) errors.push('--mqtt-tls-cert, --mqtt-tls-key and --mqtt-tls-ca go together');
    const keyDir = get('key-dir');
    if (given === 0 && keyDir === undefined) {
      errors.push("give the hospital's TLS files (--mqtt-tls-cert/-key/-ca) or the shared platform CA (--key-dir)");
    }
    const plaintext = get('dev-plaintext-mqtt-port');
    config = {
      ...cluster,
      role,
      mqttHost: get('mqtt-host') ?? '127.0.0.1',
      mqttPort: int('mqtt-port', DEFAULT_MQTT_PORT, 0, 65535),
      mqttTls:
        cert !== undefined && key !== undefined && ca !== undefined
          ? { kind: 'files', certPath: resolve(cert), keyPath: resolve(key), caPath: resolve(ca) }
          : { kind: 'platform-ca' },
      keyDir: resolve(keyDir ?? 'wardstream-keys'),
      devPlaintextMqttPort:
        plaintext === undefined || plaintext === '' ? undefined : int('dev-plaintext-mqtt-port', 0, 0, 65535),
      wire: {
        ...DEFAULT_WIRE_LIMITS,
        maxPayloadBytes: int('max-payload-bytes', DEFAULT_WIRE_LIMITS.maxPayloadBytes, 256, 16 * 1024 * 1024),
        clockSkewToleranceMs: int('clock-skew-tolerance-ms', DEFAULT_WIRE_LIMITS.clockSkewToleranceMs, 0, 86_400_000),
      },
    };
  } else if (role === 'processor') {
    const memberId =
      get('member-id') ??
      `${hostname()
        .replace(/[^A-Za-z0-9_-]/g, '_')
        .slice(0, 40)}-${process.pid}`;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(memberId)) {
      errors.push(`${label('member-id')}: "${memberId}" must be 1-64 letters, digits, - or _`);
    }
    const policyPath = get('clinical-policy');
    let clinicalPolicy = DEFAULT_ENGINE_POLICY;
    if (policyPath !== undefined && policyPath !== '') {
      try {
        clinicalPolicy = parseEnginePolicy(JSON.parse(readFileSync(resolve(policyPath), 'utf8')));
      } catch (err) {
        errors.push(`${label('clinical-policy')}: ${policyPath}: ${(err as Error).message}`);
      }
    }
    config = {
      ...cluster,
      role,
      memberId,
      clinicalPolicy,
      leaseTtlMs: int('lease-ttl-ms', 10_000, 1_000, 600_000),
      eventTime: {
        ...DEFAULT_EVENT_TIME_POLICY,
        allowedLatenessMs: int('allowed-lateness-ms', DEFAULT_EVENT_TIME_POLICY.allowedLatenessMs, 0, 86_400_000),
      },
    };
  } else {
    const host = get('host') ?? '127.0.0.1';
    const tlsCert = get('http-tls-cert');
    const tlsKey = get('http-tls-key');
    if ((tlsCert === undefined) !== (tlsKey === undefined))
      errors.push('--http-tls-cert and --http-tls-key go together');
    if (tlsCert === undefined && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
      errors.push(
        `--host ${host} would serve bearer tokens and patient data over plain HTTP on the network: give --http-tls-cert/-key, or listen on loopback behind a TLS-terminating proxy`,
      );
    }
    config = {
      ...cluster,
      role,
      httpTls:
        tlsCert !== undefined && tlsKey !== undefined
          ? { certPath: resolve(tlsCert), keyPath: resolve(tlsKey) }
          : undefined,
      host,
      httpPort: int('http-port', 8080, 0, 65535),
      oidc: {
        issuer: required('oidc-issuer'),
        jwksUrl: required('oidc-jwks-url'),
        audience: get('oidc-audience') ?? 'wardstream',
      },
    };
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

/** The `--config` file: a JSON object whose keys are this role's option names (values strings or numbers). */
function readConfigFile(path: string, role: Role, names: readonly string[], errors: string[]): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    errors.push(`--config ${path}: ${(err as Error).message}`);
    return {};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    errors.push(`--config ${path}: must be a JSON object of options`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!names.includes(key) || key === 'config') {
      errors.push(`--config ${path}: "${key}" is not an option of the ${role} role`);
    } else if (typeof value === 'string' || typeof value === 'number') {
      out[key] = String(value);
    } else {
      errors.push(`--config ${path}: "${key}" must be a string or a number`);
    }
  }
  return out;
}
