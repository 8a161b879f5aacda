import type { DeliveryResult, MessageKey } from './checker.js';

/** How many examples of each failure the report lists. */
const EXAMPLES = 10;

const key = (k: MessageKey): string => `${k.deviceId} boot ${k.boot === '' ? '(none)' : k.boot} seq ${k.seq}`;

function row(label: string, value: number, note = ''): string {
  return `  ${label.padEnd(16)}${String(value).padStart(9)}${note === '' ? '' : `   ${note}`}`;
}

function examples<T>(title: string, items: readonly T[], show: (item: T) => string): string[] {
  if (items.length === 0) return [];
  const lines = [`  ${title}:`, ...items.slice(0, EXAMPLES).map((i) => `    ${show(i)}`)];
  if (items.length > EXAMPLES) lines.push(`    … and ${items.length - EXAMPLES} more`);
  return lines;
}

/**
 * The checker's result as a report, one count per line (RELIABILITY: attempted / acknowledged / stored /
 * lost / recovered / duplicated), then examples of each failure, then PASS or FAIL. Ends with a newline.
 */
export function formatDeliveryReport(r: DeliveryResult): string {
  const m = r.malformed;
  const malformedNote =
    m.sent === 0
      ? ''
      : `malformed: ${m.sent} sent, ${m.rejectedAsLabelled} rejected as labelled, ${m.rejectedOtherwise} for another ` +
        `reason, ${m.acceptedInstead} acknowledged, ${m.unanswered} unanswered`;
  const lines = [
    'Delivery check',
    row('attempted', r.attempted, 'messages'),
    row('acknowledged', r.acknowledged, 'promised: must be stored exactly once'),
    row('rejected', r.rejected, malformedNote),
    row('unanswered', r.unanswered, 'sent, no answer (not promised)'),
    row('stored', r.stored, `messages (${r.storedReadings} readings)`),
    row('lost', r.lost.total, `prefix ${r.lost.prefix}, middle ${r.lost.middle}, suffix ${r.lost.suffix}`),
    row('recovered', r.recovered.total, 'unanswered but stored (allowed)'),
    row(
      'unexpected',
      r.unexpected.total,
      r.unexpected.otherRuns > 0 ? `${r.unexpected.otherRuns} from other runs` : '',
    ),
    row('duplicated', r.duplicates.total, 'readings stored more than once'),
    row('rejected-stored', r.rejectedStored.total, 'rejected, yet stored'),
    ...examples(
      'lost per device',
      r.lost.byDevice,
      (d) => `${d.deviceId}: prefix ${d.prefix}, middle ${d.middle}, suffix ${d.suffix}`,
    ),
    ...examples(
      'lost',
      r.lost.messages,
      (l) => `${key(l)} (${l.position}${l.whole ? '' : `; missing ${l.missingCodes.join(', ')}`})`,
    ),
    ...examples('unexpected', r.unexpected.readings, (u) => `${key(u)} ${u.code}`),
    ...examples('duplicated', r.duplicates.readings, (d) => `${key(d)} ${d.code} ×${d.count}`),
    ...examples('rejected, yet stored', r.rejectedStored.messages, key),
    r.ok ? 'Result: PASS' : 'Result: FAIL',
  ];
  return lines.join('\n') + '\n';
}
