/**
 * The ward overview's rendering benchmark (issue 6): a ward of N beds (default 64), each monitor
 * publishing at 1 Hz, shown in Debian's headless Chromium. Measured in the page with the browser's
 * own instruments: frame intervals (requestAnimationFrame), long tasks (PerformanceObserver
 * `longtask`, main-thread tasks over 50 ms), main-thread busy time (Chrome DevTools Protocol
 * `Performance.getMetrics` TaskDuration), and how many heart-rate values the tiles actually changed
 * per second (so the page is shown to be updating, not idle).
 *
 * Three phases in one run on the same machine, side by side:
 *   live      the ward updating through its live feed;
 *   frozen    the same page and tiles with the live feed cut (its one-second age refresh still runs);
 *   blank     an empty page of the same origin: the browser's own frame noise on this machine.
 *
 *   npm run build && node packages/dashboard/dist/render-bench.js [--beds 64] [--seconds 60] [--json FILE]
 * (`npm run bench -- --only render` runs it too.) Everything shares the machine's cores: the
 * platform, 64 simulated monitors and the browser.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium, signIn, startDashboardPlatform, USERS } from './testing/dashboard-platform.js';
import { startMonitors, type SimulatedMonitors } from './testing/simulated-monitors.js';

const { values } = parseArgs({
  options: {
    beds: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '60' },
    'warmup-seconds': { type: 'string', default: '15' },
    json: { type: 'string' },
  },
});
const beds = Number(values.beds);
const seconds = Number(values.seconds);
const warmupSeconds = Number(values['warmup-seconds']);
for (const [name, v] of [
  ['beds', beds],
  ['seconds', seconds],
  ['warmup-seconds', warmupSeconds],
] as const) {
  if (!Number.isInteger(v) || v < 1 || v > 10_000) {
    process.stderr.write(`render-bench: --${name} must be a whole number from 1 to 10000\n`);
    process.exit(2);
  }
}
const progress = (text: string) => process.stderr.write(`render-bench: ${text}\n`);

/** What one phase measured in the page. */
export interface PhaseResult {
  readonly phase: string;
  readonly seconds: number;
  readonly frames: number;
  readonly frameMs: { p50: number; p95: number; p99: number; max: number };
  /** Frames that took longer than 50 ms (visibly janky). */
  readonly slowFrames: number;
  readonly longTasks: number;
  readonly longTaskMs: number;
  readonly longestTaskMs: number;
  /** Main-thread busy time of the page's renderer as a share of wall time (CDP TaskDuration). */
  readonly mainThreadBusy: number;
  /** Heart-rate values changed on the tiles per second (0 when the page is not updating). */
  readonly hrUpdatesPerS: number;
  /** CPU used by every Chromium process (browser, renderers, GPU, utility), in cores. */
  readonly chromiumCores: number;
  /** CPU used by this process (the platform and the simulated monitors), in cores. */
  readonly platformCores: number;
}

/** CPU seconds used so far by every process named chrom* (Linux /proc; utime + stime at 100 Hz). */
function chromiumCpuSeconds(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!/chrom/i.test(stat.slice(stat.indexOf('(') + 1, close))) continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks / 100;
}

function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Installed in every page before its scripts: collects frames, long tasks and tile updates. */
const INSTRUMENT = `(() => {
  const m = { frames: [], longTasks: [], hrChanges: 0, last: new Map(), running: false };
  window.__bench = m;
  new PerformanceObserver((list) => {
    if (!m.running) return;
    for (const e of list.getEntries()) m.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: false });
  let prev = 0;
  const frame = (t) => {
    if (m.running && prev !== 0) m.frames.push(t - prev);
    prev = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  setInterval(() => {
    if (!m.running) return;
    for (const e of document.querySelectorAll('.tile [data-vital="hr"]')) {
      const id = e.closest('.tile')?.getAttribute('data-patient-id');
      const at = e.getAttribute('data-observed-at');
      if (id == null || at == null) continue;
      if (m.last.has(id) && m.last.get(id) !== at) m.hrChanges++;
      m.last.set(id, at);
    }
  }, 250);
})();`;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

async function measure(page: Page, phase: string, durationS: number): Promise<PhaseResult> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };
  await page.evaluate(() => {
    const m = (
      window as unknown as { __bench: { frames: number[]; longTasks: number[]; hrChanges: number; running: boolean } }
    ).__bench;
    m.frames = [];
    m.longTasks = [];
    m.hrChanges = 0;
    m.running = true;
  });
  const busyBefore = await busy();
  const chromiumBefore = chromiumCpuSeconds();
  const ownBefore = ownCpuSeconds();
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
  const busyAfter = await busy();
  const wallS = (Date.now() - startedAt) / 1000;
  const chromiumCores = (chromiumCpuSeconds() - chromiumBefore) / wallS;
  const platformCores = (ownCpuSeconds() - ownBefore) / wallS;
  const raw = await page.evaluate(() => {
    const m = (
      window as unknown as { __bench: { frames: number[]; longTasks: number[]; hrChanges: number; running: boolean } }
    ).__bench;
    m.running = false;
    return { frames: m.frames, longTasks: m.longTasks, hrChanges: m.hrChanges };
  });
  await cdp.detach();
  const frames = [...raw.frames].sort((a, b) => a - b);
  return {
    phase,
    seconds: round1(wallS),
    frames: frames.length,
    frameMs: {
      p50: round1(quantile(frames, 0.5)),
      p95: round1(quantile(frames, 0.95)),
      p99: round1(quantile(frames, 0.99)),
      max: round1(frames.at(-1) ?? Number.NaN),
    },
    slowFrames: frames.filter((f) => f > 50).length,
    longTasks: raw.longTasks.length,
    longTaskMs: Math.round(raw.longTasks.reduce((a, b) => a + b, 0)),
    longestTaskMs: Math.round(Math.max(0, ...raw.longTasks)),
    mainThreadBusy: Math.round(((busyAfter - busyBefore) / wallS) * 1000) / 1000,
    hrUpdatesPerS: round1(raw.hrChanges / wallS),
    chromiumCores: Math.round(chromiumCores * 100) / 100,
    platformCores: Math.round(platformCores * 100) / 100,
  };
}

