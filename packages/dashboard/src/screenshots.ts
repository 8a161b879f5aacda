// Screenshots of the dashboard's views for docs/screenshots/, taken against a demo ward:
//   npm run build && node packages/dashboard/dist/screenshots.js
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  launchChromium,
  passwordToken,
  putAlwaysFiringRule,
  signIn,
  startDashboardPlatform,
  USERS,
} from './testing/dashboard-platform.js';

const OUT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const DEMO_PATIENTS = 8;

const fx = await startDashboardPlatform(DEMO_PATIENTS);
const browser = await launchChromium();
try {
  // Reduced motion: flashing alarms are captured steady, never in their dim phase.
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, reducedMotion: 'reduce' });
  await signIn(page, fx.baseUrl, USERS.nurse);
  await page.waitForFunction((n) => document.querySelectorAll('.tile .news2[data-news2]').length === n, DEMO_PATIENTS, {
    timeout: 60_000,
  });
  // Alarms of each priority on three beds, to show their colours.
  const ids = await page.$$eval('.tile', (els) => els.map((e) => e.getAttribute('data-patient-id') ?? ''));
  const priorities = ['high', 'medium', 'low'] as const;
  for (const [i, priority] of priorities.entries()) {
    const id = ids[ids.length - 1 - i] ?? '';
    await putAlwaysFiringRule(fx.baseUrl, id, {
      id: `demo.${priority}`,
      label: `Demo ${priority} alarm`,
      code: 'MDC_ECG_HEART_RATE',
      priority,
    });
  }
  await page.waitForFunction(() => document.querySelectorAll('.tile[data-alarm-priority]').length === 3, undefined, {
    timeout: 60_000,
  });
  await mkdir(OUT_DIR, { recursive: true });
  const path = `${OUT_DIR}ward-overview.png`;
  await page.screenshot({ path });
  process.stdout.write(`wrote ${path}\n`);

  // The alarm console: the three alarms by priority, one acknowledged by the nurse.
  {
    await page.click('a[data-nav="alarms"]');
    await page.waitForFunction(
      () => document.querySelectorAll('#open-alarms tr[data-alarm-id]').length >= 3,
      undefined,
      {
        timeout: 60_000,
      },
    );
    await page.click('#open-alarms tr[data-priority="medium"] button[data-action="acknowledge"]');
    await page.waitForSelector('#open-alarms tr[data-priority="medium"][data-state="acknowledged"]', {
      timeout: 60_000,
    });
    const consolePath = `${OUT_DIR}alarm-console.png`;
    await page.screenshot({ path: consolePath });
    process.stdout.write(`wrote ${consolePath}\n`);
  }

  // The device fleet, as an admin sees it: the demo monitors and a registered spare that never sent.
  {
    const admin = await browser.newPage({ viewport: { width: 1400, height: 560 } });
    await signIn(admin, fx.baseUrl, USERS.admin, 'app');
    const token = await passwordToken(fx.baseUrl, USERS.admin);
    const res = await fetch(`${fx.baseUrl}/api/v1/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'spare-mon-01', model: 'spare bedside monitor' }),
    });
    if (!res.ok) throw new Error(`registering the spare monitor: ${res.status} ${await res.text()}`);
    await admin.click('a[data-nav="devices"]');
    await admin.waitForSelector('tr.fleet-row.fleet-silent[data-device-id="spare-mon-01"]', { timeout: 120_000 });
    await admin.waitForFunction(
      (n) => document.querySelectorAll('tr.fleet-row [data-not-after]').length === n,
      DEMO_PATIENTS,
      { timeout: 60_000 },
    );
    const fleetPath = `${OUT_DIR}device-fleet.png`;
    await admin.screenshot({ path: fleetPath });
    process.stdout.write(`wrote ${fleetPath}\n`);
  }

  // One patient, the one with the high alarm: trends, ECG strip, NEWS2 history, alarms, charting.
  {
    const nurse = await browser.newPage({ viewport: { width: 1400, height: 1500 }, reducedMotion: 'reduce' });
    await signIn(nurse, fx.baseUrl, USERS.nurse);
    const id = ids[ids.length - 1] ?? '';
    await nurse.click(`.tile[data-patient-id="${id}"] .patient-name a`);
    const wait = { timeout: 60_000 };
    await nurse.waitForFunction(
      () => Number(document.querySelector('.trend[data-vital="hr"]')?.getAttribute('data-points')) >= 10,
      undefined,
      wait,
    );
    await nurse.waitForFunction(
      () => Number(document.querySelector('.ecg-canvas')?.getAttribute('data-samples')) >= 2_000,
      undefined,
      wait,
    );
    await nurse.waitForSelector('.news2-history tbody tr', wait);
    await nurse.waitForSelector('.alarm-history tbody tr', wait);
    await nurse.waitForSelector('.ecg-analysis:has-text("ECG HR")', wait);
    const patientPath = `${OUT_DIR}patient-view.png`;
    await nurse.screenshot({ path: patientPath });
    process.stdout.write(`wrote ${patientPath}\n`);
  }
} finally {
  await browser.close();
  await fx.dispose();
}
