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
import { monitorPatientId, startMonitors, type SimulatedMonitors } from './testing/simulated-monitors.js';

/** The scenario: a sepsis-like drift from the first reading, complete after this long (event time). */
const DETERIORATION_MS = 30_000;
/**
 * The scenario's delay: the drift, then the NEWS2 band held for a minute before it alarms (local
 * policy, packages/clinical/src/alarms/default-rules.ts BAND_DELAY_MS), plus a minute of room for a
 * loaded CI machine. It bounds the waits; nothing asserts a duration.
 */
const SCENARIO_WAIT = { timeout: DETERIORATION_MS + 60_000 + 60_000 };
const WAIT = { timeout: 60_000 };

/**
 * One simulated bedside monitor admitted to a new patient (`${prefix}pt-0001`), at 1 Hz, with
 * blood pressure and temperature every 5 s so NEWS2 is complete from the start; a nurse charts
 * consciousness and air at admission, as on the ward.
 */
async function monitor(
  fx: DashboardPlatform,
  prefix: string,
  name: string,
  scenario: string,
): Promise<SimulatedMonitors> {
  const sim = await startMonitors(fx, {
    prefix,
    name: () => name,
    scenario,
    settings: { deteriorationDurationMs: DETERIORATION_MS },
    spotIntervalMs: 5_000,
  });
  const token = await passwordToken(fx.baseUrl, USERS.nurse);
  for (const observation of [
    { kind: 'consciousness', value: 'A' },
    { kind: 'oxygen', onOxygen: false },
  ]) {
    const res = await fetch(`${fx.baseUrl}/api/v1/patients/${monitorPatientId(prefix, 1)}/observations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...observation, observedAt: new Date().toISOString(), recordedBy: USERS.nurse.username }),
    });
    assert.ok(res.status === 201 || res.status === 200, `${res.status} ${await res.text()}`);
  }
  return sim;
}

describe('ward overview end to end: a deteriorating patient, a monitor that stops sending, one without a patient', () => {
  let fx: DashboardPlatform;
  let browser: Browser;
  const sims: SimulatedMonitors[] = [];

  before(async () => {
    fx = await startDashboardPlatform(0, { plaintextMqtt: true });
    browser = await launchChromium();
  });
  after(async () => {
    for (const sim of sims) sim.abort.abort();
    await Promise.allSettled(sims.map((s) => s.done));
    await browser.close();
    await fx.dispose();
  });

  it("turns a deteriorating patient's tile to NEWS2 high risk with a high alarm, first, within the scenario's drift", async (t) => {
    const page = await browser.newPage();
    try {
      const stable = await monitor(fx, 'e2e-stable-', 'Stable patient', 'stable');
      const sick = await monitor(fx, 'e2e-sepsis-', 'Deteriorating patient', 'deteriorating');
      sims.push(stable, sick);
      const startedAt = Date.now();
      await signIn(page, fx.baseUrl, USERS.nurse);
      const tile = '.tile[data-patient-id="e2e-sepsis-pt-0001"]';
      // At first NEWS2 is complete and not high.
      await page.waitForSelector(`${tile} .news2[data-news2]`, WAIT);
      // Then, without a reload, the risk colour turns high (NEWS2 ≥ 7, RCP 2017) and a high alarm shows.
      await page.waitForSelector(`${tile} .news2.news2-high`, SCENARIO_WAIT);
      await page.waitForSelector(`${tile}[data-alarm-priority="high"] .alarm.alarm-high`, SCENARIO_WAIT);
      const news2 = Number(await page.getAttribute(`${tile} .news2`, 'data-news2'));
      assert.ok(news2 >= 7, `NEWS2 ${news2}`);
      // The sickest first.
      assert.equal(await page.$eval('.tiles > .tile', (e) => e.getAttribute('data-patient-id')), 'e2e-sepsis-pt-0001');
      // The stable patient's tile stays low risk with no high alarm.
      assert.equal(await page.locator('.tile[data-patient-id="e2e-stable-pt-0001"] .news2-high').count(), 0);
      t.diagnostic(`high risk shown ${Math.round((Date.now() - startedAt) / 1000)} s after the monitors started`);
    } finally {
      await page.close();
    }
  });

  it('greys a monitor that stops sending: its monitored values stale, the tile says so, never shown as current', async () => {
    const page = await browser.newPage();
    try {
      const sim = await monitor(fx, 'e2e-silent-', 'Patient whose monitor stops', 'stable');
      sims.push(sim);
      await signIn(page, fx.baseUrl, USERS.nurse);
      const tile = '.tile[data-patient-id="e2e-silent-pt-0001"]';
      await page.waitForSelector(`${tile}[data-data="current"] .vital-current[data-vital="hr"]`, WAIT);
      // The monitor stops (its run is ended: no more messages).
      sim.abort.abort();
      await sim.done;
      // Past the stale limit every value is struck through with its age, and the tile says no current data.
      await page.waitForSelector(`${tile}[data-data="stale"]`, WAIT);
      // The continuously monitored values are stale; a blood pressure and temperature the monitor took
      // stay valid for their own windows (1 h and 6 h), shown with their age.
      for (const key of ['hr', 'spo2', 'rr', 'pulse']) {
        assert.equal(await page.locator(`${tile} .vital-stale[data-vital="${key}"]`).count(), 1, key);
      }
      assert.match((await page.textContent(`${tile} .vital-current[data-vital="nibp"] .age`)) ?? '', /^\d+ (s|min)$/);
      assert.match(
        (await page.textContent(`${tile} .data-notice`)) ?? '',
        /^NO CURRENT DATA · newest value \d+ s old$/,
      );
      assert.match((await page.textContent(`${tile} .vital-stale[data-vital="hr"] .age`)) ?? '', /^stale · \d+ s old$/);
      assert.ok(await page.$eval(tile, (e) => e.classList.contains('tile-no-current-data')));
      // A reload shows the same: staleness comes from the data's age, not from the page's history.
      await page.reload();
      await page.waitForSelector(`${tile}[data-data="stale"]`, WAIT);
    } finally {
      await page.close();
    }
  });
  it('lists a monitor sending while bound to no patient below the tiles, and says when it stops', async () => {
    const page = await browser.newPage();
    try {
      const sim = await startMonitors(fx, { prefix: 'e2e-loose-', scenario: 'stable', admit: false });
      sims.push(sim);
      await signIn(page, fx.baseUrl, USERS.nurse);
      const row = '#unassigned .unassigned-device[data-device-id="e2e-loose-0001"]';
      // Polled every 15 s: the first read may come before the device's first reading.
      await page.waitForSelector(row, WAIT);
      assert.match((await page.textContent('#unassigned h2')) ?? '', /^Devices sending without a patient \(\d+\)$/);
      assert.match((await page.textContent(row)) ?? '', /\d+ readings kept under the device/);
      // No tile for it: it has no patient.
      assert.equal(await page.locator('.tile[data-patient-id^="e2e-loose-"]').count(), 0);
      sim.abort.abort();
      await sim.done;
      await page.waitForSelector(`${row}.stale`, WAIT);
      assert.match((await page.textContent(`${row} .age`)) ?? '', /not sending$/);
    } finally {
      await page.close();
    }
  });
});
