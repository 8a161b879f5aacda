import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  launchChromium,
  putAlwaysFiringRule,
  signIn,
  startDashboardPlatform,
  USERS,
  type DashboardPlatform,
} from './testing/dashboard-platform.js';

/** Generous: a loaded CI machine; the tests wait on the page, never on the clock. */
const WAIT = { timeout: 60_000 };
const DEMO_PATIENTS = 3;
const HR_TREND = '.trend[data-vital="hr"]';

/** A page that records CSP violations and the API paths it requested. */
async function openPage(browser: Browser): Promise<{
  context: BrowserContext;
  page: Page;
  violations: string[];
  requests: URL[];
}> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const violations: string[] = [];
  const requests: URL[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/')) requests.push(url);
  });
  return { context, page, violations, requests };
}

/** The number in `attribute` of the first element matching `selector` (NaN when absent). */
async function numberOf(page: Page, selector: string, attribute: string): Promise<number> {
  return Number(await page.getAttribute(selector, attribute));
}

/** From the ward view: click the patient's name, wait for their view with a drawn heart-rate trend. */
async function openPatient(page: Page, name: string): Promise<void> {
  await page.waitForSelector(`.tile .patient-name a:text-is("${name}")`, WAIT);
  await page.click(`.tile .patient-name a:text-is("${name}")`);
  await page.waitForSelector(`.patient-head h1:has-text("${name}")`, WAIT);
  await page.waitForFunction(
    (sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 0,
    `${HR_TREND}[data-range="5m"]`,
    WAIT,
  );
}

describe('patient view: Chromium against the embedded platform', () => {
  let fx: DashboardPlatform;
  let browser: Browser;

  before(async () => {
    fx = await startDashboardPlatform(DEMO_PATIENTS);
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await fx.dispose();
  });

  it('opens from the ward, draws the trends, re-reads the aggregates for 1 h and 7 d, and extends 5 min live', async () => {
    const { context, page, violations, requests } = await openPage(browser);
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      await openPatient(page, 'Demo patient 1');
      assert.match(page.url(), /\/app\/patients\/demo-pt-0001$/);
      assert.match(
        (await page.textContent('.patient-meta')) ?? '',
        /ID demo-pt-0001 · ← Ward demo-ward · bound: demo-mon-0001/,
      );
      assert.equal(await page.getAttribute(HR_TREND, 'data-bucket'), '1s');
      assert.ok((await page.locator(`${HR_TREND} .uplot canvas`).count()) > 0, 'uPlot drew a canvas');

      // Live: new readings extend the 5-minute chart with no new read of the aggregates.
      const aggregateReads = () => requests.filter((u) => u.pathname.endsWith('/readings/aggregates')).length;
      const readsBefore = aggregateReads();
      const pointsBefore = await numberOf(page, HR_TREND, 'data-points');
      await page.waitForFunction(
        ([sel, n]) => Number(document.querySelector(sel)?.getAttribute('data-points')) > n,
        [HR_TREND, pointsBefore] as const,
        WAIT,
      );
      assert.equal(aggregateReads(), readsBefore);

      for (const [range, bucket] of [
        ['1h', '1m'],
        ['7d', '1h'],
      ] as const) {
        const before = requests.length;
        await page.click(`[data-range-option="${range}"]`);
        await page.waitForSelector(`${HR_TREND}[data-range="${range}"][data-bucket="${bucket}"]`, WAIT);
        assert.ok((await numberOf(page, HR_TREND, 'data-points')) > 0, `${range}: the HR chart has points`);
        const read = requests
          .slice(before)
          .find(
            (u) =>
              u.pathname === '/api/v1/patients/demo-pt-0001/readings/aggregates' &&
              u.searchParams.get('code') === 'MDC_ECG_HEART_RATE',
          );
        assert.equal(read?.searchParams.get('bucket'), bucket, `${range}: aggregates re-read by ${bucket}`);
        assert.equal(await page.getAttribute(`[data-range-option="${range}"]`, 'aria-pressed'), 'true');
      }
      assert.equal(await page.isHidden('#banner'), true);
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });

  it('charts "V" through the form: listed, rescored with consciousness 3; shows the ECG strip and field problems', async () => {
    const { context, page, violations } = await openPage(browser);
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      await openPatient(page, 'Demo patient 2');

      // The demo's monitors stream ECG lead II at 250 Hz: the strip holds its last 10 s, every sample.
      await page.waitForFunction(
        () => Number(document.querySelector('.ecg-canvas')?.getAttribute('data-samples')) >= 2_000,
        undefined,
        WAIT,
      );
      assert.equal(await page.getAttribute('.ecg-canvas', 'data-code'), 'MDC_ECG_ELEC_POTL_II');
      assert.ok((await numberOf(page, '.ecg-canvas', 'data-samples')) <= 2_500);
      // One device's samples, and the strip says which.
      assert.equal(await page.getAttribute('.ecg-canvas', 'data-device'), 'demo-mon-0002');
      assert.match((await page.textContent('.ecg-caption')) ?? '', /device demo-mon-0002 · 25 mm\/s · 10 mm\/mV/);
      await page.waitForSelector('.ecg-analysis:has-text("ECG HR")', WAIT);

      // A problem document's field errors are shown next to the field (a value the API refuses).
      await page.$eval('input[name="consciousness"][value="U"]', (e) => {
        (e as HTMLInputElement).value = 'Z';
      });
      await page.check('input[name="consciousness"][value="Z"]');
      await page.click('.charting button[type="submit"]');
      await page.waitForSelector('#consciousness-error:not([hidden])', WAIT);
      assert.match((await page.textContent('#consciousness-error')) ?? '', /^value: required, one of A, C, V, P, U/);
      assert.equal(await page.locator('.charted-list li[data-value="Z"]').count(), 0);

      await page.check('input[name="consciousness"][value="V"]');
      await page.click('.charting button[type="submit"]');
      await page.waitForSelector('.charted-list li[data-kind="consciousness"][data-value="V"]', WAIT);
      assert.equal(await page.isHidden('#consciousness-error'), true);
      // The engine rescores: a NEWS2 record with consciousness 3 (ACVPU V) arrives through the feed.
      const rescored = '.news2-history tbody tr:first-child td[data-param="consciousness"][data-points="3"]';
      await page.waitForSelector(rescored, WAIT);
      assert.match((await page.textContent(rescored)) ?? '', /V$/);
      // The header shows the newest score.
      const newest = await page.$eval('.news2-history tbody tr:first-child [data-news2]', (e) =>
        e.getAttribute('data-news2'),
      );
      await page.waitForFunction(
        (value) => document.querySelector('.patient-head [data-news2]')?.getAttribute('data-news2') === value,
        newest,
        WAIT,
      );
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });

  it('adds an alarm raised for the patient to the alarm history live, without re-reading the list', async () => {
    const { context, page, violations, requests } = await openPage(browser);
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      await openPatient(page, 'Demo patient 3');
      await page.waitForSelector(
        '.alarm-section .patient-history, .alarm-section .status:text-is("No alarm for this patient.")',
        WAIT,
      );
      const listReads = () => requests.filter((u) => u.pathname === '/api/v1/alarms').length;
      const readsBefore = listReads();
      const label = 'Patient view alarm check';
      await putAlwaysFiringRule(fx.baseUrl, 'demo-pt-0003', {
        id: 'e2e.patient-view',
        label,
        code: 'MDC_ECG_HEART_RATE',
        priority: 'high',
      });
      const row = `.alarm-history tbody tr[data-priority="high"][data-state="active"]:has-text("${label}")`;
      await page.waitForSelector(row, WAIT);
      assert.equal(await page.textContent(`${row} .history-priority`), 'high');
      assert.equal(listReads(), readsBefore);
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });

  it("refuses another ward's nurse the patient, showing nothing of them", async () => {
    const { context, page, violations, requests } = await openPage(browser);
    try {
      await signIn(page, fx.baseUrl, USERS.otherNurse);
      const before = requests.length; // The ward view's own reads (its open alarms) came before.
      await page.goto(`${fx.baseUrl}/app/patients/demo-pt-0001`);
      await page.waitForSelector('.refusal', WAIT);
      assert.equal(await page.textContent('#main'), 'You may not see this patient.');
      const html = await page.content();
      assert.ok(!html.includes('Demo patient'));
      assert.equal(await page.locator('.trend, .ecg, .patient-head').count(), 0);
      // Only the patient itself was asked for (and refused): no trend, score, alarm or live request.
      const asked = new Set(requests.slice(before).map((u) => u.pathname));
      assert.deepEqual([...asked], ['/api/v1/patients/demo-pt-0001']);
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });
});
