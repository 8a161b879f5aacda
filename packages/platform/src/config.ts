import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_EVENT_TIME_POLICY,
  DEFAULT_WIRE_LIMITS,
  type EventTimePolicy,
  type WireLimits,
} from '@wardstream/domain';

/**
 * Mutual TLS of the MQTT endpoint; a device's id is its certificate's CN either way. `platform-ca`
 * (the default): the deployment's own CA in `<key-dir>/ca` (created at first start) issues the
 * server certificate and vouches for devices (`wardstream certs`). `files`: the hospital's PKI —
 * PEM paths of the server certificate, its key and the CA(s) devices' certificates chain to.
 */
export type MqttTlsConfig =
  | { readonly kind: 'platform-ca' }
  | { readonly kind: 'files'; readonly certPath: string; readonly keyPath: string; readonly caPath: string };

/**
 * Who issues the bearer tokens the HTTP API accepts. `embedded`: the platform's own issuer (keys in
 * `<key-dir>/oidc`, users in `<data-dir>/identity.db`, `wardstream users`). `external`: the hospital's
 * OIDC provider, whose keys are fetched from `jwksUrl` (rotation followed without a restart).
 */
export type TokenIssuerConfig =
  | { readonly kind: 'embedded'; readonly issuer: string; readonly audience: string }
  | { readonly kind: 'external'; readonly issuer: string; readonly audience: string; readonly jwksUrl: string };

/**
 * TLS of the HTTP API. `off`: plain HTTP (loopback, or behind a TLS-terminating proxy when chosen
 * explicitly). `platform-ca`: HTTPS with the certificate the platform's CA issues for its listeners.
 * `files`: HTTPS with the hospital's certificate.
 */
export type HttpTlsConfig =
  | { readonly kind: 'off' }
  | { readonly kind: 'platform-ca' }
  | { readonly kind: 'files'; readonly certPath: string; readonly keyPath: string };

/** Zero-touch enrollment over HTTPS with manufacturer (bootstrap) certificates; off unless configured. */
export interface EnrollmentConfig {
  readonly host: string;
  readonly port: number;
  readonly policyPath: string;
}

/** The embedded shape: one process, one data directory, no external service (DESIGN 2). */
export interface EmbeddedConfig {
  readonly kind: 'embedded';
  readonly dataDir: string;
  /**
   * Keys that vouch for the data, kept outside the data directory (default `<data-dir>-keys`): the
   * device CA (`ca/`), the token-signing keys (`oidc/`), the audit-checkpoint key.
   */
  readonly keyDir: string;
  /** Directory of the audit-checkpoint signing key (default: the key directory). */
  readonly auditKeyDir: string;
  /** Address of the HTTP API. */
  readonly host: string;
  readonly httpTls: HttpTlsConfig;
  /** Address of the MQTT endpoint for devices; defaults to `host`. */
  readonly mqttHost: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly mqttTls: MqttTlsConfig;
  /**
   * The device CA's certificate and key when the hospital's PKI supplies it (an intermediate issued
   * for Wardstream); undefined: the platform's own, created in `<key-dir>/ca`. Either way the
   * inventory and the revocation list are kept in `<key-dir>/ca`.
   */
  readonly deviceCa: { readonly certPath: string; readonly keyPath: string } | undefined;
  /**
   * Development only: a second, plain-TCP MQTT listener on 127.0.0.1 that trusts the MQTT client id
   * (anyone on the machine can claim any device). Undefined (the default): no plaintext listener.
   */
  readonly devPlaintextMqttPort: number | undefined;
  readonly tokens: TokenIssuerConfig;
  readonly enrollment: EnrollmentConfig | undefined;
  readonly partitions: number;
  readonly flushIntervalMs: number;
  readonly wire: WireLimits;
  readonly eventTime: EventTimePolicy;
  /** Simulated patients started with the platform (`--demo N`); 0 for none. */
  readonly demoPatients: number;
  /** Messages per second per simulated device. */
  readonly demoRatePerDevice: number;
  /** JSON file of alert webhook targets (docs/WEBHOOKS.md); none when undefined. */
  readonly webhooksPath: string | undefined;
  /** JSON file of the clinical engine's local policy (docs/CLINICAL.md); defaults when undefined. */
  readonly clinicalPolicyPath: string | undefined;
}

