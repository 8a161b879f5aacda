// Screenshots of the dashboard's views for docs/screenshots/, taken against a demo ward:
//   npm run build && node packages/dashboard/dist/screenshots.js
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  launchChromium,
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
} finally {
  await browser.close();
  await fx.dispose();
}
