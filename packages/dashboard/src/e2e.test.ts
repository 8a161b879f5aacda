import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
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

describe('dashboard end to end: Chromium against the embedded platform', () => {
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

  it('signs a nurse in with PKCE, shows a tile per patient with vitals, and updates them live', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      assert.equal(await page.textContent('h1'), 'Ward demo-ward');
      // Every bed, each with a current heart rate.
      await page.waitForFunction(
        (n) => document.querySelectorAll('.tile .vital-current[data-vital="hr"]').length === n,
        DEMO_PATIENTS,
        WAIT,
      );
      const names = await page.$$eval('.tile .patient-name', (els) => els.map((e) => e.textContent));
      assert.deepEqual(
        [...names].sort(),
        Array.from({ length: DEMO_PATIENTS }, (_, i) => `Demo patient ${i + 1}`),
      );
      const hr = await page.$eval('.tile [data-vital="hr"]', (e) => ({
        at: e.getAttribute('data-observed-at'),
        unit: e.querySelector('.unit')?.textContent,
        age: e.querySelector('.age')?.textContent,
      }));
      assert.equal(hr.unit, '/min');
      assert.match(hr.age ?? '', /^\d+ s$/);
      // A newer value arrives through the live feed, without a reload.
      await page.waitForFunction(
        (before) => {
          const at = document.querySelector('.tile [data-vital="hr"]')?.getAttribute('data-observed-at');
          return at !== null && at !== undefined && before !== null && at > before;
        },
        hr.at,
        WAIT,
      );
      assert.equal(await page.isHidden('#banner'), true);
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });

  it("shows an alarm raised through the live feed on the patient's tile, in its priority's colour, first", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      await page.waitForFunction(
        (n) => document.querySelectorAll('.tile .vital-current[data-vital="hr"]').length === n,
        DEMO_PATIENTS,
        WAIT,
      );
      const ids = await page.$$eval('.tile', (els) => els.map((e) => e.getAttribute('data-patient-id') ?? ''));
      const patientId = ids[ids.length - 1] ?? '';
      // A patient rule that any heart rate meets, raised at the next reading: no delay, high priority.
      const label = 'E2E heart rate check';
      await putAlwaysFiringRule(fx.baseUrl, patientId, {
        id: 'e2e.hr-any',
        label,
        code: 'MDC_ECG_HEART_RATE',
        priority: 'high',
      });
      // Without a reload: the tile turns high priority, shows the message, and moves first.
      const tile = `.tile[data-patient-id="${patientId}"]`;
      await page.waitForSelector(`${tile}[data-alarm-priority="high"] .alarm.alarm-high .alarm-message`, WAIT);
      assert.match((await page.textContent(`${tile} .alarm-high .alarm-message`)) ?? '', new RegExp(`^${label}: `));
      assert.ok(await page.$eval(tile, (e) => e.classList.contains('tile-alarm-high')));
      // Highest priority first (another demo patient may hold a high alarm too).
      await page.waitForFunction(
        () => document.querySelector('.tiles > .tile')?.getAttribute('data-alarm-priority') === 'high',
        undefined,
        WAIT,
      );
    } finally {
      await context.close();
    }
  });

  it("shows a nurse of another ward none of the demo ward's patients", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, fx.baseUrl, USERS.otherNurse);
      assert.equal(await page.textContent('h1'), 'Ward ward-b');
      await page.waitForSelector('text=No patients on ward ward-b.', WAIT);
      assert.equal(await page.locator('.tile').count(), 0);
      assert.ok(!(await page.content()).includes('Demo patient'));
      // Asking for the demo ward by URL changes nothing: the token's wards decide.
      await page.goto(`${fx.baseUrl}/app/wards/demo-ward`);
      await page.waitForSelector('text=No patients on ward ward-b.', WAIT);
      assert.ok(!(await page.content()).includes('Demo patient'));
    } finally {
      await context.close();
    }
  });
  it('reports a live feed that stalls without closing, and recovers when the feed is back', async () => {
    // A server that opens the stream, says it is ready, then says nothing, ever: a stalled connection.
    // Later attempts find the network gone (the connection is reset).
    let answered = 0;
    const stalled = createServer((req, res) => {
      if (answered++ > 0) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        'access-control-allow-origin': '*',
      });
      res.write('event: ready\ndata: {}\n\n');
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const { port } = stalled.address() as AddressInfo;
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.route('**/api/v1/wards/*/live*', (route) => route.continue({ url: `http://127.0.0.1:${port}/live` }));
      await signIn(page, fx.baseUrl, USERS.nurse);
      await page.waitForFunction((n) => document.querySelectorAll('.tile').length === n, DEMO_PATIENTS, WAIT);
      assert.equal(await page.isHidden('#banner'), true);
      // Silent past the stall limit (the real feed pings every 15 s): the banner says the feed is lost.
      await page.waitForSelector('#banner:text-matches("Live connection lost")', { timeout: 120_000 });
      // The feed is reachable again: the app reopens it by itself and the banner goes.
      await page.unroute('**/api/v1/wards/*/live*');
      await page.waitForSelector('#banner', { state: 'hidden', ...WAIT });
      await page.waitForFunction(
        (n) => document.querySelectorAll('.tile .vital-current[data-vital="hr"]').length === n,
        DEMO_PATIENTS,
        WAIT,
      );
    } finally {
      await context.close();
      stalled.closeAllConnections();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });
});