export type Config = EmbeddedConfig;

export const DEFAULT_HTTP_PORT = 8080;
/** 1883 is left to a site's own broker; the gateway is not a general broker. */
export const DEFAULT_MQTT_PORT = 1884;

/** Option name → environment variable: every option can also come from `WARDSTREAM_*`. */
const OPTIONS = {
  'data-dir': { type: 'string', env: 'WARDSTREAM_DATA_DIR' },
  'key-dir': { type: 'string', env: 'WARDSTREAM_KEY_DIR' },
  'audit-key-dir': { type: 'string', env: 'WARDSTREAM_AUDIT_KEY_DIR' },
  host: { type: 'string', env: 'WARDSTREAM_HOST' },
  'mqtt-host': { type: 'string', env: 'WARDSTREAM_MQTT_HOST' },
  'http-port': { type: 'string', env: 'WARDSTREAM_HTTP_PORT' },
  'mqtt-port': { type: 'string', env: 'WARDSTREAM_MQTT_PORT' },
  'mqtt-tls-cert': { type: 'string', env: 'WARDSTREAM_MQTT_TLS_CERT' },
  'mqtt-tls-key': { type: 'string', env: 'WARDSTREAM_MQTT_TLS_KEY' },
  'mqtt-tls-ca': { type: 'string', env: 'WARDSTREAM_MQTT_TLS_CA' },
  'http-tls': { type: 'string', env: 'WARDSTREAM_HTTP_TLS' },
  'ca-cert': { type: 'string', env: 'WARDSTREAM_CA_CERT' },
  'ca-key': { type: 'string', env: 'WARDSTREAM_CA_KEY' },
  'http-tls-cert': { type: 'string', env: 'WARDSTREAM_HTTP_TLS_CERT' },
  'http-tls-key': { type: 'string', env: 'WARDSTREAM_HTTP_TLS_KEY' },
  'dev-plaintext-mqtt-port': { type: 'string', env: 'WARDSTREAM_DEV_PLAINTEXT_MQTT_PORT' },
  'public-url': { type: 'string', env: 'WARDSTREAM_PUBLIC_URL' },
  'oidc-issuer': { type: 'string', env: 'WARDSTREAM_OIDC_ISSUER' },
  'oidc-jwks-url': { type: 'string', env: 'WARDSTREAM_OIDC_JWKS_URL' },
  'oidc-audience': { type: 'string', env: 'WARDSTREAM_OIDC_AUDIENCE' },
  'enrollment-port': { type: 'string', env: 'WARDSTREAM_ENROLLMENT_PORT' },
  'enrollment-policy': { type: 'string', env: 'WARDSTREAM_ENROLLMENT_POLICY' },
  partitions: { type: 'string', env: 'WARDSTREAM_PARTITIONS' },
  'flush-interval-ms': { type: 'string', env: 'WARDSTREAM_FLUSH_INTERVAL_MS' },
  'max-payload-bytes': { type: 'string', env: 'WARDSTREAM_MAX_PAYLOAD_BYTES' },
  'clock-skew-tolerance-ms': { type: 'string', env: 'WARDSTREAM_CLOCK_SKEW_TOLERANCE_MS' },
  'allowed-lateness-ms': { type: 'string', env: 'WARDSTREAM_ALLOWED_LATENESS_MS' },
  demo: { type: 'string', env: 'WARDSTREAM_DEMO' },
  'demo-rate': { type: 'string', env: 'WARDSTREAM_DEMO_RATE' },
  webhooks: { type: 'string', env: 'WARDSTREAM_WEBHOOKS' },
  'clinical-policy': { type: 'string', env: 'WARDSTREAM_CLINICAL_POLICY' },
} as const;

/**
 * A listening address as it goes in a URL a client on this machine can use: a wildcard address
 * (0.0.0.0, ::) becomes 127.0.0.1, an IPv6 address is bracketed.
 */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Why `raw` is not an http(s) URL (with `originOnly`: nothing after the port), or undefined when it is. */
