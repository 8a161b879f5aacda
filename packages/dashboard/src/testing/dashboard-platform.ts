import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_DB_FILE, SqliteIdentityStore } from '@wardstream/auth';
import { freePort, parseConfig, SILENT_LOGGER, startEmbedded, type EmbeddedPlatform } from '@wardstream/platform';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright-core downloads no browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Users the platform is started with (password, role, wards). */
export const USERS = {
  /** A nurse of the demo ward. */
  nurse: { username: 'nurse.kim', password: 'correct-horse-battery', role: 'nurse', wards: ['demo-ward'] },
  /** A nurse of another ward: must see none of the demo ward's patients. */
  otherNurse: { username: 'nurse.lee', password: 'staple-orbit-lantern', role: 'nurse', wards: ['ward-b'] },
  /** A physician of the demo ward: sets patient alarm rules through the API. */
  physician: { username: 'dr.ames', password: 'velvet-quarry-signal', role: 'physician', wards: ['demo-ward'] },
  /** An administrator (no ward): the device fleet, the audit trail; no patient data without break-glass. */
  admin: { username: 'admin.ray', password: 'granite-meadow-compass', role: 'admin', wards: [] },
} as const;

export interface DashboardPlatform {
  readonly platform: EmbeddedPlatform;
  /** `http://127.0.0.1:<port>`: the API, the issuer and the dashboard (at /app/) are all here. */
  readonly baseUrl: string;
  /** `mqtt://127.0.0.1:<port>`: the development plaintext listener, when asked for (`plaintextMqtt`). */
  readonly plaintextMqttUrl: string | undefined;
  dispose(): Promise<void>;
}

/**
 * The embedded platform as `wardstream up --demo N` starts it (demo ward `demo-ward`), in a
 * temporary directory, with the users of `USERS` in its identity store, serving the built
 * dashboard. The public URL is the address the browser uses, so the sign-in's redirect URI matches.
 */
export async function startDashboardPlatform(
  demoPatients: number,
  options: {
    /** Also listen for plain MQTT on loopback, so a test's own simulated devices need no certificate. */
    readonly plaintextMqtt?: boolean;
  } = {},
): Promise<DashboardPlatform> {
  const root = await mkdtemp(join(tmpdir(), 'ws-dashboard-e2e-'));
  try {
    const dataDir = join(root, 'data');
    await mkdir(dataDir, { recursive: true });
    const identity = SqliteIdentityStore.open({ path: join(dataDir, IDENTITY_DB_FILE) });
    try {
      for (const user of Object.values(USERS)) {
        await identity.createUser({ ...user, wards: [...user.wards] });
      }
    } finally {
      identity.close();
    }
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const plaintextPort = options.plaintextMqtt === true ? await freePort() : undefined;
    const parsed = parseConfig(
      [
        ...['--data-dir', dataDir, '--http-port', String(port), '--mqtt-port', '0'],
        ...['--public-url', baseUrl, '--demo', String(demoPatients)],
        ...(plaintextPort === undefined ? [] : ['--dev-plaintext-mqtt-port', String(plaintextPort)]),
      ],
      {},
    );
    if (!parsed.ok) throw new Error(`config: ${parsed.errors.join('; ')}`);
    const platform = await startEmbedded(parsed.config, { logger: SILENT_LOGGER });
    return {
      platform,
      baseUrl,
      plaintextMqttUrl: plaintextPort === undefined ? undefined : `mqtt://127.0.0.1:${plaintextPort}`,
      dispose: async () => {
        await platform.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

/** An access token for `user` from the issuer's password grant (for API calls a test makes itself). */
export async function passwordToken(baseUrl: string, user: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: user.username, password: user.password }),
  });
  if (!res.ok) throw new Error(`token for ${user.username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An always-firing rule as `alwaysFiring` builds it. */
export interface TestRule {
  readonly id: string;
  readonly label: string;
  readonly code: string;
  readonly priority: 'high' | 'medium' | 'low';
}

/**
 * A latching threshold rule that any value of `code` meets (at or above 1) with no delay, so the
 * patient's next reading raises an alarm of `priority` whose message starts with `label`.
 */
export function alwaysFiring(rule: TestRule): object {
  return {
    ...{ kind: 'threshold', id: rule.id, label: rule.label, codes: [rule.code], direction: 'atOrAbove' },
    ...{ limit: 1, hysteresis: 0, delayMs: 0, clearDelayMs: 0, priority: rule.priority, latching: true },
    ...{ enabled: true, source: 'dashboard tests' },
  };
}

/** Sets one always-firing rule (`alwaysFiring`) on `patientId` as the demo ward's physician. */
export async function putAlwaysFiringRule(baseUrl: string, patientId: string, rule: TestRule): Promise<void> {
  await putPatientRules(baseUrl, patientId, [alwaysFiring(rule)]);
}

/** Replaces the alarm rules of `patientId` as the demo ward's physician (none: the patient's rules end). */
export async function putPatientRules(baseUrl: string, patientId: string, rules: readonly object[]): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/patients/${encodeURIComponent(patientId)}/rules`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await passwordToken(baseUrl, USERS.physician)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ by: USERS.physician.username, rules }),
  });
  if (res.status !== 200) throw new Error(`rules of ${patientId}: ${res.status} ${await res.text()}`);
}

/** Headless Chromium; fails (never skips) when it is not installed, saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `the dashboard's browser tests need Chromium at ${CHROMIUM_PATH}: apt-get install chromium (CI installs it)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Signs in through the dashboard's button and the issuer's own form; resolves on the ward view, or,
 * with `landing: 'app'` (a user without a ward, e.g. an admin), once the signed-in app shows.
 */
export async function signIn(
  page: Page,
  baseUrl: string,
  user: { username: string; password: string },
  landing: 'ward' | 'app' = 'ward',
): Promise<void> {
  await page.goto(`${baseUrl}/app/`);
  await page.click('#sign-in');
  await page.waitForURL(/\/oauth\/authorize\?/);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${baseUrl}/app/`);
  await page.waitForSelector(landing === 'ward' ? 'h1:text-matches("^Ward ")' : '#sign-out');
}
