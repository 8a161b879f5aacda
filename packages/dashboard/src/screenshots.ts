// Screenshots of the dashboard's views for docs/screenshots/, taken against a demo ward:
//   npm run build && node packages/dashboard/dist/screenshots.js
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchChromium, signIn, startDashboardPlatform, USERS } from './testing/dashboard-platform.js';

const OUT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const DEMO_PATIENTS = 8;

const fx = await startDashboardPlatform(DEMO_PATIENTS);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await signIn(page, fx.baseUrl, USERS.nurse);
  await page.waitForFunction((n) => document.querySelectorAll('.tile .news2[data-news2]').length === n, DEMO_PATIENTS, {
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
