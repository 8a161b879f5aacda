import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  alwaysFiring,
  launchChromium,
  passwordToken,
  putPatientRules,
  signIn,
  startDashboardPlatform,
  USERS,
  type DashboardPlatform,
} from './testing/dashboard-platform.js';

/** Generous: a loaded CI machine; the tests wait on the page, never on the clock. */
const WAIT = { timeout: 60_000 };
const DEMO_PATIENTS = 3;
const HR = 'MDC_ECG_HEART_RATE';

interface AuditEntry {
  readonly action: string;
  readonly actor: string;
  readonly subject: string;
  readonly details: Record<string, unknown>;
}

async function auditOf(fx: DashboardPlatform, alarmId: string): Promise<AuditEntry[]> {
  const token = await passwordToken(fx.baseUrl, USERS.admin);
  const res = await fetch(`${fx.baseUrl}/api/v1/audit?subject=${encodeURIComponent(`alarm:${alarmId}`)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { entries: AuditEntry[] }).entries;
}

/** The id of the open alarm whose message starts with `label`, once the page shows it. */
async function alarmIdByLabel(page: Page, rowSelector: string, label: string): Promise<string> {
  const handle = await page.waitForFunction(
    ({ sel, text }) => {
      for (const row of Array.from(document.querySelectorAll(sel))) {
        if (row.textContent.includes(text)) return row.getAttribute('data-alarm-id');
      }
      return null;
    },
    { sel: rowSelector, text: label },
    WAIT,
  );
  return String(await handle.jsonValue());
}

describe('alarm console end to end: Chromium against the embedded platform', () => {
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

  it('acknowledging from the console changes the alarm everywhere, with who and when, and audits it; resolve needs the condition gone and a reason', async () => {
    // Two nurses' screens: one on the ward overview, one on the console.
    const wardContext = await browser.newContext();
    const consoleContext = await browser.newContext();
    const ward = await wardContext.newPage();
    const desk = await consoleContext.newPage();
    try {
      await signIn(ward, fx.baseUrl, USERS.nurse);
      await ward.waitForFunction((n) => document.querySelectorAll('.tile').length === n, DEMO_PATIENTS, WAIT);
      const patientId = await ward.$eval('.tile', (e) => e.getAttribute('data-patient-id') ?? '');
      await signIn(desk, fx.baseUrl, USERS.nurse);
      await desk.click('nav a[data-nav="alarms"]');
      await desk.waitForURL(`${fx.baseUrl}/app/alarms`);
      await desk.waitForSelector('h1:text("Alarms")');

      // Two always-firing latching alarms on one patient: one to acknowledge, one to resolve.
      const ackLabel = 'E2E console acknowledge';
      const resolveLabel = 'E2E console resolve';
      await putPatientRules(fx.baseUrl, patientId, [
        alwaysFiring({ id: 'e2e.console-ack', label: ackLabel, code: HR, priority: 'high' }),
        alwaysFiring({ id: 'e2e.console-resolve', label: resolveLabel, code: HR, priority: 'medium' }),
      ]);
      const ackId = await alarmIdByLabel(desk, '#open-alarms tr[data-alarm-id]', ackLabel);
      const resolveId = await alarmIdByLabel(desk, '#open-alarms tr[data-alarm-id]', resolveLabel);
      const deskRow = (id: string) => `#open-alarms tr[data-alarm-id="${id}"]`;
      // By priority: the high one above the medium one; the condition holds, so no resolve yet.
      const order = await desk.$$eval('#open-alarms tr', (trs) => trs.map((tr) => tr.getAttribute('data-alarm-id')));
      assert.ok(order.indexOf(ackId) < order.indexOf(resolveId), `order ${order.join(', ')}`);
      assert.equal(await desk.locator(`${deskRow(resolveId)} button[data-action="resolve"]`).count(), 0);
      assert.match((await desk.textContent(`${deskRow(resolveId)} .hint`)) ?? '', /condition present/);
      // The ward screen shows it active on the patient's tile.
      const tileAlarm = `.tile[data-patient-id="${patientId}"] .alarm[data-alarm-id="${ackId}"]`;
      await ward.waitForSelector(`${tileAlarm}[data-state="active"]`, WAIT);

      // Acknowledge on the console.
      await desk.click(`${deskRow(ackId)} button[data-action="acknowledge"]`);
      await desk.waitForSelector(`${deskRow(ackId)}[data-state="acknowledged"]`, WAIT);
      assert.match(
        (await desk.textContent(`${deskRow(ackId)} .handling`)) ?? '',
        new RegExp(`Acknowledged by ${USERS.nurse.username} \\d+ s ago`),
      );
      // Everywhere: the other screen's tile turns acknowledged through its live feed, no reload.
      await ward.waitForSelector(`${tileAlarm}[data-state="acknowledged"]`, WAIT);
      assert.match((await ward.textContent(tileAlarm)) ?? '', /^ACK/);
      // And in the API, with who and when.
      const token = await passwordToken(fx.baseUrl, USERS.nurse);
      const one = (await (
        await fetch(`${fx.baseUrl}/api/v1/alarms/${ackId}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { alarm: { state: string; acknowledgedBy: string; acknowledgedAt: string } };
      assert.equal(one.alarm.state, 'acknowledged');
      assert.equal(one.alarm.acknowledgedBy, USERS.nurse.username);
      // The audit trail holds the action, by that nurse.
      const acks = (await auditOf(fx, ackId)).filter((e) => e.action === 'alarm.acknowledge');
      assert.equal(acks.length, 1);
      assert.equal(acks[0]?.actor, USERS.nurse.username);

      // The rules go: both conditions end. The acknowledged alarm resolves by itself; the latched
      // unacknowledged one stays until someone resolves it, which now needs a reason.
      await putPatientRules(fx.baseUrl, patientId, []);
      await desk.waitForSelector(`#resolved-alarms tr[data-alarm-id="${ackId}"]`, WAIT);
      await desk.waitForSelector(`${deskRow(resolveId)} button[data-action="resolve"]`, WAIT);
      await desk.click(`${deskRow(resolveId)} button[data-action="resolve"]`);
      await desk.click(`${deskRow(resolveId)} button[data-action="resolve-confirm"]`);
      assert.equal(await desk.getAttribute(`${deskRow(resolveId)} input.note`, 'aria-invalid'), 'true');
      await desk.fill(`${deskRow(resolveId)} input.note`, 'sensor re-sited, patient well');
      await desk.click(`${deskRow(resolveId)} button[data-action="resolve-confirm"]`);
      const resolvedRow = `#resolved-alarms tr[data-alarm-id="${resolveId}"]`;
      await desk.waitForSelector(resolvedRow, WAIT);
      assert.match(
        (await desk.textContent(`${resolvedRow} .handling`)) ?? '',
        new RegExp(`Resolved by ${USERS.nurse.username}`),
      );
      // Gone from the tile on the other screen.
      await ward.waitForFunction(
        (sel) => document.querySelector(sel) === null,
        `.tile[data-patient-id="${patientId}"] .alarm[data-alarm-id="${resolveId}"]`,
        WAIT,
      );
      const resolves = (await auditOf(fx, resolveId)).filter((e) => e.action === 'alarm.resolve');
      assert.deepEqual(
        resolves.map((e) => [e.actor, e.details.note]),
        [[USERS.nurse.username, 'sensor re-sited, patient well']],
      );
    } finally {
      await wardContext.close();
      await consoleContext.close();
    }
  });

  it("shows why an action is refused when another nurse got there first, then the alarm's real state", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      await page.waitForFunction((n) => document.querySelectorAll('.tile').length === n, DEMO_PATIENTS, WAIT);
      const patientId = await page.$eval('.tiles > .tile:last-child', (e) => e.getAttribute('data-patient-id') ?? '');
      const label = 'E2E console race';
      await putPatientRules(fx.baseUrl, patientId, [
        alwaysFiring({ id: 'e2e.console-race', label, code: HR, priority: 'low' }),
      ]);
      await page.waitForSelector(`.tile[data-patient-id="${patientId}"] .alarm-low`, WAIT);
      // This console gets no live feed: what it shows is what it read when it opened.
      await page.route('**/api/v1/wards/*/live*', (route) => route.abort());
      await page.click('nav a[data-nav="alarms"]');
      const id = await alarmIdByLabel(page, '#open-alarms tr[data-alarm-id]', label);
      await page.waitForSelector('#banner:text-matches("Live connection lost")', WAIT);
      const row = `#open-alarms tr[data-alarm-id="${id}"]`;
      assert.equal(await page.getAttribute(row, 'data-state'), 'active');
      // Meanwhile the physician acknowledges it elsewhere.
      const token = await passwordToken(fx.baseUrl, USERS.physician);
      const res = await fetch(`${fx.baseUrl}/api/v1/alarms/${id}/acknowledge`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ by: USERS.physician.username }),
      });
      assert.equal(res.status, 200);
      // The nurse's click is refused (409), the row says why and then shows the state the server holds.
      await page.click(`${row} button[data-action="acknowledge"]`);
      await page.waitForSelector(`${row}[data-state="acknowledged"]`, WAIT);
      assert.match((await page.textContent(`${row} .row-problem`)) ?? '', /^Acknowledge refused: .*not active/);
      assert.match(
        (await page.textContent(`${row} .handling`)) ?? '',
        new RegExp(`Acknowledged by ${USERS.physician.username}`),
      );
      await putPatientRules(fx.baseUrl, patientId, []);
    } finally {
      await context.close();
    }
  });
  it('catches up after its live feed was down: an alarm resolved elsewhere meanwhile leaves the open list', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, fx.baseUrl, USERS.nurse);
      await page.waitForFunction((n) => document.querySelectorAll('.tile').length === n, DEMO_PATIENTS, WAIT);
      const patientId = await page.$eval('.tiles > .tile:nth-child(2)', (e) => e.getAttribute('data-patient-id') ?? '');
      const label = 'E2E console outage';
      await putPatientRules(fx.baseUrl, patientId, [
        alwaysFiring({ id: 'e2e.console-outage', label, code: HR, priority: 'medium' }),
      ]);
      await page.waitForSelector(`.tile[data-patient-id="${patientId}"] .alarm-medium`, WAIT);
      // The console opens with its feed down: it shows what it read, and says the feed is lost.
      await page.route('**/api/v1/wards/*/live*', (route) => route.abort());
      await page.click('nav a[data-nav="alarms"]');
      const id = await alarmIdByLabel(page, '#open-alarms tr[data-alarm-id]', label);
      await page.waitForSelector('#banner:text-matches("Live connection lost")', WAIT);
      // Meanwhile the condition ends and the physician resolves the alarm elsewhere.
      await putPatientRules(fx.baseUrl, patientId, []);
      const token = await passwordToken(fx.baseUrl, USERS.physician);
      let status = 0;
      for (let attempt = 0; attempt < 60 && status !== 200; attempt++) {
        // The engine ends the condition as the rules change: until then resolve is refused (409).
        const res = await fetch(`${fx.baseUrl}/api/v1/alarms/${id}/resolve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ by: USERS.physician.username, note: 'resolved at the bedside' }),
        });
        status = res.status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(status, 200);
      assert.equal(await page.getAttribute(`#open-alarms tr[data-alarm-id="${id}"]`, 'data-state'), 'active');
      // The feed comes back by itself: the console re-reads, and the alarm is resolved, by whom.
      await page.unroute('**/api/v1/wards/*/live*');
      const resolvedRow = `#resolved-alarms tr[data-alarm-id="${id}"]`;
      await page.waitForSelector(resolvedRow, WAIT);
      assert.equal(await page.locator(`#open-alarms tr[data-alarm-id="${id}"]`).count(), 0);
      assert.match(
        (await page.textContent(`${resolvedRow} .handling`)) ?? '',
        new RegExp(`Resolved by ${USERS.physician.username}`),
      );
      await page.waitForSelector('#banner[hidden]', { ...WAIT, state: 'attached' });
    } finally {
      await context.close();
    }
  });
});
