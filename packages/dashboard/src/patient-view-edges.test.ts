import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { patientId, wardId } from '@wardstream/domain';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  passwordToken,
  putAlwaysFiringRule,
  signIn,
  startDashboardPlatform,
  USERS,
  type DashboardPlatform,
} from './testing/dashboard-platform.js';
import { monitorPatientId, startMonitors } from './testing/simulated-monitors.js';

/** Generous: a loaded CI machine; the tests wait on the page (or the API), never on the clock. */
const WAIT = { timeout: 60_000 };
const WARD = 'demo-ward';
const HOUR_MS = 3_600_000;

/** Pages that record CSP violations and the API paths they requested. */
async function openPage(browser: Browser): Promise<{ page: Page; violations: string[]; requests: URL[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const violations: string[] = [];
  const requests: URL[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/')) requests.push(url);
  });
  return { page, violations, requests };
}

/** Asks `url` with `token` until `done` holds for its JSON answer (bounded by WAIT). */
async function untilApi(url: string, token: string, done: (body: unknown) => boolean): Promise<void> {
  const deadline = Date.now() + WAIT.timeout;
  for (;;) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (res.ok && done(await res.json())) return;
    if (Date.now() > deadline) throw new Error(`${url}: not as expected within ${WAIT.timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('patient view at its edges: break-glass, a flapping NEWS2, a monitor that stops', () => {
  let fx: DashboardPlatform;
  let browser: Browser;
  const sims: { abort: AbortController; done: Promise<unknown> }[] = [];

  before(async () => {
    fx = await startDashboardPlatform(2, { plaintextMqtt: true });
    browser = await launchChromium();
  });
  after(async () => {
    for (const sim of sims) sim.abort.abort();
    await Promise.allSettled(sims.map((s) => s.done));
    await browser.close();
    await fx.dispose();
  });

  it("shows a break-glass holder from another ward the patient's active alarm, not “No alarm”", async () => {
    const { page, violations, requests } = await openPage(browser);
    try {
      const patient = 'demo-pt-0002';
      const label = 'Break-glass alarm check';
      await putAlwaysFiringRule(fx.baseUrl, patient, {
        id: 'e2e.break-glass',
        label,
        code: 'MDC_ECG_HEART_RATE',
        priority: 'high',
      });
      // The alarm is raised before the page opens: the page must read it, not wait for a live event.
      const physician = await passwordToken(fx.baseUrl, USERS.physician);
      await untilApi(`${fx.baseUrl}/api/v1/alarms?patientId=${patient}&open=true`, physician, (body) =>
        (body as { alarms: { message: string }[] }).alarms.some((a) => a.message.startsWith(label)),
      );
      const token = await passwordToken(fx.baseUrl, USERS.otherNurse);
      const grant = await fetch(`${fx.baseUrl}/api/v1/break-glass`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ patientId: patient, reason: 'covering the rapid response call', minutes: 10 }),
      });
      assert.equal(grant.status, 201, await grant.text());

      await signIn(page, fx.baseUrl, USERS.otherNurse);
      const before = requests.length; // The ward view's own reads (its open alarms) came before.
      await page.goto(`${fx.baseUrl}/app/patients/${patient}`);
      await page.waitForSelector('.patient-head', WAIT);
      // The first thing the alarm section shows is the history read, with the active alarm in it.
      await page.waitForFunction(
        () => {
          const box = document.querySelector('.alarm-section .history-box');
          return box !== null && box.textContent !== 'Loading…';
        },
        undefined,
        WAIT,
      );
      const row = `.alarm-history tbody tr[data-state="active"][data-priority="high"]:has-text("${label}")`;
      assert.equal(await page.locator(row).count(), 1, (await page.textContent('.alarm-section')) ?? '');
      const asked = requests.slice(before).map((u) => u.pathname);
      assert.ok(asked.includes(`/api/v1/patients/${patient}/alarms`));
      assert.ok(!asked.includes('/api/v1/alarms'), 'the filtered list is not asked');
      assert.deepEqual(violations, []);
    } finally {
      await page.close();
    }
  });

  it('shows the newest NEWS2 of a flapping band in the header and first row, and says older ones were not read', async () => {
    const { page, violations } = await openPage(browser);
    try {
      // 12,000 scores over the last 6 h (one each 1.8 s, the band flapping 1/5), the newest a 9.
      const patient = patientId('e2e-flapping-pt');
      const now = Date.now();
      await fx.platform.registry.putPatient(
        { id: patient, displayName: 'Flapping patient', wardId: wardId(WARD) },
        now,
      );
      const newestAt = now - 30_000;
      const count = 12_000;
      const stepMs = (6 * HOUR_MS - 60_000) / count;
      const scores: Parameters<typeof fx.platform.clinical.store.appendScores>[0] = Array.from(
        { length: count },
        (_, i) => {
          const newest = i === count - 1;
          const value = newest ? 9 : i % 2 === 0 ? 1 : 5;
          return {
            patientId: patient,
            score: 'news2',
            at: Math.round(newestAt - (count - 1 - i) * stepMs),
            value,
            complete: true,
            missing: [],
            stale: [],
            subscores: {},
            band: value >= 7 ? 'high' : value >= 5 ? 'medium' : 'low',
            inputs: {},
          };
        },
      );
      fx.platform.clinical.store.appendScores(scores);

      await signIn(page, fx.baseUrl, USERS.nurse);
      await page.goto(`${fx.baseUrl}/app/patients/${patient}`);
      await page.waitForSelector('.news2-history tbody tr', WAIT);
      const first = '.news2-history tbody tr:first-child';
      assert.equal(await page.getAttribute(first, 'data-at'), new Date(newestAt).toISOString());
      assert.equal(await page.getAttribute(`${first} [data-news2]`, 'data-news2'), '9');
      assert.equal(await page.getAttribute('.patient-head [data-news2]', 'data-news2'), '9');
      // The read stopped before 6 h ago, and the table says so.
      const note = '.news2-history tfoot .history-not-read';
      assert.match((await page.textContent(note)) ?? '', /^Older scores not read: those before .+ \(too many/);
      const notReadBefore = Date.parse((await page.getAttribute(note, 'data-not-read-before')) ?? '');
      assert.ok(notReadBefore > now - 6 * HOUR_MS && notReadBefore < newestAt, String(notReadBefore));
      assert.deepEqual(violations, []);
    } finally {
      await page.close();
    }
  });

  it("shows each trend's newest value with its age, then struck through and marked stale when the monitor stops", async () => {
    const { page, violations } = await openPage(browser);
    try {
      const prefix = 'e2e-stops-';
      const patient = monitorPatientId(prefix, 1);
      const sim = await startMonitors(fx, { prefix, name: () => 'Monitor stops', scenario: 'stable' });
      const { abort } = sim;
      sims.push(sim);

      await signIn(page, fx.baseUrl, USERS.nurse);
      await page.goto(`${fx.baseUrl}/app/patients/${patient}`);
      const hr = '.trend[data-vital="hr"] .trend-latest';
      await page.waitForSelector(`${hr}.trend-latest-current[data-observed-at]`, WAIT);
      assert.match((await page.textContent(`${hr} .trend-value`)) ?? '', /^\d+$/);
      assert.equal(await page.textContent(`${hr} .trend-unit`), '/min');
      assert.match((await page.textContent(`${hr} .trend-age`)) ?? '', /^\d+ s$/);

      // The monitor stops (its run ends: no more messages). Past the stale limit the caption says so.
      abort.abort();
      await sim.done;
      await page.waitForSelector(`${hr}.trend-latest-stale`, WAIT);
      assert.match((await page.textContent(`${hr} .trend-age`)) ?? '', /^stale · \d+ s old$/);
      assert.equal(
        await page.$eval(`${hr} .trend-value`, (e) => getComputedStyle(e).textDecorationLine),
        'line-through',
      );
      // Every continuously monitored vital of that monitor goes stale; none is left showing as current.
      // (A blood pressure or temperature it measured stays valid for its own window: docs/DASHBOARD.md.)
      await page.waitForFunction(
        () =>
          ['hr', 'spo2', 'rr', 'pulse'].every(
            (key) => document.querySelector(`.trend[data-vital="${key}"] .trend-latest-current`) === null,
          ),
        undefined,
        WAIT,
      );
      assert.ok((await page.locator('.trend .trend-latest-stale').count()) >= 3);
      // A reload shows the same: the age comes from the reading, not from the page's history.
      await page.reload();
      await page.waitForSelector(`${hr}.trend-latest-stale`, WAIT);
      assert.deepEqual(violations, []);
    } finally {
      await page.close();
    }
  });
});
