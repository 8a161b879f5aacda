import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  launchChromium,
  passwordToken,
  signIn,
  startDashboardPlatform,
  USERS,
  type DashboardPlatform,
} from './testing/dashboard-platform.js';

/** Generous: a loaded CI machine; the tests wait on the page, never on the clock. */
const WAIT = { timeout: 60_000 };
/** A device that never sends turns silent once the stale limit (30 s) has passed since the platform started. */
const SILENT_WAIT = { timeout: 120_000 };
const DEMO_PATIENTS = 3;
/** What the simulator's monitors report (`SIMULATED_FIRMWARE` of @wardstream/simulator). */
const DEMO_FIRMWARE = 'wardstream-sim-monitor 1.0.0';
const SPARE = 'fleet-spare-1';

interface Row {
  readonly id: string | null;
  readonly attention: string | null;
  readonly silent: boolean;
  readonly cells: Record<string, string>;
  readonly notAfter: string | null;
  readonly connected: string | null;
}

describe('device fleet view: Chromium against the embedded platform', () => {
  let fx: DashboardPlatform | undefined;
  let browser: Browser | undefined;

  before(async () => {
    fx = await startDashboardPlatform(DEMO_PATIENTS);
    browser = await launchChromium();
  });
  // Whatever failed in `before`: the platform is stopped, or the process would never end.
  after(async () => {
    await browser?.close();
    await fx?.dispose();
  });
  const started = () => {
    assert.ok(fx !== undefined && browser !== undefined, 'the platform and the browser started');
    return { fx, browser };
  };

  it('shows an admin every device with its status, and exactly the one needing attention when asked', async () => {
    const { fx, browser } = started();
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    try {
      await signIn(page, fx.baseUrl, USERS.admin, 'app');
      await page.click('a[data-nav="devices"]');
      await page.waitForURL(`${fx.baseUrl}/app/devices`);
      assert.equal(await page.textContent('h1'), 'Devices');
      // Every demo monitor, once it has connected (certificate) and sent a status (battery, firmware).
      await page.waitForFunction(
        (n) =>
          Array.from(document.querySelectorAll('tr.fleet-row[data-device-id^="demo-mon-"]')).filter(
            (r) => r.querySelector('[data-col="battery"]')?.textContent !== '—' && r.querySelector('[data-not-after]'),
          ).length === n,
        DEMO_PATIENTS,
        WAIT,
      );
      const rows = await readRows();
      assert.deepEqual(
        rows.map((r) => r.id),
        Array.from({ length: DEMO_PATIENTS }, (_, i) => `demo-mon-000${i + 1}`),
      );
      const now = Date.now();
      for (const row of rows) {
        assert.equal(row.attention, '', `${row.id} needs no attention`);
        assert.equal(row.connected, 'true');
        assert.equal(row.cells['binding'], 'ward demo-ward');
        assert.match(row.cells['battery'] ?? '', /^\d{1,3} %$/);
        assert.match(row.cells['signal'] ?? '', /^-\d+ dBm$/);
        assert.equal(row.cells['firmware'], DEMO_FIRMWARE);
        assert.match(row.cells['last-seen'] ?? '', /^\d+ s ago$/);
        // The platform CA issues device certificates for 397 days.
        const daysLeft = (Date.parse(row.notAfter ?? '') - now) / 86_400_000;
        assert.ok(daysLeft > 390 && daysLeft <= 397, `${row.id}: ${daysLeft} days left`);
        assert.match(row.cells['certificate'] ?? '', /^\d{4}-\d{2}-\d{2} · \d+ days left$/);
      }

      // A device registered for real that never sends: silent once the stale limit has passed.
      const token = await passwordToken(fx.baseUrl, USERS.admin);
      const registered = await fetch(`${fx.baseUrl}/api/v1/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: SPARE, model: 'spare monitor' }),
      });
      assert.equal(registered.status, 201);
      await page.waitForSelector(`tr.fleet-row.fleet-silent[data-device-id="${SPARE}"]`, SILENT_WAIT);
      const spare = (await readRows()).find((r) => r.id === SPARE);
      assert.deepEqual(
        [spare?.attention, spare?.cells['last-seen'], spare?.cells['binding'], spare?.connected],
        ['silent', 'never · silent', 'unbound', 'false'],
      );
      // Attention first.
      assert.equal((await readRows())[0]?.id, SPARE);

      await page.check('#attention-only');
      await page.waitForFunction(() => document.querySelectorAll('tr.fleet-row').length === 1, undefined, WAIT);
      assert.deepEqual(
        (await readRows()).map((r) => [r.id, r.attention]),
        [[SPARE, 'silent']],
      );
      assert.equal(await page.textContent(`tr.fleet-row [data-reason="silent"]`), 'silent');
      await page.uncheck('#attention-only');
      await page.waitForFunction(
        (n) => document.querySelectorAll('tr.fleet-row').length === n,
        DEMO_PATIENTS + 1,
        WAIT,
      );
      assert.equal(await page.isHidden('#banner'), true);
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }

    async function readRows(): Promise<Row[]> {
      return page.$$eval('tr.fleet-row', (trs) =>
        trs.map((tr) => ({
          id: tr.getAttribute('data-device-id'),
          attention: tr.getAttribute('data-attention'),
          silent: tr.classList.contains('fleet-silent'),
          cells: Object.fromEntries(
            Array.from(tr.querySelectorAll('td[data-col]')).map((td): [string, string] => [
              td.getAttribute('data-col') ?? '',
              td.textContent,
            ]),
          ),
          notAfter: tr.querySelector('[data-not-after]')?.getAttribute('data-not-after') ?? null,
          connected: tr.querySelector('[data-connected]')?.getAttribute('data-connected') ?? null,
        })),
      );
    }
  });

  it('tells a nurse the fleet is not for her role, and keeps working', async () => {
    const { fx, browser } = started();
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      await page.click('a[data-nav="devices"]');
      await page.waitForSelector('text=The device fleet is for administrators and service accounts.', WAIT);
      assert.equal(await page.locator('tr.fleet-row').count(), 0);
      assert.equal(await page.isHidden('#banner'), true);
      // The app still navigates: back to the ward.
      await page.click('a[data-nav="ward"]');
      await page.waitForSelector('h1:text-matches("^Ward ")', WAIT);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
