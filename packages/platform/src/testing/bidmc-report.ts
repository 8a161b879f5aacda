/**
 * `npm run clinical:bidmc`: replays the BIDMC numerics through the ingest-to-alarm path with the
 * default rules and prints the alarm-burden table of docs/CLINICAL.md (Markdown) on stdout.
 */
import { fileURLToPath } from 'node:url';
import { readNumericsRows, replayBidmc, type BidmcReplay } from './bidmc-replay.js';

/** A fixed start instant, so the replay (and the table) is the same on every run. */
export const BIDMC_REPLAY_START = Date.UTC(2026, 0, 1, 0, 0, 0);

/** The 30 BIDMC numerics records kept in packages/platform/test-data/bidmc (attribution in its README). */
export const BIDMC_DIR = fileURLToPath(new URL('../../test-data/bidmc', import.meta.url));

export async function bidmcReplay(): Promise<BidmcReplay> {
  return replayBidmc(await readNumericsRows(BIDMC_DIR), BIDMC_REPLAY_START);
}

const fmt = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));

/** The Markdown tables: burden per type and priority, then the alarms per record. */
export function bidmcTable(replay: BidmcReplay): string {
  const { burden } = replay;
  const lines = [
    `Records: ${replay.records}; monitored: ${burden.monitoredPatientHours.toFixed(2)} patient-hours; alarms raised: ${burden.raised}.`,
    '',
    '| Category | Priority | Alarms | Per patient-hour | Per bed-day |',
    '|---|---|---|---|---|',
    ...burden.byType.map(
      (t) => `| ${t.category} | ${t.priority} | ${t.count} | ${fmt(t.perPatientHour)} | ${fmt(t.perBedDay, 1)} |`,
    ),
    '',
    '| Rule | Alarms | Records with it |',
    '|---|---|---|',
  ];
  const byRule = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const a of replay.alarms) {
    counts.set(a.ruleId, (counts.get(a.ruleId) ?? 0) + 1);
    const set = byRule.get(a.ruleId) ?? new Set<string>();
    set.add(a.patientId ?? a.deviceId ?? '');
    byRule.set(a.ruleId, set);
  }
  for (const [rule, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    lines.push(`| ${rule} | ${n} | ${[...(byRule.get(rule) ?? [])].sort().join(', ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1]?.endsWith('bidmc-report.js') === true) {
  process.stdout.write(bidmcTable(await bidmcReplay()));
}