function markdown(
  results: readonly PhaseResult[],
  load: { firstContentfulPaintMs: number; tilesShownMs: number },
  date: string,
): string {
  const lines = [
    `### Dashboard rendering, ${beds} beds at 1 Hz (${date})`,
    '',
    `Reload of the signed-in ward view: first contentful paint ${Math.round(load.firstContentfulPaintMs)} ms, ` +
      `all ${beds} tiles with a current heart rate ${Math.round(load.tilesShownMs)} ms after the navigation started ` +
      "(it reads the ward's latest readings, each patient's scores and the open alarms from the API).",
    '',
    `Command: \`npm run bench -- --only render\` (\`node packages/dashboard/dist/render-bench.js --beds ${beds} --seconds ${seconds}\`). ` +
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), shared by the platform, ${beds} simulated monitors (1 message/s each, no waveforms) and headless Chromium (1280×800). ` +
      `${warmupSeconds} s warm-up, ${seconds} s per phase.`,
    '',
    '| Phase | HR values changed/s | frame p50 / p95 / p99 / max ms | frames > 50 ms | long tasks (total ms, longest) | main thread busy | CPU: Chromium / platform + monitors (cores) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.phase} | ${r.hrUpdatesPerS} | ${r.frameMs.p50} / ${r.frameMs.p95} / ${r.frameMs.p99} / ${r.frameMs.max} | ${r.slowFrames} of ${r.frames} | ${r.longTasks} (${r.longTaskMs} ms, ${r.longestTaskMs} ms) | ${(r.mainThreadBusy * 100).toFixed(1)} % | ${r.chromiumCores} / ${r.platformCores} |`,
    );
  }
  const live = results.find((r) => r.phase.startsWith('live'));
  const blank = results.find((r) => r.phase.startsWith('blank'));
  if (live !== undefined && blank !== undefined && blank.frameMs.p99 > 0) {
    lines.push(
      '',
      `Live against blank: frame p99 ${(live.frameMs.p99 / blank.frameMs.p99).toFixed(2)}×, main thread busy ${(live.mainThreadBusy * 100).toFixed(1)} % vs ${(blank.mainThreadBusy * 100).toFixed(1)} %.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

progress(`starting the platform and ${beds} simulated monitors`);
const fx = await startDashboardPlatform(0, { plaintextMqtt: true });
let monitors: SimulatedMonitors | undefined;
const browser = await launchChromium();
try {
  monitors = await startMonitors(fx, {
    prefix: 'bench-mon-',
    count: beds,
    scenario: `stable:${beds - Math.ceil(beds / 5)},deteriorating:${Math.ceil(beds / 5)}`,
    durationMs: (warmupSeconds + 3 * seconds + 120) * 1000,
  });

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(INSTRUMENT);
  const page = await context.newPage();
  await signIn(page, fx.baseUrl, USERS.nurse);
  await page.waitForFunction(
    (n) => document.querySelectorAll('.tile .vital-current[data-vital="hr"]').length === n,
    beds,
    { timeout: 120_000 },
  );
  progress(`all ${beds} tiles current; warming up ${warmupSeconds} s`);
  await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
  // A reload of the signed-in ward (the bundle from the browser's cache, as on a PC that used it
  // before): first contentful paint, and when every tile shows a current heart rate.
  await page.reload();
  await page.waitForFunction(
    (n) => document.querySelectorAll('.tile .vital-current[data-vital="hr"]').length === n,
    beds,
    { timeout: 120_000 },
  );
  const load = await page.evaluate(() => ({
    firstContentfulPaintMs: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    tilesShownMs: performance.now(),
  }));
  const results: PhaseResult[] = [];
  progress(`measuring live for ${seconds} s`);
  results.push(await measure(page, `live: ${beds} tiles, 1 Hz each`, seconds));
  // The same page with its live feed refused: the view is reopened (in the app, no reload) and
  // loads the ward once; the tiles stay, their values age, the banner says the feed is lost.
  await page.route('**/api/v1/wards/*/live*', (route) => route.abort());
  if (process.env['RENDER_BENCH_DEBUG'] !== undefined) {
    progress(await page.evaluate(() => document.body.innerHTML.slice(0, 1500)));
  }
  await page.click('nav a[data-nav="alarms"]');
  await page.click('nav a[data-nav="ward"]');
  await page.waitForSelector('#banner:not([hidden])', { timeout: 60_000 });
  await page.waitForFunction((n) => document.querySelectorAll('.tile').length === n, beds, { timeout: 60_000 });
  progress(`measuring frozen for ${seconds} s`);
  results.push(await measure(page, `frozen: ${beds} tiles, feed cut`, seconds));
  const blank = await context.newPage();
  await blank.goto(`${fx.baseUrl}/healthz`);
  progress(`measuring blank for ${seconds} s`);
  results.push(await measure(blank, 'blank: an empty page', seconds));
  const date = new Date().toISOString();
  process.stdout.write(markdown(results, load, date));
  if (values.json !== undefined) {
    await writeFile(values.json, `${JSON.stringify({ date, beds, seconds, warmupSeconds, load, results }, null, 2)}\n`);
  }
} finally {
  monitors?.abort.abort();
  await monitors?.done.catch((err: unknown) => progress(`simulator: ${String(err)}`));
  await browser.close();
  await fx.dispose();
}
