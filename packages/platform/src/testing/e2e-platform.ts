import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIssuer, type TokenClaims } from '@wardstream/auth';
import { parseConfig, type EmbeddedConfig } from '../config.js';
import { startEmbedded, type EmbeddedPlatform } from '../embedded.js';
import type { Logger } from '../logger.js';

/** One line the platform logged, kept for assertions ("counted and logged"). */
export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly component: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** An HTTP answer with its body parsed as JSON when it is JSON. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/**
 * The embedded platform as `wardstream up` starts it, in a temporary directory (data and key
 * directories side by side, all on 127.0.0.1, ports chosen by the system), with what an end-to-end
 * test needs: tokens from the platform's own issuer, an HTTP client, the metrics, the log lines.
 */
export interface E2ePlatform {
  readonly platform: EmbeddedPlatform;
  readonly config: EmbeddedConfig;
  /** The temporary directory holding `data/` and `data-keys/`; removed by `dispose`. */
  readonly root: string;
  readonly logs: LoggedLine[];
  readonly apiUrl: string;
  /** A bearer token signed by the embedded issuer's key, as `wardstream token` mints one. */
  token(claims: TokenClaims, ttlSec?: number): Promise<string>;
  /** `method path` against the HTTP API, with `token` as bearer when given and `body` as JSON. */
  request(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<HttpAnswer>;
  /** The value of a sample of `/metrics` (read with `token`); 0 when the series is absent. */
  metric(token: string, name: string, labels?: Record<string, string>): Promise<number>;
  /** Stops the platform (as at shutdown), keeping its files for inspection. */
  stop(): Promise<void>;
  /** Stops the platform if it runs, then removes the temporary directory. */
  dispose(): Promise<void>;
}

/** The issuer the tests' tokens name: with `--http-port 0` the default would be `http://127.0.0.1:0`. */
const PUBLIC_URL = 'http://wardstream-e2e.test';

function recordingLogger(lines: LoggedLine[]): Logger {
  const at =
    (level: LoggedLine['level']) =>
    (component: string, message: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, component, message, fields });
    };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/** Parses the Prometheus text format and returns the sample of `name` whose labels include `labels`. */
export function sampleOf(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const present = new Map<string, string>();
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) present.set(pair[1]!, pair[2]!);
    if (Object.entries(labels).every(([k, v]) => present.get(k) === v)) return Number(match[3]);
  }
  return 0;
}

/**
 * Starts the platform with `--data-dir <tmp>/data --http-port 0 --mqtt-port 0` plus `args(root)`.
 * `dispose` stops the platform and removes the directory (removed at once when the start fails).
 */
export async function startE2ePlatform(args: (root: string) => string[] = () => []): Promise<E2ePlatform> {
  const root = await mkdtemp(join(tmpdir(), 'ws-trust-e2e-'));
  try {
    const parsed = parseConfig(
      [
        '--data-dir',
        join(root, 'data'),
        '--http-port',
        '0',
        '--mqtt-port',
        '0',
        '--public-url',
        PUBLIC_URL,
        ...args(root),
      ],
      {},
    );
    if (!parsed.ok) throw new Error(`config: ${parsed.errors.join('; ')}`);
    const { config } = parsed;
    const logs: LoggedLine[] = [];
    const platform = await startEmbedded(config, { logger: recordingLogger(logs) });
    const apiUrl = `http://127.0.0.1:${platform.httpPort}`;
    const { issuer, audience } = config.tokens;
    const signer = LocalIssuer.open({ keyDir: config.keyDir, issuer, audience });
    const request: E2ePlatform['request'] = async (method, path, options = {}) => {
      const headers: Record<string, string> = {};
      if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Not JSON (/metrics): the text is there.
      }
      return { status: res.status, body, text };
    };
    let stopped: Promise<void> | undefined;
    const stop = () => {
      stopped ??= platform.stop();
      return stopped;
    };
    return {
      platform,
      config,
      root,
      logs,
      apiUrl,
      token: (claims, ttlSec = 600) => signer.sign(claims, ttlSec),
      request,
      async metric(token, name, labels) {
        const res = await request('GET', '/metrics', { token });
        if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.text}`);
        return sampleOf(res.text, name, labels);
      },
      stop,
      dispose: () => stop().finally(() => rm(root, { recursive: true, force: true })),
    };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Polls `predicate` every 25 ms until it holds; throws naming `what` after `boundMs`. The bound is
 * a guard against a hang, never a measured figure.
 */
export async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  boundMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