function urlProblem(raw: string, originOnly: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'is not an http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (url.search !== '' || url.hash !== '') return 'must not carry a query or fragment';
  if (originOnly && url.pathname !== '/') {
    return "must be the platform's origin only (scheme, host, port): the issuer's routes are at /oauth";
  }
  return undefined;
}

export type ParsedConfig =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly errors: string[] };

export const CONFIG_HELP = `Options (each also as the WARDSTREAM_* variable named in brackets):
  --data-dir DIR              data directory [WARDSTREAM_DATA_DIR] (default ./wardstream-data)
  --key-dir DIR               keys that vouch for the data, kept outside the data directory: the device
                              CA (ca/), the token-signing keys (oidc/), the audit key [WARDSTREAM_KEY_DIR]
                              (default <data-dir>-keys, created at first start; back it up separately)
  --audit-key-dir DIR         key that signs audit checkpoints [WARDSTREAM_AUDIT_KEY_DIR] (default --key-dir)
  --host ADDR                 address of the HTTP API [WARDSTREAM_HOST] (default 127.0.0.1)
  --http-tls MODE             HTTPS for the API [WARDSTREAM_HTTP_TLS]: platform-ca (a certificate from the
                              platform's CA, as for MQTT) or off; default off on a loopback --host, and a
                              refusal to start on any other address (tokens and patient data would cross
                              the network in clear): say off explicitly only behind a TLS proxy
  --http-tls-cert/-key FILE   HTTPS with the hospital's certificate and key (PEM)
  --mqtt-host ADDR            address of the MQTT endpoint [WARDSTREAM_MQTT_HOST] (default: --host)
  --http-port N               HTTP API port [WARDSTREAM_HTTP_PORT] (default ${DEFAULT_HTTP_PORT})
  --mqtt-port N               MQTT port for devices [WARDSTREAM_MQTT_PORT] (default ${DEFAULT_MQTT_PORT})
  --mqtt-tls-cert/-key/-ca F  PEM files from the hospital's PKI: the server certificate, its key, the CA
                              devices' certificates chain to (default: the platform's own CA in
                              <key-dir>/ca issues the server certificate; devices get theirs with
                              "wardstream certs issue"). The device id is the certificate's CN.
  --ca-cert/--ca-key FILE     the device CA from the hospital's PKI (an intermediate for Wardstream: its
                              certificate chain and key) instead of the platform's own; it signs device,
                              enrollment and listener certificates [WARDSTREAM_CA_CERT, WARDSTREAM_CA_KEY]
  --dev-plaintext-mqtt-port N development only: also listen for plain MQTT on 127.0.0.1:N, trusting
                              the MQTT client id (anyone on this machine can claim any device)
  --public-url URL            this platform's URL as clients reach it: the embedded token issuer's
                              "iss" (default http://<host>:<http-port>) [WARDSTREAM_PUBLIC_URL]
  --oidc-issuer URL           accept tokens of the hospital's OIDC provider instead of the embedded
  --oidc-jwks-url URL         issuer: its "iss" and its JWKS URL (both, or neither)
  --oidc-audience AUD         the "aud" tokens must carry (default wardstream)
  --enrollment-port N         zero-touch enrollment over HTTPS for devices with a manufacturer
  --enrollment-policy FILE    certificate (both, or neither; docs/ENROLLMENT.md)
  --partitions N              telemetry log partitions (default 8; fixed once the log exists)
  --flush-interval-ms N       store flush interval (default 1000)
  --max-payload-bytes N       largest telemetry payload accepted (default ${DEFAULT_WIRE_LIMITS.maxPayloadBytes})
  --clock-skew-tolerance-ms N device clock tolerance before readings are flagged (default ${DEFAULT_WIRE_LIMITS.clockSkewToleranceMs})
  --allowed-lateness-ms N     lateness before readings are flagged late (default ${DEFAULT_EVENT_TIME_POLICY.allowedLatenessMs})
  --demo N                    also start N simulated patients on a demo ward
  --demo-rate R               messages per second per simulated device (default 1)
  --webhooks FILE             JSON array of alert webhook targets (generic JSON or PagerDuty Events v2,
                              HMAC-signed; see docs/WEBHOOKS.md) [WARDSTREAM_WEBHOOKS]
  --clinical-policy FILE      JSON of local clinical policy: validity windows, escalation and silence
                              times, stale-data and battery limits, anomaly statistics, ECG leads
                              and rhythm-alarm priorities (see docs/CLINICAL.md)
                              [WARDSTREAM_CLINICAL_POLICY]`;

/**
 * Parses the options of a platform role once, at the edge, into a typed config. Command-line
 * flags win over `WARDSTREAM_*` variables. Every problem is reported at once.
 */
export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedConfig {
  const errors: string[] = [];
  let values: Record<string, string | boolean | undefined> = {};
  try {
    const options = Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type }]));
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
  const get = (name: keyof typeof OPTIONS): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : env[OPTIONS[name].env];
  };
  const int = (name: keyof typeof OPTIONS, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      errors.push(`--${name} (${OPTIONS[name].env}): "${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const cert = get('mqtt-tls-cert');
  const key = get('mqtt-tls-key');
  const ca = get('mqtt-tls-ca');
  const tlsGiven = [cert, key, ca].filter((v) => v !== undefined).length;
  if (tlsGiven !== 0 && tlsGiven !== 3) errors.push('--mqtt-tls-cert, --mqtt-tls-key and --mqtt-tls-ca go together');
  if ((get('ca-cert') === undefined) !== (get('ca-key') === undefined)) {
    errors.push('--ca-cert and --ca-key go together');
  }
  const oidcIssuer = get('oidc-issuer');
  const oidcJwks = get('oidc-jwks-url');
  if ((oidcIssuer === undefined) !== (oidcJwks === undefined)) {
    errors.push('--oidc-issuer and --oidc-jwks-url go together');
  }
  for (const name of ['public-url', 'oidc-issuer', 'oidc-jwks-url'] as const) {
    const raw = get(name);
    const problem = raw === undefined ? undefined : urlProblem(raw, name === 'public-url');
    if (problem !== undefined) errors.push(`--${name}: "${raw}" ${problem}`);
  }
  const enrollmentPolicy = get('enrollment-policy');
  if ((get('enrollment-port') === undefined) !== (enrollmentPolicy === undefined)) {
    errors.push('--enrollment-port and --enrollment-policy go together');
  }
  const demoRate = Number(get('demo-rate') ?? '1');
  if (!(demoRate > 0 && demoRate <= 1000))
    errors.push('--demo-rate: must be a number of messages per second, 0 < r <= 1000');

  const dataDir = resolve(get('data-dir') ?? 'wardstream-data');
  const keyDir = resolve(get('key-dir') ?? `${dataDir}-keys`);
  const auditKeyDir = resolve(get('audit-key-dir') ?? keyDir);
  for (const [name, dir] of [
    ['key-dir', keyDir],
    ['audit-key-dir', auditKeyDir],
  ] as const) {
    if (dir === dataDir || dir.startsWith(`${dataDir}/`)) {
      errors.push(`--${name} must be outside --data-dir (the keys vouch for the data files)`);
    }
  }
  const host = get('host') ?? '127.0.0.1';
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(host);
  const httpTlsMode = get('http-tls');
  const httpCert = get('http-tls-cert');
  const httpKey = get('http-tls-key');
  let httpTls: HttpTlsConfig = { kind: 'off' };
  if ((httpCert === undefined) !== (httpKey === undefined))
    errors.push('--http-tls-cert and --http-tls-key go together');
  if (httpTlsMode !== undefined && httpTlsMode !== 'platform-ca' && httpTlsMode !== 'off') {
    errors.push(`--http-tls: "${httpTlsMode}" is not one of platform-ca, off`);
  } else if (httpCert !== undefined && httpKey !== undefined) {
    if (httpTlsMode !== undefined) errors.push('give --http-tls or --http-tls-cert/-key, not both');
    httpTls = { kind: 'files', certPath: resolve(httpCert), keyPath: resolve(httpKey) };
  } else if (httpTlsMode === 'platform-ca') {
    httpTls = { kind: 'platform-ca' };
  } else if (httpTlsMode === undefined && httpCert === undefined && !loopback) {
    errors.push(
      `--host ${host} would serve bearer tokens and patient data over plain HTTP on the network: add --http-tls platform-ca (or --http-tls-cert/-key), or --http-tls off behind a TLS-terminating proxy`,
    );
  }
  const httpPort = int('http-port', DEFAULT_HTTP_PORT, 0, 65535);
  const audience = get('oidc-audience') ?? 'wardstream';
  const tokens: TokenIssuerConfig =
    oidcIssuer !== undefined && oidcJwks !== undefined
      ? { kind: 'external', issuer: oidcIssuer, audience, jwksUrl: oidcJwks }
      : {
          kind: 'embedded',
          issuer: (
            get('public-url') ?? `${httpTls.kind === 'off' ? 'http' : 'https'}://${urlHost(host)}:${httpPort}`
          ).replace(/\/+$/, ''),
          audience,
        };
  const config: EmbeddedConfig = {
    kind: 'embedded',
    dataDir,
    keyDir,
    auditKeyDir,
    host,
    httpTls,
    mqttHost: get('mqtt-host') ?? host,
    httpPort,
    mqttPort: int('mqtt-port', DEFAULT_MQTT_PORT, 0, 65535),
    mqttTls:
      cert !== undefined && key !== undefined && ca !== undefined
        ? { kind: 'files', certPath: resolve(cert), keyPath: resolve(key), caPath: resolve(ca) }
        : { kind: 'platform-ca' },
    deviceCa:
      get('ca-cert') !== undefined && get('ca-key') !== undefined
        ? { certPath: resolve(get('ca-cert') ?? ''), keyPath: resolve(get('ca-key') ?? '') }
        : undefined,
    devPlaintextMqttPort:
      // A fixed port: the developer's tools must know where it is (0 would pick one at random).
      (get('dev-plaintext-mqtt-port') ?? '') === '' ? undefined : int('dev-plaintext-mqtt-port', 1, 1, 65535),
    tokens,
    enrollment:
      enrollmentPolicy === undefined
        ? undefined
        : {
            host: get('mqtt-host') ?? host,
            port: int('enrollment-port', 0, 0, 65535),
            policyPath: resolve(enrollmentPolicy),
          },
    partitions: int('partitions', 8, 1, 256),
    flushIntervalMs: int('flush-interval-ms', 1_000, 10, 60_000),
    wire: {
      ...DEFAULT_WIRE_LIMITS,
      maxPayloadBytes: int('max-payload-bytes', DEFAULT_WIRE_LIMITS.maxPayloadBytes, 256, 16 * 1024 * 1024),
      clockSkewToleranceMs: int('clock-skew-tolerance-ms', DEFAULT_WIRE_LIMITS.clockSkewToleranceMs, 0, 86_400_000),
    },
    eventTime: {
      ...DEFAULT_EVENT_TIME_POLICY,
      allowedLatenessMs: int('allowed-lateness-ms', DEFAULT_EVENT_TIME_POLICY.allowedLatenessMs, 0, 86_400_000),
    },
    demoPatients: int('demo', 0, 0, 10_000),
    demoRatePerDevice: demoRate,
    webhooksPath: get('webhooks') === undefined ? undefined : resolve(get('webhooks') ?? ''),
    clinicalPolicyPath: get('clinical-policy') === undefined ? undefined : resolve(get('clinical-policy') ?? ''),
  };
  if (config.httpPort !== 0 && config.httpPort === config.mqttPort && config.host === config.mqttHost) {
    errors.push('--http-port and --mqtt-port must differ');
  }
  const plain = config.devPlaintextMqttPort;
  if (plain !== undefined && plain !== 0 && (plain === config.mqttPort || plain === config.httpPort)) {
    errors.push('--dev-plaintext-mqtt-port must differ from --mqtt-port and --http-port');
  }
  // A misspelt variable must not quietly become a default.
  const known = new Set<string>(Object.values(OPTIONS).map((o) => o.env));
  for (const name of Object.keys(env)) {
    if (name.startsWith('WARDSTREAM_') && !known.has(name)) errors.push(`unknown environment variable ${name}`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}
